// A TrainNet from a Net (parameters copied) and back (new layer objects over copies of the trained arrays).
import { UserError } from "../errors.ts";
import type { Layer, Net } from "../net/net.ts";
import type { FArr, LayerParams, Precision, TrainNet } from "./types.ts";

/** A zeroed array of the precision. */
export function alloc(p: Precision, n: number): FArr {
  return p === "float32" ? new Float32Array(n) : new Float64Array(n);
}

/** A copy of a number array in the precision. */
export function copyIn(p: Precision, a: ArrayLike<number>): FArr {
  return p === "float32" ? Float32Array.from(a) : Float64Array.from(a);
}

/** Layer kinds training supports; an opaque fragment has no gradient here. */
function checkTrainable(l: Layer): void {
  if (l.kind === "opaque") throw new UserError(`layer '${l.id}' is an opaque fragment (${l.reason}): training needs every layer lowered to the Net IR`);
  if (l.shape.some((d) => d < 0)) throw new UserError(`layer '${l.id}' has a run-time dim in its shape [${l.shape.join(", ")}]: training needs static per-sample shapes`);
}

/** Copy a Net's parameters into trainable arrays of the given precision. */
export function trainNet(net: Net, precision: Precision = "float32"): TrainNet {
  const params = new Map<string, LayerParams>();
  for (const l of net.layers) {
    checkTrainable(l);
    if (l.kind === "affine") params.set(l.id, { w: copyIn(precision, l.W), b: copyIn(precision, l.b) });
    else if (l.kind === "conv") params.set(l.id, { w: copyIn(precision, l.weight), b: copyIn(precision, l.bias) });
  }
  for (const i of net.inputs) {
    if (i.shape.some((d) => d < 0)) throw new UserError(`net input '${i.name}' has a run-time dim: training needs static per-sample shapes`);
  }
  return { net, precision, params };
}

/** A deep copy of a TrainNet's parameters (same structure). */
export function cloneTrainNet(t: TrainNet): TrainNet {
  const params = new Map<string, LayerParams>();
  for (const [k, p] of t.params) params.set(k, { w: p.w.slice(), b: p.b.slice() });
  return { net: t.net, precision: t.precision, params };
}

/** The Net with the TrainNet's current parameters (float32 copies; new layer objects, so no kernel cache is stale). */
export function toNet(t: TrainNet): Net {
  const layers = t.net.layers.map((l): Layer => {
    const p = t.params.get(l.id);
    if (!p) return l;
    if (l.kind === "affine") return { ...l, W: Float32Array.from(p.w), b: Float32Array.from(p.b) };
    if (l.kind === "conv") return { ...l, weight: Float32Array.from(p.w), bias: Float32Array.from(p.b) };
    return l;
  });
  return { ...t.net, layers };
}

/** Number of trainable scalars. */
export function paramCount(t: TrainNet): number {
  let n = 0;
  for (const p of t.params.values()) n += p.w.length + p.b.length;
  return n;
}
