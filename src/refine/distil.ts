// Distillation: the student matches the original's logits (the values before a final softmax, or the output
// itself), not its labels, so it learns the original's function and not only its decisions (Hinton et al.,
// "Distilling the knowledge in a neural network", 2015; matching logits by squared error is their high-temperature
// limit, Ba & Caruana 2014). Rows where the original's top-1 margin is small are weighted up: those are where
// a small change flips a decision, and the agreement floor counts decisions. Hidden pre-activations are distilled
// too, as hints (Romero et al., "FitNets: Hints for Thin Deep Nets", ICLR 2015): a pruned layer then learns its own
// target instead of waiting for the error to come back through the layers above; measured on the MNIST MLP, logits
// alone left the loss ten times higher after each pruning round. Every term is divided by the variance of the
// original's values, so the layers weigh alike whatever their scale.
// (Hinton et al.'s squared error on logits, and hints:)
import type { Net } from "../net/net.ts";
import { sizeOf } from "../graph/tensor.ts";
import { UserError } from "../errors.ts";
import { forward } from "../train/forward.ts";
import type { TrainNet } from "../train/types.ts";

/** The layer whose value is distilled: a final softmax's input, else the output layer. */
export function logitsLayer(net: Net): string {
  if (net.inputs.length !== 1 || net.outputs.length !== 1) {
    throw new UserError(`refine handles nets with one input and one output (this one has ${net.inputs.length} and ${net.outputs.length})`);
  }
  const out = net.outputs[0].from;
  const l = net.layers.find((x) => x.id === out);
  if (!l) throw new UserError(`net output '${net.outputs[0].name}' is an input: nothing to refine`);
  return l.kind === "softmax" ? l.inputs[0] : l.id;
}

/** Values of a layer on rows (flat), run in chunks. */
export function valuesOn(t: TrainNet, layer: string, x: Float32Array, n: number, chunk = 1024): Float32Array {
  const inName = t.net.inputs[0].name;
  const rowSize = sizeOf(t.net.inputs[0].shape);
  let out: Float32Array | undefined;
  let per = 0;
  for (let s = 0; s < n; s += chunk) {
    const e = Math.min(n, s + chunk);
    const v = forward(t, { [inName]: x.subarray(s * rowSize, e * rowSize) }, e - s).values.get(layer)!;
    if (!out) {
      per = v.length / (e - s);
      out = new Float32Array(n * per);
    }
    out.set(v, s * per);
  }
  return out ?? new Float32Array(0);
}

/** Top-1 margin (largest minus second largest) of each row of [n, k] scores. */
export function margins(y: Float32Array, k: number): Float32Array {
  const n = y.length / k, m = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    let a = -Infinity, b = -Infinity;
    for (let j = 0; j < k; j++) {
      const v = y[r * k + j];
      if (v > a) { b = a; a = v; } else if (v > b) b = v;
    }
    m[r] = k > 1 ? a - b : Infinity;
  }
  return m;
}

/** Row weights: 1 + boost exp(-margin / m0), m0 a fraction of the median margin of the rows (classifiers); 1 otherwise. */
export function marginWeights(teacher: Float32Array, k: number, classifier: boolean, m0?: number, boost = 4, fraction = 0.1): { w: Float32Array; m0: number } {
  const n = teacher.length / k;
  if (!classifier) return { w: new Float32Array(n).fill(1), m0: 0 };
  const m = margins(teacher, k);
  const scale = m0 ?? Math.max(1e-6, fraction * [...m].sort((a, b) => a - b)[Math.floor(n / 2)]);
  return { w: Float32Array.from(m, (v) => 1 + boost * Math.exp(-v / scale)), m0: scale };
}

/** Weighted mean squared error over rows and values (k per row), times `scale`, and its gradient w.r.t. the
 *  student's values. Used on the logits and, as hints, on hidden pre-activations (scale 1 / their variance). */
export function distilLoss(student: Float32Array, teacher: Float32Array, w: Float32Array, k: number, scale = 1): { loss: number; grad: Float32Array } {
  const n = teacher.length / k;
  const grad = new Float32Array(student.length);
  let loss = 0;
  const c = scale / (n * k);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < k; j++) {
      const i = r * k + j, d = student[i] - teacher[i];
      loss += w[r] * d * d * c;
      grad[i] = 2 * w[r] * d * c;
    }
  }
  return { loss, grad };
}

/** Top-1 agreement and max abs error between two [n, k] arrays. */
export function agreement(a: Float32Array, b: Float32Array, k: number): { agreement: number; maxAbsErr: number; disagreements: number } {
  const n = a.length / k;
  let same = 0, err = 0;
  for (let r = 0; r < n; r++) {
    let ia = 0, ib = 0;
    for (let j = 1; j < k; j++) {
      if (a[r * k + j] > a[r * k + ia]) ia = j;
      if (b[r * k + j] > b[r * k + ib]) ib = j;
    }
    if (ia === ib) same++;
    for (let j = 0; j < k; j++) err = Math.max(err, Math.abs(a[r * k + j] - b[r * k + j]));
  }
  return { agreement: n ? same / n : 1, maxAbsErr: err, disagreements: n - same };
}

/** Variance of the values of each row-major [n, k] array (over all entries). */
export function variance(v: Float32Array): number {
  let s = 0, q = 0;
  for (const x of v) { s += x; q += x * x; }
  const m = s / Math.max(1, v.length);
  return Math.max(1e-12, q / Math.max(1, v.length) - m * m);
}
