// Transpose(x, perm) -> transpose(x, perm); Cast(x, to) -> dtype(x); Slice(x, const start, const end, one axis) ->
// x[start:end]; ConstantOfShape(Concat(consts and dims of x), 0) -> zeros(...); Unsqueeze(Range(0, dim(x, 1), 1), 0)
// -> positions(x). Run last: what the blocks before did not absorb.
import { castDef, positionsDef, transposeDef, zerosDef } from "../ops/plumbing.ts";
import { sliceDef } from "../ops/slice.ts";
import type { GraphView } from "./graph-view.ts";
import type { SeqPattern } from "./pattern.ts";
import { shapeValue } from "./shape-value.ts";
import { floats } from "../../graph/passes/consts.ts";

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

export const plumbingPattern: SeqPattern = {
  name: "plumbing",
  doc: "Transpose -> transpose, Cast -> dtype(x), constant Slice on one axis -> x[a:b], ConstantOfShape(dims) -> zeros, Range over a length -> positions",
  at(gv, v) {
    const n = gv.prod(v, "Transpose", "Cast", "Slice", "ConstantOfShape", "Unsqueeze", "Expand");
    if (!n || n.outputs.length !== 1 || gv.init(n.inputs[0])) return undefined;
    const rank = gv.shape(n.inputs[0])?.length;
    switch (n.op) {
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
        if (!starts || !ends || starts.length !== 1 || (steps && steps[0] !== 1) || !rank) return undefined;
        let axis = axes ? axes[0] : 0;
        if (axis < 0) axis += rank;
        const end = Math.min(ends[0], 2 ** 31 - 1);
        if (starts[0] < 0 || end < 0) return undefined;
        gv.replace(sliceDef, v, [n.inputs[0]], { axis, start: starts[0], end, squeeze: 0 }, n.name);
        return `${v}: slice ${starts[0]}:${end} on axis ${axis}`;
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
        // positions: Unsqueeze(Range(0, n, 1), 0) [Expand to Shape(x)] with n = dim 1 of x
        const ex = n.op === "Expand" ? n : undefined;
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
