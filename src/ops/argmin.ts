// ArgMin: int64 index of the smallest value along `axis` (default 0), keepdims (default 1), ties to the
// first index unless select_last_index=1 (opset 12).
import { NUMERIC } from "./util/elementwise.ts";
import { argOp } from "./util/reduce.ts";

export const ArgMin = argOp("ArgMin", NUMERIC, false);
