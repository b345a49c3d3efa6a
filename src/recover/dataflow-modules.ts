// Modules as sub-computations of the dataflow, over the weight graph of an MLP chain (module-graph.ts):
//   * first-layer units that share input entries compute from one stream: connected components of the
//     bipartite graph inputs-units are modules (reading disjoint inputs, they are independent computations);
//   * a later unit that reads one module only continues it (it is that module's next step, or carries its value on);
//   * units that read several modules are where streams meet: they start a new module, one per set of modules read.
// Exact connected components are the special case where no streams ever meet (side-by-side modules).
import type { WeightGraph } from "./module-graph.ts";

export interface DataflowModules {
  /** Module of each graph node (-1 for inputs and output units, which belong to no module). */
  labels: Int32Array;
  count: number;
  /** Per module: the modules (or -1 for the Net input) its first layer reads. */
  sources: number[][];
}

/** Partition the hidden units of a weight graph into dataflow modules. */
export function dataflowModules(g: WeightGraph): DataflowModules {
  const n = g.nodes.length;
  const labels = new Int32Array(n).fill(-1);
  const sources: number[][] = [];
  const layerIndex = new Map(g.layers.map((id, k) => [id, k]));
  const nbrs = (i: number) => {
    const out: number[] = [];
    for (let p = g.adj.rowStart[i]; p < g.adj.rowStart[i + 1]; p++) out.push(g.adj.col[p]);
    return out;
  };
  const isInput = (i: number) => !layerIndex.has(g.nodes[i].layer);
  const before = (i: number, j: number) => (isInput(j) ? true : (layerIndex.get(g.nodes[j].layer)! < layerIndex.get(g.nodes[i].layer)!));
  // Hidden nodes, layer by layer.
  const hiddenByLayer = g.layers.map((id) => [...Array(n).keys()].filter((i) => g.nodes[i].layer === id && g.nodes[i].hidden));
  let count = 0;
  hiddenByLayer.forEach((units) => {
    // Units reading the Net input only: components through shared inputs.
    const parent = new Map<number, number>();
    const find = (x: number): number => { while (parent.get(x) !== x) x = parent.get(x)!; return x; };
    const groupKey = new Map<number, string>();
    for (const u of units) {
      const ins = nbrs(u).filter((j) => before(u, j));
      const mods = [...new Set(ins.filter((j) => !isInput(j)).map((j) => labels[j]).filter((m) => m >= 0))].sort((a, b) => a - b);
      const fromInput = ins.some(isInput);
      if (!fromInput && mods.length === 1) labels[u] = mods[0];
      else if (!fromInput && mods.length === 0) groupKey.set(u, "none");
      else if (fromInput && mods.length === 0) {
        parent.set(u, u);
        for (const j of ins) { if (!parent.has(j)) parent.set(j, j); parent.set(find(u), find(j)); }
      } else groupKey.set(u, `${fromInput ? "x," : ""}${mods.join(",")}`);
    }
    const fresh = new Map<string, number>();
    for (const u of units) {
      if (labels[u] >= 0) continue;
      const key = parent.has(u) ? `in${find(u)}` : groupKey.get(u)!;
      if (!fresh.has(key)) {
        fresh.set(key, count++);
        const srcs = key.startsWith("in") ? [-1] : key === "none" ? [] : key.split(",").map((s) => (s === "x" ? -1 : Number(s)));
        sources.push(srcs);
      }
      labels[u] = fresh.get(key)!;
    }
  });
  return { labels, count, sources };
}
