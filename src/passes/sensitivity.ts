// How much each dense unit's pre-activation matters to the output, measured by back-propagation on the fit rows,
// so that pruning costs of different layers compare on one scale (a global allocation of sparsity):
//   s_o = mean over rows of (∂m / ∂z_o)^2
// where m is, for a classifier, the margin between the top two scores (what a top-1 flip needs to move), and
// otherwise each output in turn (s_o sums over outputs; at most MAX_DIRECTIONS random ±1 mixes of them). An
// error δ in z_o then moves m by about (∂m/∂z_o) δ, so s_o · (w^2 / [H^-1]_qq) estimates the squared output change
// caused by removing weight q from row o.
// Handles a chain of dense layers joined by element-wise activations (the MLP shape); for other nets it returns
// undefined and the caller falls back to a per-layer scale.
import type { Tensor } from "../graph/tensor.ts";
import type { Layer, Net } from "../net/net.ts";
import { rng } from "../util/rng.ts";

/** Output directions back-propagated for a regression net: every output when there are at most this many. */
const MAX_DIRECTIONS = 8;

type Dense = Layer & { kind: "affine" };

/** d act(z) / dz at z, for the activations the chain may contain (undefined: not handled). */
function derivative(l: Layer): ((z: number) => number) | undefined {
  if (l.kind !== "act") return undefined;
  if (l.fn === "relu") return (z) => (z > 0 ? 1 : 0);
  if (l.fn === "leaky_relu") return (z) => (z > 0 ? 1 : l.alpha ?? 0.01);
  if (l.fn === "identity") return () => 1;
  if (l.fn === "tanh") return (z) => 1 - Math.tanh(z) ** 2;
  if (l.fn === "sigmoid") return (z) => { const s = 1 / (1 + Math.exp(-z)); return s * (1 - s); };
  return undefined;
}

/** The dense layers from the output back, with the activation between each and the one before, when the net
 *  ends in such a chain that contains every layer of `layers` (softmax at the end is looked through). */
function chain(net: Net, layers: readonly Dense[]): { dense: Dense[]; acts: Layer[] } | undefined {
  if (net.outputs.length !== 1) return undefined;
  const byId = new Map(net.layers.map((l) => [l.id, l]));
  let cur = byId.get(net.outputs[0].from);
  if (cur?.kind === "softmax") cur = byId.get(cur.inputs[0]);
  const dense: Dense[] = [], acts: Layer[] = [];
  while (cur && cur.kind === "affine" && cur.shape.length === 1) {
    dense.push(cur);
    const a = byId.get(cur.inputs[0]);
    if (!a || !derivative(a)) break;
    const prev = byId.get(a.inputs[0]);
    if (!prev || prev.kind !== "affine") break;
    acts.push(a);
    cur = prev;
  }
  const ids = new Set(dense.map((l) => l.id));
  return layers.every((l) => ids.has(l.id)) ? { dense, acts } : undefined;
}

/** Per dense layer id, per output unit: s_o (see the header) on the rows whose layer values are in `values`
 *  (every layer's value by id, as activations() gives), or undefined when the net is not a dense chain. */
export function unitSensitivity(net: Net, layers: readonly Dense[], values: Map<string, Tensor>, classifier: boolean): Map<string, Float64Array> | undefined {
  const c = chain(net, layers);
  if (!c) return undefined;
  const top = c.dense[0];
  const y = values.get(top.id)!.data as Float32Array;
  const k = top.outFeatures;
  const rows = y.length / k;
  // seeds: the output directions, one matrix [rows × k] each
  const seeds: Float64Array[] = [];
  if (classifier) {
    const g = new Float64Array(rows * k);
    for (let r = 0; r < rows; r++) {
      let a = 0, b = -1;
      for (let j = 1; j < k; j++) if (y[r * k + j] > y[r * k + a]) a = j;
      for (let j = 0; j < k; j++) if (j !== a && (b < 0 || y[r * k + j] > y[r * k + b])) b = j;
      g[r * k + a] = 1;
      if (b >= 0) g[r * k + b] = -1;
    }
    seeds.push(g);
  } else if (k <= MAX_DIRECTIONS) {
    for (let j = 0; j < k; j++) {
      const g = new Float64Array(rows * k);
      for (let r = 0; r < rows; r++) g[r * k + j] = 1;
      seeds.push(g);
    }
  } else {
    // E_v[(v^T J)^2] = sum of squares of J for v with independent ±1 entries
    const rand = rng(7);
    for (let t = 0; t < MAX_DIRECTIONS; t++) {
      const v = Float64Array.from({ length: k }, () => (rand() < 0.5 ? -1 : 1) / Math.sqrt(MAX_DIRECTIONS));
      const g = new Float64Array(rows * k);
      for (let r = 0; r < rows; r++) g.set(v, r * k);
      seeds.push(g);
    }
  }
  const out = new Map(c.dense.map((l) => [l.id, new Float64Array(l.outFeatures)]));
  for (let g of seeds) {
    for (let li = 0; li < c.dense.length; li++) {
      const l = c.dense[li];
      const s = out.get(l.id)!;
      const o = l.outFeatures, d = l.inFeatures;
      for (let r = 0; r < rows; r++) for (let u = 0; u < o; u++) s[u] += g[r * o + u] ** 2 / rows;
      if (li === c.acts.length) break;
      // through the layer (g_x = g_z W) and the activation before it (times act'(z_prev))
      const zPrev = values.get(c.dense[li + 1].id)!.data as Float32Array;
      const dact = derivative(c.acts[li])!;
      const gx = new Float64Array(rows * d);
      for (let r = 0; r < rows; r++) {
        for (let u = 0; u < o; u++) {
          const gu = g[r * o + u];
          if (gu === 0) continue;
          const wr = u * d;
          for (let i = 0; i < d; i++) gx[r * d + i] += gu * l.W[wr + i];
        }
        for (let i = 0; i < d; i++) gx[r * d + i] *= dact(zPrev[r * d + i]);
      }
      g = gx;
    }
  }
  return out;
}
