// The elementwise op family: one import per op file, listed here for the registry.
import type { Op } from "./op.ts";

export const ops: Op[] = [];
