// Transpose(x, perm) -> transpose(x, perm); Cast(x, to) -> dtype(x); Slice(x, const start, const end, one axis) ->
// x[start:end]; ConstantOfShape(Concat(consts and dims of x), 0) -> zeros(...); Unsqueeze(Range(0, dim(x, 1), 1), 0)
// -> positions(x). Run last: what the blocks before did not absorb.
import { addWeightDef, castDef, concatDef, notDef, positionsDef, squeezeDef, transposeDef, unsqueezeDef, zerosDef } from "../ops/plumbing.ts";
import { sliceDef } from "../ops/slice.ts";
import type { GraphView } from "./graph-view.ts";
import type { SeqPattern } from "./pattern.ts";
import { shapeValue } from "./shape-value.ts";
import { floats } from "../../graph/passes/consts.ts";
import { bypassNode } from "../../graph/passes/edit.ts";

const ints = (gv: GraphView, v: string | undefined) => {
  const t = gv.init(v);
  return t && t.dtype !== "string" && t.dtype !== "float32" ? Array.from(t.data as ArrayLike<number>, Number) : undefined;
};

/** Which dim of which value a shape entry copies: follows Shape/Gather plumbing back to Shape(x)[k]. */
function dimSource(gv: GraphView, v: string): { x: string; k: number } | undefined {
  let n = gv.prod(v);
  while (n && (n.op === "Unsqueeze" || n.op === "Cast" || n.op === "Squeeze")) n = gv.prod(n.inputs[0]);
  if (!n || n.op !== "Gather") return undefined;
  const sh = gv.prod(n.inputs[0], "Shape");
  const idx = ints(gv, n.inputs[1]);
  if (!sh || !idx || idx.length !== 1 || sh.attrs.start || sh.attrs.end) return undefined;
  const rank = gv.shape(sh.inputs[0])?.length ?? 0;
  return { x: sh.inputs[0], k: idx[0] < 0 ? idx[0] + rank : idx[0] };
}

/** Slice(C, 0, k) of a constant row C = [[0, 1, ..., L-1]] (int): C's name. */
function arangeSlice(gv: GraphView, v: string): string | undefined {
  const s = gv.prod(v, "Slice");
  const c = s && gv.init(s.inputs[0]);
  const starts = s && ints(gv, s.inputs[1]);
  if (!s || !c || c.dtype === "float32" || c.shape.length !== 2 || c.shape[0] !== 1 || !starts?.every((x) => x === 0)) return undefined;
  if (s.inputs[4] && !ints(gv, s.inputs[4])?.every((x) => x === 1)) return undefined;
  const d = Array.from(c.data as ArrayLike<number>, Number);
  return d.every((x, i) => x === i) ? s.inputs[0] : undefined;
}

export const plumbingPattern: SeqPattern = {
  name: "plumbing",
  doc: "Transpose -> transpose, Cast -> dtype(x), constant Slice on one axis -> x[a:b], ConstantOfShape(dims) -> zeros, Range over a length -> positions",
  at(gv, v) {
    const n = gv.prod(v, "Transpose", "Cast", "Slice", "ConstantOfShape", "Unsqueeze", "Expand", "Gather", "Squeeze", "Add", "Concat", "Not");
    // Shape arithmetic (Reshape targets, lengths) stays plumbing: only values the model computes on are named.
    if (!n || n.outputs.length !== 1 || gv.init(n.inputs[0]) || (n.op !== "ConstantOfShape" && shapeValue(gv, n.inputs[0]))) return undefined;
    const rank = gv.shape(n.inputs[0])?.length;
    switch (n.op) {
      case "Not": {
        if (gv.dtype(n.inputs[0]) !== "bool") return undefined;
        gv.replace(notDef, v, [n.inputs[0]], {}, n.name);
        return `${v}: not`;
      }
      case "Concat": {
        // Concat of computed float values (not shape arithmetic), at most 8 parts
        if (n.inputs.length > 8 || n.inputs.some((u) => gv.init(u) || gv.dtype(u) !== "float32") || !rank) return undefined;
        let axis = n.attrs.axis?.kind === "int" ? n.attrs.axis.value : 0;
        if (axis < 0) axis += rank;
        // Values with static per-sample shapes joined after the batch axis are lower's (a Net concat layer).
        const dims = gv.shape(v);
        if (axis >= 1 && dims && typeof dims[0] !== "number" && dims.slice(1).every((d) => typeof d === "number")) return undefined;
        gv.replace(concatDef, v, [...n.inputs, ...Array(8 - n.inputs.length).fill("")], { axis }, n.name);
        return `${v}: concat of ${n.inputs.length} along axis ${axis}`;
      }
      case "Add": {
        // x + C, C a constant float tensor that is not a scalar (scalars are pointwise formulas)
        const [x, c] = gv.init(n.inputs[1]) ? [n.inputs[0], n.inputs[1]] : [n.inputs[1], n.inputs[0]];
        const t = gv.init(c);
        if (!t || gv.init(x) || t.dtype !== "float32" || gv.dtype(x) !== "float32" || t.shape.reduce((p, d) => p * d, 1) <= 1) return undefined;
        gv.replace(addWeightDef, v, [x, c], {}, n.name);
        return `${v}: plus the constant ${c} [${t.shape.join(", ")}]`;
      }
      case "Squeeze": {
        const ax = n.attrs.axes?.kind === "ints" ? n.attrs.axes.value : ints(gv, n.inputs[1]);
        if (!ax || !rank || rank < 2 || shapeValue(gv, n.inputs[0])) return undefined;
        const axes = ax.map((a) => (a < 0 ? a + rank : a));
        if (axes.some((a) => a < 1 || gv.shape(n.inputs[0])![a] !== 1)) return undefined;
        gv.replace(squeezeDef, v, [n.inputs[0]], { axes }, n.name);
        return `${v}: squeeze ${axes.join(",")}`;
      }
      case "Gather": {
        // x[:, i] with a constant index: the first token's vector (BERT's pooler reads [CLS])
        const idx = ints(gv, n.inputs[1]);
        const t = gv.init(n.inputs[1]);
        let axis = n.attrs.axis?.kind === "int" ? n.attrs.axis.value : 0;
        if (!idx || !t || t.shape.length !== 0 || !rank || gv.dtype(n.inputs[0]) !== "float32") return undefined;
        if (axis < 0) axis += rank;
        const dim = gv.shape(n.inputs[0])![axis];
        const i = idx[0] < 0 ? (typeof dim === "number" ? idx[0] + dim : -1) : idx[0];
        // Axis 0 is the batch unless its size is a number (a KV cache stacks keys and values on axis 0).
        if ((axis < 1 && typeof dim !== "number") || i < 0) return undefined;
        gv.replace(sliceDef, v, [n.inputs[0]], { axis, start: i, end: i + 1, squeeze: 1 }, n.name);
        return `${v}: element ${i} of axis ${axis}`;
      }
      case "Transpose": {
        const perm = n.attrs.perm?.kind === "ints" ? n.attrs.perm.value : rank ? [...Array(rank).keys()].reverse() : undefined;
        if (!perm) return undefined;
        gv.replace(transposeDef, v, [n.inputs[0]], { perm }, n.name);
        return `${v}: transpose ${perm.join(",")}`;
      }
      case "Cast": {
        const to = n.attrs.to?.kind === "int" ? n.attrs.to.value : undefined;
        if (to === undefined || gv.prod(n.inputs[0], "Shape") || !gv.shape(n.inputs[0])) return undefined;
        gv.replace(castDef, v, [n.inputs[0]], { to }, n.name);
        return `${v}: cast to ${to}`;
      }
      case "Slice": {
        const [starts, ends, axes, steps] = [1, 2, 3, 4].map((i) => ints(gv, n.inputs[i]));
        const shape = gv.shape(n.inputs[0]);
        // A slice that keeps every entry is the identity (keras2onnx crops a mask that way): bypassed.
        const whole = (i: number) => {
          const ax = axes ? axes[i] : i;
          const d = shape?.[ax < 0 ? ax + (rank ?? 0) : ax];
          return starts![i] === 0 && (!steps || steps[i] === 1) && (ends![i] >= 2 ** 31 - 1 || (typeof d === "number" && ends![i] >= d));
        };
        if (starts && ends && starts.every((_, i) => whole(i)) && bypassNode(gv.g, n)) return `${v}: a slice that keeps everything, removed`;
        if (!starts || !ends || starts.length !== 1 || (steps && steps[0] !== 1) || !rank) return undefined;
        let axis = axes ? axes[0] : 0;
        if (axis < 0) axis += rank;
        // Negative bounds count from the end: resolved when that dim is a number.
        const dim = shape?.[axis];
        const at = (x: number) => (x < 0 && typeof dim === "number" ? Math.max(0, x + dim) : Math.min(x, 2 ** 31 - 1));
        const start = at(starts[0]), end = at(ends[0]);
        if (start < 0 || end < 0) return undefined;
        if (start === 0 && typeof dim === "number" && end >= dim && axes?.length === 1 && bypassNode(gv.g, n)) return `${v}: a slice that keeps everything, removed`;
        gv.replace(sliceDef, v, [n.inputs[0]], { axis, start, end, squeeze: 0 }, n.name);
        return `${v}: slice ${start}:${end} on axis ${axis}`;
      }
      case "ConstantOfShape": {
        const val = n.attrs.value?.kind === "tensor" ? floats(n.attrs.value.value) : new Float64Array(1);
        const cat = gv.prod(n.inputs[0], "Concat");
        if (!val || val.length !== 1 || val[0] !== 0 || (n.attrs.value?.kind === "tensor" && n.attrs.value.value.dtype !== "float32") || !cat) return undefined;
        let src: string | undefined;
        const dims: number[] = [];
        for (const u of cat.inputs) {
          const c = ints(gv, u);
          if (c) { dims.push(...c); continue; }
          const d = dimSource(gv, u);
          if (!d || (src && src !== d.x)) return undefined;
          src = d.x;
          dims.push(-1 - d.k);
        }
        if (!src) return undefined;
        gv.replace(zerosDef, v, [src], { dims }, n.name);
        return `${v}: zeros [${dims.join(", ")}]`;
      }
      case "Unsqueeze": case "Expand": {
        const ax = n.op === "Unsqueeze" ? (n.attrs.axes?.kind === "ints" ? n.attrs.axes.value : ints(gv, n.inputs[1])) : undefined;
        if (ax && !gv.prod(n.inputs[0], "Range") && ax.every((a) => a >= 0) && [...ax].sort((p, q) => p - q).join() === ax.join() && rank !== undefined && rank >= 1 && !shapeValue(gv, n.inputs[0])) {
          gv.replace(unsqueezeDef, v, [n.inputs[0]], { axes: ax }, n.name);
          return `${v}: unsqueeze ${ax.join(",")}`;
        }
        // positions: Unsqueeze(Range(0, n, 1), 0) [Expand to Shape(x)] with n = dim 1 of x
        const ex = n.op === "Expand" ? n : undefined;
        const table = ex && arangeSlice(gv, ex.inputs[0]);
        const target = ex && gv.prod(ex.inputs[1], "Shape");
        if (ex && table && target && gv.shape(target.inputs[0])?.length === 2) {
          // Expand(C[:, 0:k], Shape(x)) with C = [[0, 1, ..., L-1]]: Expand only succeeds when k = n (or 1 = n),
          // so wherever the model runs this is 0..n-1 in every row.
          gv.replace(positionsDef, v, [target.inputs[0]], { axis: 1, expand: 1 }, n.name);
          return `${v}: positions (a slice of the constant ${table} broadcast to the ids)`;
        }
        const un = ex ? gv.prod(ex.inputs[0], "Unsqueeze") : n;
        const axes = un ? (un.attrs.axes?.kind === "ints" ? un.attrs.axes.value : ints(gv, un.inputs[1])) : undefined;
        const range = un && gv.prod(un.inputs[0], "Range");
        if (!un || !range || axes?.join() !== "0" || gv.scalar(range.inputs[0]) !== 0 && ints(gv, range.inputs[0])?.[0] !== 0) return undefined;
        if ((ints(gv, range.inputs[2])?.[0] ?? gv.scalar(range.inputs[2])) !== 1) return undefined;
        const len = dimSource(gv, range.inputs[1]);
        if (!len) return undefined;
        if (ex) {
          const sv = shapeValue(gv, ex.inputs[1]);
          const xs = gv.shape(len.x);
          if (!sv || !xs || sv.length !== xs.length || sv.some((d, i) => d !== xs[i] || d === null)) return undefined;
        }
        gv.replace(positionsDef, v, [len.x], { axis: len.k, expand: ex ? 1 : 0 }, n.name);
        return `${v}: positions along axis ${len.k}`;
      }
    }
    return undefined;
  },
};
