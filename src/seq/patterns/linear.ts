// MatMul(x, W) (+ b) over the last axis of a sequence value ([batch, n, ..., in] with a run-time dim) -> x @ W + b.
// Values with static per-sample shapes are left to lower (an affine layer with units).
import { linearDef } from "../ops/linear.ts";
import type { GraphView } from "./graph-view.ts";
import { ordered } from "./graph-view.ts";
import type { SeqPattern } from "./pattern.ts";

function isSequence(gv: GraphView, x: string): boolean {
  const s = gv.shape(x);
  return !!s && s.length >= 3 && s.slice(1).some((d) => typeof d !== "number");
}

function matmulW(gv: GraphView, v: string): { x: string; W: string } | undefined {
  const m = gv.prod(v, "MatMul");
  const W = gv.init(m?.inputs[1]);
  if (!m || !W || W.dtype !== "float32" || W.shape.length !== 2 || !isSequence(gv, m.inputs[0])) return undefined;
  return { x: m.inputs[0], W: m.inputs[1] };
}

export const linearPattern: SeqPattern = {
  name: "linear",
  doc: "MatMul(x, W) + b on a sequence value -> x @ W + b",
  at(gv, v) {
    const add = gv.prod(v, "Add");
    if (add) {
      const [mm, b] = ordered(add, (u) => !!matmulW(gv, u) && gv.uses(u) === 1) ?? [];
      const bias = gv.init(b);
      if (!mm || !b || !bias || bias.dtype !== "float32") return undefined;
      const { x, W } = matmulW(gv, mm)!;
      const out = gv.init(W)!.shape[1];
      if (bias.shape.length !== 1 || bias.shape[0] !== out) return undefined;
      gv.replace(linearDef, v, [x, W, b], {}, add.name);
      return `${v}: linear ${gv.init(W)!.shape.join(" -> ")} with bias`;
    }
    const m = matmulW(gv, v);
    if (!m) return undefined;
    // A MatMul whose only reader adds a bias is taken with the Add (at the Add's value).
    const r = gv.readers.get(v) ?? [];
    if (r.length === 1 && r[0].op === "Add" && r[0].inputs.some((u) => gv.init(u)?.shape.length === 1)) return undefined;
    gv.replace(linearDef, v, [m.x, m.W, ""], {}, gv.prod(v)!.name);
    return `${v}: linear ${gv.init(m.W)!.shape.join(" -> ")}`;
  },
};
