// The largest elementwise fragment of one variable with scalar constants (what gelu left) -> pointwise(x, "f(x)").
import type { Node } from "../../graph/graph.ts";
import { FNS, pointwiseDef } from "../ops/pointwise.ts";
import type { GraphView } from "./graph-view.ts";
import { scalarCone } from "./gelu.ts";
import type { SeqPattern } from "./pattern.ts";

const SYM: Record<string, string> = { Add: "+", Sub: "-", Mul: "*", Div: "/", Pow: "^" };
const FN_OF = Object.fromEntries(Object.entries(FNS).map(([k, v]) => [v, k]));

/** The cone as fully parenthesised text over x. */
function text(gv: GraphView, v: string, x: string, nodes: Set<Node>): string | undefined {
  if (v === x) return "x";
  const c = gv.scalar(v);
  if (c !== undefined) return String(Math.fround(c));
  const n = gv.producers.get(v);
  if (!n || !nodes.has(n)) return undefined;
  if (SYM[n.op]) {
    const a = text(gv, n.inputs[0], x, nodes), b = text(gv, n.inputs[1], x, nodes);
    return a && b ? `(${a} ${SYM[n.op]} ${b})` : undefined;
  }
  const a = text(gv, n.inputs[0], x, nodes);
  return a && FN_OF[n.op] ? `${FN_OF[n.op]}(${a})` : undefined;
}

export const pointwisePattern: SeqPattern = {
  name: "pointwise",
  doc: "elementwise ops over one variable and scalar constants -> pointwise(x) printed as its formula",
  at(gv, v) {
    // Only at the top of a fragment: a value whose sole reader extends it is taken with the reader.
    const rs = gv.readers.get(v) ?? [];
    if (rs.length === 1 && gv.uses(v) === 1 && scalarCone(gv, rs[0].outputs[0], 1)?.nodes.includes(gv.producers.get(v)!)) return undefined;
    // The largest cone, else the node alone (x + 0 after a sum of two embeddings: its cone has two variables).
    const n = gv.producers.get(v);
    const lone = n && n.domain === "" && SYM[n.op] && gv.dtype(v) === "float32" && n.inputs.filter((u) => gv.scalar(u) === undefined).length === 1 && !gv.init(n.inputs.find((u) => gv.scalar(u) === undefined))
      ? { nodes: [n], x: n.inputs.find((u) => gv.scalar(u) === undefined)! } : undefined;
    const cone = scalarCone(gv, v, 1) ?? lone;
    if (!cone) return undefined;
    const t = text(gv, v, cone.x, new Set(cone.nodes));
    if (!t) return undefined;
    gv.replace(pointwiseDef, v, [cone.x], { expr: t }, gv.producers.get(v)!.name);
    return `${v}: ${t}`;
  },
};
