// LogSoftmax: x - max - log(sum(exp(x - max))) along an axis. Opset < 13 normalises over all dims from
// `axis` (default 1) on, as one 2-D row; opset 13+ over the single axis `axis` (default -1).
import { softmaxKernel } from "./softmax.ts";
import { softmaxLikeOp } from "./util/reduce.ts";

export const LogSoftmax = softmaxLikeOp("LogSoftmax", (x, y, layout) => softmaxKernel(x, y, layout, true));
