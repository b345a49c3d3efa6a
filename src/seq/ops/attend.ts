// attend(q, kT, v, mask) = softmax(q @ kT * scale [masked]) @ v for every head at once: q [b, H, n, d],
// kT [b, H, d, m], v [b, H, m, dv]. The mask, when given, is applied the way the exporter wrote it:
//   add:   s + mask                        (mask holds 0 or a large negative number: BERT)
//   fill:  s * mask - (1 - mask) * fill    (mask holds 1 to keep, 0 to drop: Megatron)
//   where: where(mask, s, fill)            (boolean mask, true = keep: GPT-2's causal bias)
//   where_fill: where(mask, fill, s)       (boolean mask, true = drop: masked_fill)
import type { SeqDef } from "../defs.ts";
import { f32 } from "../../graph/tensor.ts";

export const attendDef: SeqDef = {
  kind: "attend",
  op: "Attend",
  doc: "softmax(q @ kT * scale, masked) @ v per head: each query's weighted mean of the values",
  data: 4,
  weights: [],
  expand(e, [q, kT, v, mask], a) {
    const c = (x: number) => e.constant(f32([], [x]));
    let s = e.one("MatMul", [q, kT]);
    if (a.scale !== 1) s = e.one("Mul", [s, c(a.scale as number)]);
    if (mask && a.mask === "add") s = e.one("Add", [s, mask]);
    else if (mask && a.mask === "fill") s = e.one("Sub", [e.one("Mul", [s, mask]), e.one("Mul", [e.one("Sub", [c(1), mask]), c(a.fill as number)])]);
    else if (mask && a.mask === "where") s = e.one("Where", [mask, s, c(a.fill as number)]);
    else if (mask && a.mask === "where_fill") s = e.one("Where", [mask, c(a.fill as number), s]);
    const p = e.one("Softmax", [s], { axis: { kind: "int", value: 3 } });
    return [e.one("MatMul", [p, v])];
  },
  print([q, kT, v, mask], a) {
    const m = !mask || a.mask === "none" ? "" : a.mask === "add" ? `, mask=${mask}` : `, mask=${mask} (${a.mask} ${a.fill})`;
    return `attend(${q}, ${kT}, ${v}, scale=${+(a.scale as number).toPrecision(6)}${m})`;
  },
};
