// Training over the Net IR: forward with a cache, backward (parameters and inputs), Adam, input gradients.
export type { BackwardOptions, FArr, ForwardCache, Grads, LayerParams, Precision, TrainNet } from "./types.ts";
export { trainNet, cloneTrainNet, toNet, paramCount } from "./trainnet.ts";
export { forward } from "./forward.ts";
export { backward, zeroGrads } from "./backward.ts";
export { Adam, type AdamOptions } from "./adam.ts";
export { inputGradient, type InputGradient, type InputGradientTarget } from "./input-grad.ts";
