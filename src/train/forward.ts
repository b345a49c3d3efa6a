// Forward over a TrainNet on a batch, keeping every value (and max-pool argmaxes) for backward.
import { sizeOf } from "../graph/tensor.ts";
import type { Layer, Net } from "../net/net.ts";
import { UserError } from "../errors.ts";
import { layerGeom } from "./geom.ts";
import { actForward } from "./layers/act.ts";
import { affineForward } from "./layers/affine.ts";
import { convForwardLayer } from "./layers/conv.ts";
import { poolForward } from "./layers/pool.ts";
import { around, concatForward, softmaxForward } from "./layers/shape.ts";
import { alloc, copyIn } from "./trainnet.ts";
import type { FArr, ForwardCache, TrainNet } from "./types.ts";

/** Per-sample shape of a value (net input or layer). */
export function shapeOf(net: Net, name: string): number[] {
  const l = net.layers.find((x) => x.id === name);
  if (l) return l.shape;
  const i = net.inputs.find((x) => x.name === name);
  if (!i) throw new UserError(`no layer or net input named '${name}'`);
  return i.shape;
}

/** Run the TrainNet on a batch of n rows (inputs by net input name, flat row-major [n, ...shape]). */
export function forward(t: TrainNet, inputs: Record<string, ArrayLike<number>>, n: number): ForwardCache {
  const values = new Map<string, FArr>();
  const argmax = new Map<string, Int32Array>();
  for (const i of t.net.inputs) {
    const x = inputs[i.name];
    if (!x) throw new UserError(`no value given for net input '${i.name}'`);
    const want = n * sizeOf(i.shape);
    if (x.length !== want) throw new UserError(`net input '${i.name}': ${x.length} values for ${n} rows of [${i.shape.join(", ")}] (expected ${want})`);
    values.set(i.name, (t.precision === "float32" ? x instanceof Float32Array : x instanceof Float64Array) ? (x as FArr) : copyIn(t.precision, x));
  }
  for (const l of t.net.layers) {
    const xs = l.inputs.map((r) => values.get(r)!);
    const y = l.kind === "reshape" ? xs[0] : alloc(t.precision, n * sizeOf(l.shape));
    layerForward(t, l, xs, n, y, argmax);
    values.set(l.id, y);
  }
  return { n, values, argmax };
}

function layerForward(t: TrainNet, l: Layer, xs: FArr[], n: number, y: FArr, argmax: Map<string, Int32Array>): void {
  switch (l.kind) {
    case "affine": affineForward(l, t.params.get(l.id)!, xs[0], y.length / l.outFeatures, y); return;
    case "conv": convForwardLayer(l, t.params.get(l.id)!, xs[0], n, layerGeom(l, shapeOf(t.net, l.inputs[0]), l.shape), y); return;
    case "act": actForward(l, xs[0], y); return;
    case "pool": {
      const inShape = shapeOf(t.net, l.inputs[0]);
      const planes = n * inShape[0], plane = sizeOf(inShape.slice(1));
      const global = l.mode === "global_avg" || l.mode === "global_max";
      const am = l.mode === "max" || l.mode === "global_max" ? new Int32Array(y.length) : undefined;
      poolForward(l, xs[0], planes, plane, global ? undefined : layerGeom(l, inShape, l.shape), y, am);
      if (am) argmax.set(l.id, am);
      return;
    }
    case "add":
      y.set(xs[0]);
      for (let k = 1; k < xs.length; k++) for (let i = 0; i < y.length; i++) y[i] += xs[k][i];
      return;
    case "concat": {
      const [outer, , inner] = around(n, l.shape, l.axis);
      concatForward(xs, l.inputs.map((r) => shapeOf(t.net, r)[l.axis]), outer, inner, y);
      return;
    }
    case "softmax": softmaxForward(l.log, xs[0], around(n, l.shape, l.axis), y); return;
    case "reshape": return;
    case "opaque": throw new UserError(`layer '${l.id}' is opaque: training cannot run it`);
  }
}
