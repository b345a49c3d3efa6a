// The plumbing that cuts an attention mask to the current window -> mask_window(M, q, kT). Exporters build it from
// Shape/Gather/Sub/Slice of the scores (or of q and kT), in many arrangements, so the pattern is semantic: the
// fragment between the mask table M, q and kT (read only through their shapes) is run for every n <= m <= 6 on a
// random M and must equal M[:, :, m-n:m, :m] each time.
import type { Graph, Node } from "../../graph/graph.ts";
import { f32, type Tensor } from "../../graph/tensor.ts";
import { nodeReads } from "../../graph/passes/edit.ts";
import { runGraph } from "../../run/interp.ts";
import { rng } from "../../util/rng.ts";
import { SEQ_DOMAIN } from "../defs.ts";
import { attendDef } from "../ops/attend.ts";
import { maskWindowDef } from "../ops/mask-window.ts";
import type { GraphView } from "./graph-view.ts";
import type { SeqPattern } from "./pattern.ts";

/** The nodes computing v back to the given stop values and initialisers; undefined when other values feed it. */
function fragmentTo(gv: GraphView, v: string, stops: Set<string>): Node[] | undefined {
  const nodes = new Set<Node>();
  const todo = [v];
  while (todo.length) {
    const u = todo.pop()!;
    if (stops.has(u) || gv.init(u) || !u) continue;
    const n = gv.producers.get(u);
    if (!n && gv.g.inputs.some((i) => i.name === u)) continue;
    if (!n || n.domain !== "" || nodes.size > 60) return undefined;
    if (nodes.has(n)) continue;
    nodes.add(n);
    // A Shape node reads only its input's dims: that input is a leaf of the fragment.
    if (n.op !== "Shape") todo.push(...nodeReads(n));
  }
  return [...nodes];
}

/** Does the fragment compute M[:, :, m-n:m, :m] for every small n <= m (M random, of M's static size)? */
function isWindow(gv: GraphView, nodes: Node[], out: string, M: string, q: string, kT: string, dummies: Map<string, (n: number, m: number) => number[]>): boolean {
  const ms = gv.shape(M);
  if (!ms || ms.length < 2) return false;
  const lead = ms.slice(0, -2).map((d) => (typeof d === "number" ? d : 1));
  const side = ms.slice(-2).map((d) => (typeof d === "number" ? d : 8));
  const r = rng(11);
  const mt = gv.init(M);
  const size = [...lead, ...side].reduce((p, d) => p * d, 1);
  const Mv: Tensor = mt ?? f32([...lead, ...side], Float32Array.from({ length: size }, () => Math.round(r())));
  const [R, C] = Mv.shape.slice(-2);
  const BH = Mv.shape.slice(0, -2).reduce((p, d) => p * d, 1);
  // When shape inference shows the query and key counts are one symbol, only m = n occurs.
  const qs = gv.shape(q), ks = gv.shape(kT);
  const tied = typeof qs?.[2] === "string" && qs[2] === ks?.[3];
  const g: Graph = {
    name: "window", nodes, initializers: gv.g.initializers, valueInfo: [],
    inputs: [M, q, kT, ...dummies.keys()].filter((x) => !gv.init(x)).map((name) => ({ name, dtype: gv.dtype(name) as never, shape: null })),
    outputs: [{ name: out, dtype: gv.dtype(out) as never, shape: null }],
  };
  for (let m = 1; m <= Math.min(6, R, C); m++) {
    for (let n = tied ? m : 1; n <= m; n++) {
      const feeds: Record<string, Tensor> = { [q]: f32([1, 1, n, 1], new Float32Array(n)), [kT]: f32([1, 1, 1, m], new Float32Array(m)) };
      if (!mt) feeds[M] = Mv;
      for (const [u, dims] of dummies) {
        const ds = dims(n, m);
        feeds[u] = f32(ds, new Float32Array(ds.reduce((p, d) => p * d, 1)));
      }
      let y: Tensor;
      try {
        y = runGraph(g, gv.model.opset, feeds, { outputs: [out] })[out];
      } catch {
        return false;
      }
      if (y.shape.join() !== [...Mv.shape.slice(0, -2), n, m].join()) return false;
      const src = Mv.data as ArrayLike<number>, got = y.data as ArrayLike<number>;
      for (let i = 0; i < BH; i++) for (let a = 0; a < n; a++) for (let c = 0; c < m; c++) {
        if (Number(got[(i * n + a) * m + c]) !== Number(src[(i * R + m - n + a) * C + c])) return false;
      }
    }
  }
  return true;
}

export const maskWindowPattern: SeqPattern = {
  name: "mask_window",
  doc: "the slices of a mask table by the query and key counts -> mask_window(M, q, kT) (checked for every n <= m <= 6)",
  at(gv, v) {
    // The mask may reach attend through casts and a Not (masked_fill's ~mask): the window is cut before them.
    let u = v;
    let target: Node | undefined;
    for (let hop = 0; hop < 4 && !target; hop++) {
      const rs = gv.readers.get(u) ?? [];
      target = rs.find((r) => r.domain === SEQ_DOMAIN && r.op === attendDef.op && r.inputs[3] === u);
      const next = rs.length === 1 && (rs[0].op === "Cast" || rs[0].op === "Not" || (rs[0].domain === SEQ_DOMAIN && rs[0].op === "CastTo")) ? rs[0] : undefined;
      if (!next) break;
      u = next.outputs[0];
    }
    if (!target || gv.producers.get(v)?.domain !== "") return undefined;
    const [q, kT] = target.inputs;
    // The table: the one value other than q and kT the fragment reads.
    const all = fragmentTo(gv, v, new Set([q, kT]));
    if (!all) return undefined;
    const leaves = new Set<string>();
    for (const n of all) for (const u of nodeReads(n)) if (!all.some((m) => m.outputs.includes(u)) && u !== q && u !== kT && !(gv.init(u) && gv.init(u)!.shape.length <= 1)) leaves.add(u);
    // Values read only for their shape (the layer's input, for the query count) are fed dummies of matching dims.
    const shapeOnly = [...leaves].filter((u) => all.every((n) => !n.inputs.includes(u) || n.op === "Shape"));
    const data = [...leaves].filter((u) => !shapeOnly.includes(u));
    if (data.length !== 1) return undefined;
    const M = data[0];
    if (gv.dtype(M) === undefined || all.some((n) => n.inputs.includes(q) || n.inputs.includes(kT) ? n.op !== "Shape" : false)) return undefined;
    const qs = gv.shape(q), ks = gv.shape(kT);
    const dummies = new Map<string, (n: number, m: number) => number[]>();
    for (const u of shapeOnly) {
      const s = gv.shape(u);
      if (!s) return undefined;
      const dims = s.map((d, i) => (typeof d === "number" ? () => d : d !== null && d === qs?.[2] ? (n: number) => n : d !== null && d === ks?.[3] ? (_n: number, m: number) => m : i === 0 ? () => 1 : undefined));
      if (dims.some((f) => !f)) return undefined;
      dummies.set(u, (n, m) => dims.map((f) => f!(n, m)));
    }
    if (!isWindow(gv, all, v, M, q, kT, dummies)) return undefined;
    const n = gv.producers.get(v)!;
    // A constant table becomes a float32 weight; a bool or int one is cast back in the block (attr cast_to).
    const t = gv.init(M);
    const CODES: Record<string, number> = { bool: 9, int64: 7, int32: 6, uint8: 2 };
    if (t && t.dtype !== "float32" && !CODES[t.dtype]) return undefined;
    const table = t && t.dtype !== "float32" ? gv.weight(`${M}_f32`, f32(t.shape, Float32Array.from(t.data as ArrayLike<number>, Number))) : M;
    gv.replace(maskWindowDef, v, t ? ["", q, kT, table] : [M, q, kT, ""], t && t.dtype !== "float32" ? { cast_to: CODES[t.dtype] } : {}, n.name);
    return `${v}: the window of ${M} for the current queries and keys`;
  },
};
