// GlobalAveragePool: mean over all spatial axes, kept as size-1 axes: [N, C, H, W] -> [N, C, 1, 1].
import { globalAvg, globalPoolOp } from "./util/pool.ts";

export const globalAveragePool = globalPoolOp("GlobalAveragePool", globalAvg);
