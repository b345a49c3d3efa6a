// embed(ids) = table[ids]: one row of a weight table per token id (token, position or segment embeddings).
import type { SeqDef } from "../defs.ts";

export const embedDef: SeqDef = {
  kind: "embed",
  op: "Embed",
  doc: "table[ids]: the table row of each id (token, position or segment embedding)",
  data: 1,
  weights: ["table"],
  expand: (e, [ids, table]) => [e.one("Gather", [table, ids], { axis: { kind: "int", value: 0 } })],
  print: ([ids], _a, w) => `${w.table}[${ids}]`,
};
