// The dense op family: one import per op file, listed here for the registry.
import type { Op } from "./op.ts";
import { averagePool } from "./averagepool.ts";
import { conv } from "./conv.ts";
import { convTranspose } from "./convtranspose.ts";
import { gemm } from "./gemm.ts";
import { globalAveragePool } from "./globalaveragepool.ts";
import { globalMaxPool } from "./globalmaxpool.ts";
import { matmul } from "./matmul.ts";
import { maxPool } from "./maxpool.ts";

export const ops: Op[] = [averagePool, conv, convTranspose, gemm, globalAveragePool, globalMaxPool, matmul, maxPool];
