// Types of training over the Net IR: a Net's structure with its parameters in mutable arrays (the Net's own
// layers are immutable values, see net.ts), the values a forward pass keeps for backward, and gradients.
import type { Net } from "../net/net.ts";

/** Float32 for training (the SIMD sgemm); float64 for gradient checks against finite differences. */
export type Precision = "float32" | "float64";
export type FArr = Float32Array | Float64Array;

/** Parameters of one affine or conv layer: w is [out, in] (affine) or [out, in/groups, ...kernel] (conv). */
export interface LayerParams {
  w: FArr;
  b: FArr;
}

/** A Net with trainable copies of its parameters, keyed by layer id. */
export interface TrainNet {
  net: Net;
  precision: Precision;
  params: Map<string, LayerParams>;
}

/** What forward keeps: every value by name (net inputs and layer ids), and max-pool argmax indices. */
export interface ForwardCache {
  /** Batch rows. */
  n: number;
  values: Map<string, FArr>;
  /** Per max-pool layer: flat index into its input of each output's maximum. */
  argmax: Map<string, Int32Array>;
}

/** Gradients of a scalar objective: per layer's parameters, and per net input. */
export interface Grads {
  params: Map<string, LayerParams>;
  inputs: Map<string, FArr>;
}

/** What backward computes (skipping the rest saves time: feature visualisation needs no parameter gradients). */
export interface BackwardOptions {
  /** Parameter gradients (default true). */
  params?: boolean;
  /** Gradients w.r.t. the net inputs (default true). */
  inputs?: boolean;
}
