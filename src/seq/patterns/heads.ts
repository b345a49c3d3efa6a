// Transpose(Reshape(x, [b, n, H, d]), [0,2,1,3]) -> split_heads(x, H)   (perm [0,2,3,1]: the keys, transposed)
// Reshape(Transpose(a, [0,2,1,3]), [b, n, H*d]) -> merge_heads(a)
// The reshape targets are whatever the exporter computed (constants, or Shape/Gather/Concat plumbing): shape
// inference must show the batch and sequence dims unchanged and the features split as H x d (or merged back).
import type { Dim } from "../../graph/graph.ts";
import { mergeHeadsDef, splitHeadsDef } from "../ops/heads.ts";
import type { GraphView } from "./graph-view.ts";
import type { SeqPattern } from "./pattern.ts";
import { reshapeDims, shapeValue } from "./shape-value.ts";

/** The dims of a Reshape's output: inferred, or followed through the exporter's shape plumbing. */
function dimsAfterReshape(gv: GraphView, v: string): Dim[] | null {
  const s = gv.shape(v);
  if (s && s.every((d) => d !== null)) return s;
  const r = gv.prod(v, "Reshape");
  const x = r && gv.shape(r.inputs[0]);
  const target = r && shapeValue(gv, r.inputs[1]);
  return (x && target && reshapeDims(x, target)) ?? s;
}

const same = (a: Dim | undefined, b: Dim | undefined) => a !== null && a !== undefined && a === b;

function permOf(gv: GraphView, v: string): number[] | undefined {
  const t = gv.prod(v, "Transpose");
  return t?.attrs.perm?.kind === "ints" ? t.attrs.perm.value : undefined;
}

export const splitHeadsPattern: SeqPattern = {
  name: "split_heads",
  doc: "Transpose(Reshape(x, [b, n, H, d]), [0,2,1,3]) -> split_heads(x, H)",
  at(gv, v) {
    const perm = permOf(gv, v)?.join();
    if (perm !== "0,2,1,3" && perm !== "0,2,3,1") return undefined;
    const t = gv.prod(v, "Transpose")!;
    const r = gv.prod(t.inputs[0], "Reshape");
    if (!r || gv.dataUses(t.inputs[0]) !== 1) return undefined;
    const x = r.inputs[0];
    const xs = gv.shape(x), ys = dimsAfterReshape(gv, t.inputs[0]);
    if (!xs || !ys || xs.length !== 3 || ys.length !== 4) return undefined;
    const [H, d] = [ys[2], ys[3]];
    if (typeof H !== "number" || typeof d !== "number" || xs[2] !== H * d || !same(xs[0], ys[0]) || !same(xs[1], ys[1])) return undefined;
    gv.replace(splitHeadsDef, v, [x], perm === "0,2,3,1" ? { heads: H, kT: 1 } : { heads: H }, t.name);
    return `${v}: ${H} heads of ${d}${perm === "0,2,3,1" ? " (transposed)" : ""}`;
  },
};

export const mergeHeadsPattern: SeqPattern = {
  name: "merge_heads",
  doc: "Reshape(Transpose(a, [0,2,1,3]), [b, n, H*d]) -> merge_heads(a)",
  at(gv, v) {
    const r = gv.prod(v, "Reshape");
    if (!r || permOf(gv, r.inputs[0])?.join() !== "0,2,1,3" || gv.dataUses(r.inputs[0]) !== 1) return undefined;
    const a = gv.prod(r.inputs[0])!.inputs[0];
    const as = gv.shape(a), ys = dimsAfterReshape(gv, v);
    if (!as || !ys || as.length !== 4 || ys.length !== 3) return undefined;
    const [H, d] = [as[1], as[3]];
    if (typeof H !== "number" || typeof d !== "number" || ys[2] !== H * d || !same(as[0], ys[0]) || !same(as[2], ys[1])) return undefined;
    gv.replace(mergeHeadsDef, v, [a], {}, r.name);
    return `${v}: ${H} heads of ${d} merged`;
  },
};
