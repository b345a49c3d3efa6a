// GlobalMaxPool: max over all spatial axes, kept as size-1 axes: [N, C, H, W] -> [N, C, 1, 1].
import { globalMax, globalPoolOp } from "./util/pool.ts";

export const globalMaxPool = globalPoolOp("GlobalMaxPool", globalMax);
