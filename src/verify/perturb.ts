// A sound bound on how far a Net's outputs can move when one layer's values move by at most d_u (unit by unit),
// whatever the input: propagate the bound forward with every map's absolute value.
//
//   |Δ(W h + b)| <= |W| |Δh|        |Δ conv(h, K)| <= conv(|Δh|, |K|)        |Δ act(z)| <= L_act |Δz|
//   |Δ avgpool(h)| <= avgpool(|Δh|)   |Δ maxpool(h)| <= maxpool(|Δh|)          reshape / concat move entries, add sums
//
// Used where a rewrite changes one layer's weights (carve dropping a conv fit's residual): there bounds of two whole
// networks (IBP, CROWN) lose the fact that everything else is the same, and this one keeps it.
import { f32 } from "../graph/tensor.ts";
import type { ActFn, Layer, Net } from "../net/net.ts";
import { runLayer } from "../net/run.ts";

/** Lipschitz constants of the activations (undefined: none, e.g. exp). */
const LIPSCHITZ: Partial<Record<ActFn, number>> = {
  relu: 1, identity: 1, abs: 1, clip: 1, tanh: 1, sigmoid: 0.25,
  // max over z of |d/dz z Phi(z)| = 1.1289 (at z = sqrt(2)); the tanh form stays below 1.13 as well.
  gelu: 1.13, gelu_tanh: 1.13,
};

/** The layer with every weight replaced by its absolute value and no bias (or undefined for layers it cannot bound). */
function absLayer(l: Layer): Layer | "scale" | undefined {
  switch (l.kind) {
    case "affine": return { ...l, W: l.W.map(Math.abs), b: new Float32Array(l.b.length) };
    case "conv": return { ...l, weight: l.weight.map(Math.abs), bias: new Float32Array(l.bias.length) };
    case "reshape": case "add": case "pool": return l;
    case "concat": return l;
    case "act": return "scale";
    default: return undefined;
  }
}

/** Per output element (Net outputs in order, concatenated), an upper bound on |Δ output| when the value of layer
 *  `at` moves by at most d (per unit); undefined when a layer downstream has no bound here (softmax, opaque, exp). */
export function perturbationBound(net: Net, at: string, d: Float64Array): number[] | undefined {
  const delta = new Map<string, Float32Array>([[at, Float32Array.from(d)]]);
  const shapeOf = new Map<string, number[]>([...net.inputs.map((i) => [i.name, i.shape] as [string, number[]]), ...net.layers.map((l) => [l.id, l.shape] as [string, number[]])]);
  const size = (id: string) => (shapeOf.get(id) ?? []).reduce((a, b) => a * b, 1);
  const start = net.layers.findIndex((l) => l.id === at);
  if (start < 0) return undefined;
  for (const l of net.layers.slice(start + 1)) {
    if (!l.inputs.some((i) => delta.has(i))) continue;
    const m = absLayer(l);
    if (m === undefined) return undefined;
    const xs = l.inputs.map((i) => f32([1, ...(shapeOf.get(i) ?? [])], delta.get(i) ?? new Float32Array(size(i))));
    if (m === "scale") {
      const L = l.kind === "act" ? (l.fn === "leaky_relu" ? Math.max(1, Math.abs(l.alpha ?? 0.01)) : LIPSCHITZ[l.fn]) : undefined;
      if (L === undefined) return undefined;
      delta.set(l.id, (xs[0].data as Float32Array).map((v) => v * L));
      continue;
    }
    // A pool of a bound with padding counted (or not) still bounds the pooled change: the change is 0 in the pad.
    delta.set(l.id, Float32Array.from(runLayer(m, xs).data as Float32Array));
  }
  const out: number[] = [];
  for (const o of net.outputs) {
    const v = delta.get(o.from);
    const n = size(o.from);
    for (let i = 0; i < n; i++) out.push(v ? v[i] * (1 + 1e-6) : 0);
  }
  return out;
}
