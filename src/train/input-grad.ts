// The input gradient of a unit, a layer's value or any linear functional of it, for a batch: what feature
// visualisation by gradient ascent and saliency need. Rows of a batch do not interact (no layer mixes rows),
// so row i of the gradient is the gradient of row i's objective alone.
import type { Tensor } from "../graph/tensor.ts";
import { sizeOf } from "../graph/tensor.ts";
import type { Net } from "../net/net.ts";
import { UserError } from "../errors.ts";
import { backward } from "./backward.ts";
import { forward, shapeOf } from "./forward.ts";
import { trainNet } from "./trainnet.ts";
import type { FArr, TrainNet } from "./types.ts";

/** What to differentiate, per row: a unit of a layer (or net output), or <seed, value> for any seed. */
export interface InputGradientTarget {
  /** A layer id or a net output name. */
  layer: string;
  /** A unit (unitCount's sense: an affine layer's feature, an image layer's channel). For an image layer the
   *  objective is the channel's mean over positions; for a vector, the feature itself. */
  unit?: number;
  /** Instead of unit: d objective / d value, flat [rows, ...shape of the layer] (it need not be one-hot). */
  seed?: Float32Array;
}

export interface InputGradient {
  /** The target layer's value on the batch, flat [rows, ...valueShape]. */
  value: Float32Array;
  valueShape: number[];
  /** d objective / d input per net input (by name), each [rows, ...input shape]. */
  grads: Record<string, Tensor>;
  /** The objective per row. */
  objective: Float64Array;
}

/** d(objective)/d(inputs) for a batch of inputs (batch-first tensors by net input name). Accepts a Net or a
 *  TrainNet made once with trainNet(net) (cheaper in a loop: no parameter copy per call). */
export function inputGradient(net: Net | TrainNet, inputs: Record<string, Tensor>, target: InputGradientTarget): InputGradient {
  const t = "params" in net ? net : trainNet(net, "float32");
  const first = inputs[t.net.inputs[0]?.name ?? ""];
  if (!first) throw new UserError(`inputGradient: no value for net input '${t.net.inputs[0]?.name}'`);
  const n = first.shape[0];
  const flat: Record<string, ArrayLike<number>> = {};
  for (const [k, v] of Object.entries(inputs)) flat[k] = v.data as ArrayLike<number>;
  const layer = t.net.outputs.find((o) => o.name === target.layer)?.from ?? target.layer;
  const shape = shapeOf(t.net, layer);
  const cache = forward(t, flat, n);
  const value = cache.values.get(layer)!;
  const per = sizeOf(shape);
  const kind = t.net.layers.find((l) => l.id === layer)?.kind;
  // An affine layer's units are its last axis (leading axes are positions); an image layer's, its channels.
  const unitShape = kind === "affine" && shape.length > 1 ? [...shape.slice(-1), ...shape.slice(0, -1)] : shape;
  const seed = target.seed ?? unitSeed(unitShape, n, per, target.unit, target.layer, kind === "affine" && shape.length > 1);
  if (seed.length !== value.length) throw new UserError(`inputGradient: seed has ${seed.length} values, layer '${target.layer}' has ${value.length} on ${n} rows`);
  const g = backward(t, cache, new Map([[layer, seed as FArr]]), { params: false, inputs: true });
  const objective = new Float64Array(n);
  for (let r = 0; r < n; r++) for (let i = 0; i < per; i++) objective[r] += seed[r * per + i] * value[r * per + i];
  const grads: Record<string, Tensor> = {};
  for (const i of t.net.inputs) grads[i.name] = { dtype: "float32", shape: [n, ...i.shape], data: Float32Array.from(g.inputs.get(i.name)!) };
  return { value: Float32Array.from(value), valueShape: shape, grads, objective };
}

/** The seed of one unit: 1 on a vector's feature, 1/positions over an image channel (its mean). */
function unitSeed(shape: number[], n: number, per: number, unit: number | undefined, name: string, lastAxis: boolean): Float32Array {
  if (unit === undefined) throw new UserError(`inputGradient: give a unit or a seed for layer '${name}'`);
  const seed = new Float32Array(n * per);
  if (shape.length <= 1) {
    const units = shape[0] ?? 1;
    if (!(unit >= 0 && unit < units)) throw new UserError(`inputGradient: unit ${unit} is not in layer '${name}' (${units} units)`);
    for (let r = 0; r < n; r++) seed[r * per + unit] = 1;
    return seed;
  }
  const ch = shape[0], plane = per / ch;
  if (!(unit >= 0 && unit < ch)) throw new UserError(`inputGradient: channel ${unit} is not in layer '${name}' (${ch} channels)`);
  for (let r = 0; r < n; r++) {
    if (lastAxis) for (let p = 0; p < plane; p++) seed[r * per + p * ch + unit] = 1 / plane;
    else seed.fill(1 / plane, r * per + unit * plane, r * per + (unit + 1) * plane);
  }
  return seed;
}
