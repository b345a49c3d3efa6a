// Position ids after a KV cache: Range(p, p + n) (and reshapes) with p a dim of the cache and n the sequence length
// of the ids -> positions(ids, after=dim(past, k)). The exporters' shape plumbing varies, so the fragment is run for
// cache lengths p in {0, 1, 3, 6} (and n in {1, 2, 3} when the length is not fixed) and must give p, ..., p+n-1.
import type { Graph, Node } from "../../graph/graph.ts";
import { f32, tensor, type Tensor } from "../../graph/tensor.ts";
import { nodeReads } from "../../graph/passes/edit.ts";
import { runGraph } from "../../run/interp.ts";
import { positionsDef } from "../ops/plumbing.ts";
import type { GraphView } from "./graph-view.ts";
import type { SeqPattern } from "./pattern.ts";

/** The standard nodes computing v, stopping at Shape nodes (their inputs are read for their dims only). */
function shapeFragment(gv: GraphView, v: string): { nodes: Node[]; leaves: string[] } | undefined {
  const nodes = new Set<Node>();
  const leaves = new Set<string>();
  const todo = [v];
  while (todo.length) {
    const u = todo.pop()!;
    if (!u || gv.init(u)) continue;
    const n = gv.producers.get(u);
    if (!n || n.domain !== "" || nodes.size > 40) return undefined;
    if (nodes.has(n)) continue;
    nodes.add(n);
    if (n.op === "Shape") leaves.add(n.inputs[0]);
    else todo.push(...nodeReads(n));
  }
  return { nodes: [...nodes], leaves: [...leaves] };
}

export const positionsCachePattern: SeqPattern = {
  name: "positions_cache",
  doc: "Range(p, p + n) from a cache length p and the ids' length n -> positions(ids, after=dim(past, k)) (checked on several p, n)",
  at(gv, v) {
    const n0 = gv.producers.get(v);
    if (!n0 || n0.domain !== "" || !/int/.test(gv.dtype(v) ?? "")) return undefined;
    const fr = shapeFragment(gv, v);
    if (!fr || !fr.nodes.some((n) => n.op === "Range") || fr.leaves.length !== 2) return undefined;
    const ids = fr.leaves.find((u) => gv.shape(u)?.length === 2 && /int/.test(gv.dtype(u) ?? ""));
    const past = fr.leaves.find((u) => u !== ids);
    const ps = past ? gv.shape(past) : null, xs = ids ? gv.shape(ids) : null;
    if (!ids || !past || !ps || !xs) return undefined;
    const free = ps.map((d, i) => (i > 0 && typeof d !== "number" ? i : -1)).filter((i) => i > 0);
    if (free.length !== 1) return undefined;
    const k = free[0];
    const g: Graph = {
      name: "positions", nodes: fr.nodes, initializers: gv.g.initializers, valueInfo: [],
      inputs: [ids, past].map((name) => ({ name, dtype: gv.dtype(name) as never, shape: null })), outputs: [{ name: v, dtype: "int64", shape: null }],
    };
    const lens = typeof xs[1] === "number" ? [xs[1]] : [1, 2, 3];
    for (const p of [0, 1, 3, 6]) {
      for (const n of lens) {
        const pd = ps.map((d, i) => (i === k ? p : typeof d === "number" ? d : 1));
        const feeds: Record<string, Tensor> = {
          [ids]: tensor(gv.dtype(ids) as never, [1, n], new Array(n).fill(0)),
          [past]: f32(pd, new Float32Array(pd.reduce((a, d) => a * d, 1))),
        };
        let y: Tensor;
        try {
          y = runGraph(g, gv.model.opset, feeds, { outputs: [v] })[v];
        } catch {
          return undefined;
        }
        const got = Array.from(y.data as ArrayLike<number>, Number);
        if (y.shape.join() !== [1, n].join() || got.some((x, i) => x !== p + i)) return undefined;
      }
    }
    gv.replace(positionsDef, v, [ids, past], { axis: 1, expand: 0, past_axis: k }, n0.name);
    return `${v}: positions after the cache length (dim ${k} of ${past})`;
  },
};
