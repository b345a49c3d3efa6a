// An elementwise Add/Sub/Mul/Div of a constant is y = s * x + t per feature (Add c: s = 1, t = c; Sub c: t = -c;
// c - x: s = -1, t = c; Mul c: s = c; Div c: s = 1/c). Exporters write input normalisation (sklearn's scaler, Keras's
// Normalization and Rescaling layers: (x - mean) / std) and output scales (a temperature, Rescaling) this way. Each
// folds into the affine layer beside it, so the Net sees the layers it would see without them:
//   Gemm(x, W, b) * s + t       -> Gemm(x, s[o] W[o, :], s b + t)            (after a canonical Gemm read only here,
//                                                                             or the Gemms a Concat joins)
//   Flatten(Conv(x)) * s + t    -> Flatten(Conv(x, s[c] W[c], s b + t))     (s, t constant over each channel)
//   Gemm(s * x + t, W, b)       -> Gemm(x, W[:, i] s[i], b + W t)            (before canonical Gemms, its only readers)
//   Conv(s * x + t, W, b)       -> Conv(x, W[:, c] s[c], b + sum W t)        (per-channel; t only without padding)
//   s * x + t                   -> Gemm(x, diag(s), t)                       (else, on the graph input or a graph output)
// (after a Conv, fold-channel-affine already takes them). Exact up to float rounding (products formed in float64,
// stored in the weights' dtype).
import { topoSort, type Graph, type Model, type Node } from "../graph.ts";
import type { DType } from "../tensor.ts";
import type { Pass } from "../../pipeline/pass.ts";
import { attrInt, attrInts, attrString } from "../../ops/op.ts";
import { cloneModel, isGraphOutput, NameAllocator, producerMap, readersOf, removeDead, renameValue } from "./edit.ts";
import { asChannelVector, asRowVector, floats, floatTensor } from "./consts.ts";
import { CANONICAL_GEMM, isCanonicalGemm } from "./canonical-affine.ts";
import { rankOf, valueShapes } from "./shapes.ts";

/** Largest feature count rewritten as a diagonal Gemm (its weight is F x F). */
const MAX_DIAGONAL = 1024;

/** y = s * x + t per feature (rank 2) or per channel (rank >= 3). */
interface ScaleShift {
  x: string;
  s: Float64Array;
  t: Float64Array;
}

/** The scale and shift of an elementwise op with one constant input, against x's rank and width, or undefined. */
function scaleShift(g: Graph, n: Node, rank: number | undefined, width: (x: string) => number | undefined): ScaleShift | undefined {
  if (n.domain !== "" || n.inputs.length !== 2 || !["Add", "Sub", "Mul", "Div"].includes(n.op) || rank === undefined) return undefined;
  const k = g.initializers.has(n.inputs[1]) ? 1 : g.initializers.has(n.inputs[0]) ? 0 : -1;
  if (k < 0 || g.initializers.has(n.inputs[1 - k])) return undefined;
  const x = n.inputs[1 - k];
  const c = g.initializers.get(n.inputs[k])!;
  const f = width(x);
  if (f === undefined || c.shape.length > rank) return undefined; // a constant of higher rank broadcasts the output up
  const v = rank === 2 ? asRowVector(c, f) : asChannelVector(c, f, rank);
  if (!v) return undefined;
  const one = new Float64Array(f).fill(1);
  const zero = new Float64Array(f);
  switch (n.op) {
    case "Add": return { x, s: one, t: v };
    case "Sub": return k === 1 ? { x, s: one, t: v.map((a) => -a) } : { x, s: one.map(() => -1), t: v };
    case "Mul": return { x, s: v, t: zero };
    default: return k === 1 && v.every((a) => a !== 0) ? { x, s: v.map((a) => 1 / a), t: zero } : undefined;
  }
}

/** Give node n new weight and bias initialisers (fresh names from n's), reading `data` first. */
function setWeights(g: Graph, names: NameAllocator, n: Node, data: string, dtype: DType, shape: number[], W: Float64Array, b: Float64Array): void {
  const wName = names.fresh(`${n.name}.W`);
  const bName = names.fresh(`${n.name}.b`);
  g.initializers.set(wName, floatTensor(dtype, shape, W));
  g.initializers.set(bName, floatTensor(dtype, [b.length], b));
  n.inputs = [data, wName, bName];
}

/** Conv padding is all zero (a shift before it then reaches every tap, as it does inside the image). */
function unpadded(conv: Node): boolean {
  const auto = attrString(conv, "auto_pad", "NOTSET");
  if (auto === "SAME_UPPER" || auto === "SAME_LOWER") return false;
  return auto === "VALID" || attrInts(conv, "pads", []).every((p) => p === 0);
}

/** Can every reader of y take y = s x + t into its weights (canonical Gemms, and ungrouped Convs when t is zero or
 *  they have no padding)? */
function canFoldBefore(g: Graph, y: string, st: ScaleShift): boolean {
  const readers = readersOf(g, y);
  if (!readers.length || isGraphOutput(g, y)) return false;
  return readers.every((r) => r.inputs[0] === y && !r.inputs.slice(1).includes(y) && (
    (isCanonicalGemm(g, r) && g.initializers.get(r.inputs[1])!.shape[1] === st.s.length) ||
    (r.op === "Conv" && r.domain === "" && attrInt(r, "group", 1) === 1 && g.initializers.get(r.inputs[1] ?? "")?.shape[1] === st.s.length &&
      !!floats(g.initializers.get(r.inputs[1])) && (!r.inputs[2] || g.initializers.has(r.inputs[2])) && (st.t.every((v) => v === 0) || unpadded(r)))));
}

/** Fold y = s x + t into the readers of y (canFoldBefore holds): W[:, i] *= s[i], b += W t; they then read x. */
function foldBefore(g: Graph, y: string, st: ScaleShift, names: NameAllocator): void {
  for (const r of readersOf(g, y)) {
    const Wt = g.initializers.get(r.inputs[1])!;
    const W = floats(Wt)!;
    const out = Wt.shape[0], f = st.s.length, per = W.length / (out * f);
    const b = r.inputs[2] ? floats(g.initializers.get(r.inputs[2]))! : new Float64Array(out);
    for (let o = 0; o < out; o++) {
      for (let i = 0; i < f; i++) {
        for (let k = 0; k < per; k++) {
          const j = (o * f + i) * per + k;
          b[o] += W[j] * st.t[i];
          W[j] *= st.s[i];
        }
      }
    }
    setWeights(g, names, r, st.x, Wt.dtype, Wt.shape, W, b);
  }
}

/** A per-channel s x + t on [N, C, ...] read only by a Flatten/Reshape to [N, C * S]: the same op per feature after
 *  the reshape (each channel's s and t repeated S times), or undefined. */
function throughFlatten(g: Graph, y: string, st: ScaleShift, shapes: ReturnType<typeof valueShapes>): { r: Node; st: ScaleShift } | undefined {
  const readers = readersOf(g, y);
  const xs = shapes.get(st.x)?.shape;
  if (readers.length !== 1 || isGraphOutput(g, y) || !xs || xs.length < 3) return undefined;
  const r = readers[0];
  const os = shapes.get(r.outputs[0])?.shape;
  if (r.domain !== "" || !["Flatten", "Reshape"].includes(r.op) || r.inputs[0] !== y || os?.length !== 2) return undefined;
  if (r.op === "Flatten" && attrInt(r, "axis", 1) !== 1) return undefined;
  const S = xs.slice(2).reduce<number>((a, d) => a * (typeof d === "number" ? d : NaN), 1);
  if (!Number.isInteger(S) || os[1] !== st.s.length * S) return undefined;
  const rep = (v: Float64Array) => Float64Array.from({ length: v.length * S }, (_, i) => v[Math.floor(i / S)]);
  return { r, st: { x: r.outputs[0], s: rep(st.s), t: rep(st.t) } };
}

/** Push y = s x + t (x = Concat of canonical Gemms, each read only there) into each Gemm's rows; false otherwise. */
function foldAfterConcat(g: Graph, n: Node, st: ScaleShift, producers: Map<string, Node>, names: NameAllocator): boolean {
  const c = producers.get(st.x);
  if (!c || c.op !== "Concat" || c.domain !== "" || readersOf(g, st.x).length !== 1 || isGraphOutput(g, st.x)) return false;
  if (![1, -1].includes(attrInt(c, "axis", 0)) || new Set(c.inputs).size !== c.inputs.length) return false;
  const parts = c.inputs.map((v) => producers.get(v));
  if (parts.some((p, k) => !p || !isCanonicalGemm(g, p) || readersOf(g, c.inputs[k]).length !== 1 || isGraphOutput(g, c.inputs[k]))) return false;
  const widths = parts.map((p) => g.initializers.get(p!.inputs[1])!.shape[0]);
  if (widths.reduce((a, b) => a + b, 0) !== st.s.length) return false;
  let off = 0;
  parts.forEach((p, k) => {
    scaleRows(g, p!, st.s.subarray(off, off + widths[k]), st.t.subarray(off, off + widths[k]), names);
    off += widths[k];
  });
  g.nodes = g.nodes.filter((m) => m !== n);
  renameValue(g, st.x, n.outputs[0]);
  return true;
}

/** Push y = s x + t, x = Flatten(Conv(...)) (each read once), into the Conv's channels when s and t are constant over
 *  each channel's block of features; false otherwise. */
function foldAfterFlattenConv(g: Graph, n: Node, st: ScaleShift, producers: Map<string, Node>, names: NameAllocator): boolean {
  const r = producers.get(st.x);
  if (!r || r.domain !== "" || !["Flatten", "Reshape"].includes(r.op) || readersOf(g, st.x).length !== 1 || isGraphOutput(g, st.x)) return false;
  const conv = producers.get(r.inputs[0]);
  if (!conv || conv.op !== "Conv" || conv.domain !== "" || readersOf(g, r.inputs[0]).length !== 1 || isGraphOutput(g, r.inputs[0])) return false;
  const Wt = g.initializers.get(conv.inputs[1] ?? "");
  const W = floats(Wt);
  const b = conv.inputs[2] ? floats(g.initializers.get(conv.inputs[2])) : Wt && new Float64Array(Wt.shape[0]);
  if (!Wt || !W || !b || st.s.length % Wt.shape[0] !== 0) return false;
  const c = Wt.shape[0], block = st.s.length / c, per = W.length / c;
  for (let o = 0; o < c; o++) {
    for (let i = o * block; i < (o + 1) * block; i++) if (st.s[i] !== st.s[o * block] || st.t[i] !== st.t[o * block]) return false;
  }
  for (let o = 0; o < c; o++) {
    const so = st.s[o * block];
    for (let i = o * per; i < (o + 1) * per; i++) W[i] *= so;
    b[o] = b[o] * so + st.t[o * block];
  }
  setWeights(g, names, conv, conv.inputs[0], Wt.dtype, Wt.shape, W, b);
  g.nodes = g.nodes.filter((m) => m !== n);
  renameValue(g, st.x, n.outputs[0]);
  return true;
}

/** Gemm rows scaled and shifted: W[o, :] *= s[o], b[o] = s[o] b[o] + t[o]. */
function scaleRows(g: Graph, p: Node, s: Float64Array, t: Float64Array, names: NameAllocator): void {
  const Wt = g.initializers.get(p.inputs[1])!;
  const W = floats(Wt)!;
  const b = floats(g.initializers.get(p.inputs[2]))!;
  const [out, inF] = Wt.shape;
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inF; i++) W[o * inF + i] *= s[o];
    b[o] = b[o] * s[o] + t[o];
  }
  setWeights(g, names, p, p.inputs[0], Wt.dtype, Wt.shape, W, b);
}

/** Fold y = s x + t into the canonical Gemm computing x when y is x's only reader; false otherwise. */
function foldAfter(g: Graph, n: Node, st: ScaleShift, producers: Map<string, Node>, names: NameAllocator): boolean {
  const p = producers.get(st.x);
  if (!p || !isCanonicalGemm(g, p) || readersOf(g, st.x).length !== 1 || isGraphOutput(g, st.x)) return false;
  if (g.initializers.get(p.inputs[1])!.shape[0] !== st.s.length) return false;
  scaleRows(g, p, st.s, st.t, names);
  g.nodes = g.nodes.filter((m) => m !== n);
  renameValue(g, st.x, n.outputs[0]);
  return true;
}

/** Fold elementwise affine ops with constants into the affine layers beside them; see the file comment. */
export const foldElementwiseAffine: Pass<Model, Model> = {
  name: "fold-elementwise-affine",
  doc: "fold Add/Sub/Mul/Div of a constant into the Gemm or Conv beside it, or rewrite it as a diagonal Gemm at the graph's input or output (exact up to float rounding)",
  run(input) {
    const model = cloneModel(input);
    const g = model.graph;
    const shapes = valueShapes(model);
    const names = new NameAllocator(g);
    const inputs = new Set(g.inputs.map((v) => v.name));
    const details: string[] = [];
    const counts = { after: 0, before: 0, diagonal: 0 };
    // Features (rank 2) or channels (rank >= 3): axis 1 either way.
    const width = (x: string): number | undefined => {
      const d = shapes.get(x)?.shape?.[1];
      return typeof d === "number" ? d : undefined;
    };
    // Three sweeps: folds into the Gemm before, in graph order (y * s + t: the Mul first); folds into the layers after,
    // in reverse order ((x - m) / s: the Div first, then the Sub reaches the Gemm); what is left, as diagonal Gemms
    // (where an op after one folds into it).
    type Move = "after" | "before" | "diagonal";
    const sweep = (nodes: Node[], moves: readonly Move[]) => {
      for (const n of nodes) {
        if (!g.nodes.includes(n)) continue;
        const x0 = n.inputs.find((v) => !g.initializers.has(v)) ?? "";
        const rank = rankOf(shapes, x0);
        const st = scaleShift(g, n, rank, width);
        if (!st || shapes.get(st.x)?.dtype !== shapes.get(n.outputs[0])?.dtype) continue;
        const producers = producerMap(g);
        const flat = moves.includes("before") && rank !== undefined && rank >= 3 ? throughFlatten(g, n.outputs[0], st, shapes) : undefined;
        if (moves.includes("after") && rank === 2 && foldAfter(g, n, st, producers, names)) {
          counts.after++;
          details.push(`${n.op} '${n.name}' folded into Gemm '${producers.get(st.x)!.name}'`);
        } else if (moves.includes("after") && rank === 2 && foldAfterConcat(g, n, st, producers, names)) {
          counts.after++;
          details.push(`${n.op} '${n.name}' folded into the Gemms its Concat '${producers.get(st.x)!.name}' joins`);
        } else if (moves.includes("after") && rank === 2 && foldAfterFlattenConv(g, n, st, producers, names)) {
          counts.after++;
          details.push(`${n.op} '${n.name}' folded into the Conv before its ${producers.get(st.x)!.op}`);
        } else if (moves.includes("before") && canFoldBefore(g, n.outputs[0], st)) {
          foldBefore(g, n.outputs[0], st, names);
          g.nodes = g.nodes.filter((m) => m !== n);
          counts.before++;
          details.push(`${n.op} '${n.name}' folded into the layers reading it`);
        } else if (flat && canFoldBefore(g, flat.r.outputs[0], flat.st)) {
          flat.r.inputs = [st.x, ...flat.r.inputs.slice(1)];
          foldBefore(g, flat.r.outputs[0], { ...flat.st, x: flat.r.outputs[0] }, names);
          g.nodes = g.nodes.filter((m) => m !== n);
          counts.before++;
          details.push(`${n.op} '${n.name}' moved after ${flat.r.op} '${flat.r.name}' and folded into the layers reading it`);
        } else if (moves.includes("diagonal") && rank === 2 && st.s.length <= MAX_DIAGONAL && (inputs.has(st.x) || isGraphOutput(g, n.outputs[0]))) {
          const f = st.s.length;
          const W = new Float64Array(f * f);
          for (let i = 0; i < f; i++) W[i * f + i] = st.s[i];
          const dtype = g.initializers.get(n.inputs.find((v) => g.initializers.has(v))!)!.dtype;
          const gemm: Node = { name: n.name, op: "Gemm", domain: "", inputs: [], outputs: [n.outputs[0]], attrs: { ...CANONICAL_GEMM } };
          setWeights(g, names, gemm, st.x, dtype, [f, f], W, st.t);
          g.nodes[g.nodes.indexOf(n)] = gemm;
          counts.diagonal++;
          details.push(`${n.op} '${n.name}' rewritten as a diagonal Gemm`);
        }
      }
    };
    const order = topoSort(g);
    sweep(order, ["after"]);
    sweep([...order].reverse(), ["before"]);
    sweep(order, ["after", "diagonal"]);
    removeDead(g);
    const parts = [counts.after && `${counts.after} folded into the Gemm before`, counts.before && `${counts.before} into the layers after`, counts.diagonal && `${counts.diagonal} as diagonal Gemm`].filter(Boolean);
    return {
      out: model,
      report: { pass: "fold-elementwise-affine", summary: parts.length ? `elementwise affine ops: ${parts.join(", ")}` : "no elementwise affine op with a constant", details },
    };
  },
};
