// Split(x, axis, sizes) -> one slice(x, axis, start, end) per output read; Squeeze(Split part of size 1) -> x[i].
// (A fused QKV projection split into queries, keys and values; a KV cache split into keys and values.)
import type { Node } from "../../graph/graph.ts";
import { sliceDef } from "../ops/slice.ts";
import type { GraphView } from "./graph-view.ts";
import type { SeqPattern } from "./pattern.ts";

/** The split sizes of a Split node (attribute before opset 13, input after), when constant. */
function sizes(gv: GraphView, n: Node, dim: number | undefined): number[] | undefined {
  if (n.attrs.split?.kind === "ints") return n.attrs.split.value;
  const t = gv.init(n.inputs[1]);
  if (t) return Array.from(t.data as ArrayLike<number>, Number);
  if (typeof dim === "number" && dim % n.outputs.length === 0) return n.outputs.map(() => dim / n.outputs.length);
  return undefined;
}

export const slicePattern: SeqPattern = {
  name: "slice",
  doc: "Split(x, axis) output k -> x[..., start_k:end_k] (and Squeeze of a size-1 part -> x[i])",
  at(gv, v) {
    const sq = gv.prod(v, "Squeeze");
    const n = gv.prod(sq ? sq.inputs[0] : v, "Split");
    if (!n) return undefined;
    // A part read only by a Squeeze of its axis is taken at the Squeeze.
    const rs = gv.readers.get(v) ?? [];
    if (!sq && rs.length === 1 && rs[0].op === "Squeeze" && gv.uses(v) === 1) return undefined;
    const part = sq ? sq.inputs[0] : v;
    const k = n.outputs.indexOf(part);
    const shape = gv.shape(n.inputs[0]);
    if (k < 0 || !shape) return undefined;
    let axis = n.attrs.axis?.kind === "int" ? n.attrs.axis.value : 0;
    if (axis < 0) axis += shape.length;
    const sz = sizes(gv, n, shape[axis] as number | undefined);
    if (!sz || sz.length !== n.outputs.length) return undefined;
    const start = sz.slice(0, k).reduce((a, b) => a + b, 0);
    let squeeze = 0;
    if (sq) {
      const axes = sq.attrs.axes?.kind === "ints" ? sq.attrs.axes.value : gv.init(sq.inputs[1]) ? Array.from(gv.init(sq.inputs[1])!.data as ArrayLike<number>, Number) : undefined;
      if (!axes || axes.length !== 1 || ((axes[0] + shape.length) % shape.length) !== axis || sz[k] !== 1 || gv.uses(part) !== 1) return undefined;
      squeeze = 1;
    }
    gv.replace(sliceDef, v, [n.inputs[0]], { axis, start, end: start + sz[k], squeeze }, `${n.name}_${k}`);
    return `${v}: part ${k} of a split along axis ${axis} (${start}:${start + sz[k]})`;
  },
};
