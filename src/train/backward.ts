// Backward over a TrainNet: given the forward cache and seeds (d objective / d value for some values, any
// layers or outputs), the gradients w.r.t. the parameters and the net inputs, layers in reverse order.
import { sizeOf } from "../graph/tensor.ts";
import type { Layer } from "../net/net.ts";
import { layerGeom } from "./geom.ts";
import { shapeOf } from "./forward.ts";
import { actBackward } from "./layers/act.ts";
import { affineBackward } from "./layers/affine.ts";
import { convBackwardLayer } from "./layers/conv.ts";
import { poolBackward } from "./layers/pool.ts";
import { around, concatBackward, softmaxBackward } from "./layers/shape.ts";
import { alloc } from "./trainnet.ts";
import type { BackwardOptions, FArr, ForwardCache, Grads, LayerParams, TrainNet } from "./types.ts";

/** Zeroed gradients shaped like the TrainNet's parameters. */
export function zeroGrads(t: TrainNet): Map<string, LayerParams> {
  const m = new Map<string, LayerParams>();
  for (const [k, p] of t.params) m.set(k, { w: alloc(t.precision, p.w.length), b: alloc(t.precision, p.b.length) });
  return m;
}

/** Which values need a gradient: those on a path from a parameter or (when wanted) a net input to a seed. */
function needed(t: TrainNet, seeds: ReadonlyMap<string, FArr>, opts: BackwardOptions): Set<string> {
  const fromSource = new Set<string>();
  if (opts.inputs !== false) t.net.inputs.forEach((i) => fromSource.add(i.name));
  for (const l of t.net.layers) {
    if ((opts.params !== false && t.params.has(l.id)) || l.inputs.some((r) => fromSource.has(r))) fromSource.add(l.id);
  }
  const toSeed = new Set<string>(seeds.keys());
  for (let k = t.net.layers.length - 1; k >= 0; k--) {
    const l = t.net.layers[k];
    if (toSeed.has(l.id)) l.inputs.forEach((r) => toSeed.add(r));
  }
  return new Set([...fromSource].filter((v) => toSeed.has(v)));
}

/** Gradients of sum over seeded values of <seed, value> w.r.t. parameters and net inputs. `into` accumulates (e.g. over batches). */
export function backward(t: TrainNet, cache: ForwardCache, seeds: ReadonlyMap<string, FArr>, opts: BackwardOptions = {}, into?: Map<string, LayerParams>): Grads {
  const need = needed(t, seeds, opts);
  const wantParams = opts.params !== false;
  const params = into ?? (wantParams ? zeroGrads(t) : new Map<string, LayerParams>());
  const grad = new Map<string, FArr>();
  const gradOf = (name: string): FArr => {
    let g = grad.get(name);
    if (!g) grad.set(name, (g = alloc(t.precision, cache.values.get(name)!.length)));
    return g;
  };
  for (const [name, s] of seeds) {
    const g = gradOf(name);
    for (let i = 0; i < g.length; i++) g[i] += s[i];
  }
  const n = cache.n;
  for (let k = t.net.layers.length - 1; k >= 0; k--) {
    const l = t.net.layers[k];
    const dy = grad.get(l.id);
    if (!dy || !need.has(l.id)) continue;
    const dxs = l.inputs.map((r) => (need.has(r) ? gradOf(r) : undefined));
    layerBackward(t, l, cache, dy, n, dxs, wantParams ? params.get(l.id) : undefined);
    grad.delete(l.id); // free as we go: deep nets, big batches
  }
  const inputs = new Map<string, FArr>();
  if (opts.inputs !== false) for (const i of t.net.inputs) inputs.set(i.name, grad.get(i.name) ?? alloc(t.precision, cache.values.get(i.name)!.length));
  return { params, inputs };
}

function layerBackward(t: TrainNet, l: Layer, cache: ForwardCache, dy: FArr, n: number, dxs: (FArr | undefined)[], gp: LayerParams | undefined): void {
  const x = cache.values.get(l.inputs[0])!;
  const dx = dxs[0];
  switch (l.kind) {
    case "affine": affineBackward(l, t.params.get(l.id)!, x, dy, dy.length / l.outFeatures, dx, gp); return;
    case "conv": convBackwardLayer(l, t.params.get(l.id)!, x, dy, n, layerGeom(l, shapeOf(t.net, l.inputs[0]), l.shape), dx, gp); return;
    case "act": if (dx) actBackward(l, x, cache.values.get(l.id)!, dy, dx); return;
    case "pool": {
      if (!dx) return;
      const inShape = shapeOf(t.net, l.inputs[0]);
      const global = l.mode === "global_avg" || l.mode === "global_max";
      poolBackward(l, dy, n * inShape[0], sizeOf(inShape.slice(1)), global ? undefined : layerGeom(l, inShape, l.shape), dx, cache.argmax.get(l.id));
      return;
    }
    case "add": for (const d of dxs) if (d) for (let i = 0; i < d.length; i++) d[i] += dy[i]; return;
    case "concat": {
      const [outer, , inner] = around(n, l.shape, l.axis);
      concatBackward(dy, l.inputs.map((r) => shapeOf(t.net, r)[l.axis]), outer, inner, dxs);
      return;
    }
    case "softmax": if (dx) softmaxBackward(l.log, cache.values.get(l.id)!, dy, around(n, l.shape, l.axis), dx); return;
    case "reshape": if (dx) for (let i = 0; i < dx.length; i++) dx[i] += dy[i]; return;
    case "opaque": throw new Error(`backward: opaque layer '${l.id}'`);
  }
}
