// The Net IR: the neuron-level view of a network. Layers hold weights; units have ids `layer:unit`
// so that passes can remove, merge, permute and group them.
//
// Shapes here are per sample: the batch axis is implicit (axis 0 of every Graph value).
// Layers are values: a pass that changes a layer builds a new layer object with new weight arrays rather than
// editing arrays in place (runNet caches per-layer kernels, and lift shares weight arrays with the Model).
import type { Graph } from "../graph/graph.ts";
import type { DType } from "../graph/tensor.ts";

export type ActFn = "relu" | "leaky_relu" | "sigmoid" | "tanh" | "gelu" | "gelu_tanh" | "exp" | "abs" | "clip" | "identity";

/** A dense map y = W x + b over the last axis; W is out x in, row-major. */
export interface AffineLayer {
  kind: "affine";
  W: Float32Array;
  b: Float32Array;
  inFeatures: number;
  outFeatures: number;
}

/** A 2-D (or 1-D) convolution over NCHW input; weight is [out, in/groups, ...kernel]. */
export interface ConvLayer {
  kind: "conv";
  weight: Float32Array;
  bias: Float32Array;
  outChannels: number;
  inChannels: number;
  kernel: number[];
  strides: number[];
  /** ONNX layout: begins then ends. */
  pads: number[];
  dilations: number[];
  groups: number;
}

/** An elementwise activation; alpha for leaky_relu, min/max for clip. */
export interface ActLayer {
  kind: "act";
  fn: ActFn;
  alpha?: number;
  min?: number;
  max?: number;
}

export interface PoolLayer {
  kind: "pool";
  mode: "max" | "avg" | "global_max" | "global_avg";
  kernel: number[];
  strides: number[];
  pads: number[];
  /** AveragePool's count_include_pad and ceil_mode, kept so lifting reproduces the op exactly. */
  countIncludePad: boolean;
  ceilMode: boolean;
  dilations: number[];
}

/** Elementwise sum of its inputs (residual connections). */
export interface AddLayer {
  kind: "add";
}

/** Concatenation along a per-sample axis (0 = first non-batch axis). */
export interface ConcatLayer {
  kind: "concat";
  axis: number;
}

/** Softmax or log-softmax along a per-sample axis. */
export interface SoftmaxLayer {
  kind: "softmax";
  log: boolean;
  axis: number;
}

/** Reshape of the per-sample value, e.g. Flatten of an image to a vector. Data order is unchanged. */
export interface ReshapeLayer {
  kind: "reshape";
}

/** A Graph fragment with no neuron-level meaning yet; run as is, on whole batches. Its graph's inputs are
 *  the layer's inputs (same order, names as in the source graph) and its single output is the layer's value. */
export interface OpaqueLayer {
  kind: "opaque";
  graph: Graph;
  opset: Map<string, number>;
  /** Why it was not lowered (named in the report). */
  reason: string;
  /** Whether the output is an ordinary per-sample value (batch on axis 0, static per-sample shape). When false,
   *  `shape` holds the output's dims after axis 0 with -1 where unknown, and per-unit analysis skips it. */
  perSample: boolean;
}

export type LayerBody =
  | AffineLayer | ConvLayer | ActLayer | PoolLayer | AddLayer | ConcatLayer | SoftmaxLayer | ReshapeLayer | OpaqueLayer;

export type Layer = LayerBody & {
  /** Stable id, unique in the Net, e.g. "fc1" or "L3"; units are `${id}:${index}`. */
  id: string;
  /** Ids of input layers or names of Net inputs. */
  inputs: string[];
  /** Per-sample output shape. For affine: [units] (or [..., units]); for conv: [channels, h, w].
   *  Only an opaque layer with perSample false may hold -1 (a run-time dim). */
  shape: number[];
  dtype: DType;
  /** The ONNX node names this layer came from, for reports. */
  origin: string[];
  /** Set by simplify passes: per unit, the ids (`layer:unit`) of the lowered Net's units this unit stands for
   *  (several after a merge). Absent: unit i is `${id}:${i}` of the lowered Net. */
  unitOrigin?: string[][];
  /** What the pass that made this layer says of it (e.g. carve's fit residual), shown as its statement's comment. */
  note?: string;
};

export interface NetInput {
  name: string;
  dtype: DType;
  /** Per-sample shape (batch axis removed); -1 for a dim only known at run time (e.g. a sequence length),
   *  which only opaque layers can consume. */
  shape: number[];
  /** The batch dimension as the model declared it (a symbol, or 1 for fixed-batch exports). */
  batchDim: number | string | null;
}

export interface NetOutput {
  name: string;
  /** The layer (or input) whose value is this output. */
  from: string;
}

export interface Net {
  /** The source graph's name, kept for lifting. */
  name?: string;
  inputs: NetInput[];
  /** In topological order. */
  layers: Layer[];
  outputs: NetOutput[];
}

/** Number of units of a layer: features for a vector (an affine layer's last axis), channels for an image. */
export function unitCount(layer: Layer): number {
  if (layer.kind === "affine") return layer.outFeatures;
  return layer.shape.length === 0 ? 1 : Math.max(layer.shape[0], 0);
}

/** The id of unit `i` of a layer. */
export function unitId(layer: Pick<Layer, "id">, i: number): string {
  return `${layer.id}:${i}`;
}
