// mask_window(M, q, kT) = M[..., m-n:m, 0:m] with n = the number of queries (q's dim 2) and m the number of keys
// (kT's dim 3): the rows of a causal mask (a constant lower-triangular table, or a mask the caller passes) that the
// current queries see, past keys included. GPT-2 exporters compute it from the scores' shape.
import type { SeqDef } from "../defs.ts";
import { tensor } from "../../graph/tensor.ts";

export const maskWindowDef: SeqDef = {
  kind: "mask_window",
  op: "MaskWindow",
  doc: "M[:, :, m-n:m, :m]: the mask rows of the n queries over the m keys",
  data: 3,
  weights: ["table"],
  expand(e, [m0, q, kT, table], a) {
    const M = m0 || (a.cast_to ? e.one("Cast", [table], { to: { kind: "int", value: a.cast_to as number } }) : table);
    const c = (v: number) => e.constant(tensor("int64", [1], [v]));
    const n = e.one("Slice", [e.one("Shape", [q]), c(2), c(3)]);
    const m = e.one("Slice", [e.one("Shape", [kT]), c(3), c(4)]);
    const rows = e.one("Slice", [M, e.one("Sub", [m, n]), m, c(-2)]);
    return [e.one("Slice", [rows, c(0), m, c(-1)])];
  },
  print: ([m0, q, kT], _a, w) => `mask_window(${m0 || w.table}, queries=${q}, keys=${kT})`,
};
