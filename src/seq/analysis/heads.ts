// Below the blocks, per head, on the analysis data: each attend's pattern summarised and classified, its QK and OV
// circuits as low-rank factors (traced back through split_heads / slices to the linear maps that make q, k, v and
// forward through merge_heads to the output projection), and each head's and MLP's direct effect on the logits
// (through the final layer norm with its scale frozen, when every block writes to the stream by residual adds).
import type { Tensor } from "../../graph/tensor.ts";
import { runFn, runPrim } from "../../program/run.ts";
import { entryFn, fixedBatchOf, type Fn, type PrimStmt, type Program, type SeqParams } from "../../program/program.ts";
import { sliceRows } from "../../data/batch.ts";
import { columns, factored, rowsOf } from "./circuits.ts";
import type { HeadKind, HeadReport, MlpReport, SeqAnalysis } from "./types.ts";

/** At most this many analysis rows are run (the summaries are means). */
const MAX_ROWS = 32;

type Env = Map<string, Tensor>;

/** Every value of the entry function on the given rows. */
function runAll(p: Program, inputs: Tensor[]): Env {
  const f = entryFn(p);
  const fns = new Map(p.functions.map((g) => [g.name, g]));
  const env: Env = new Map();
  f.params.forEach((v, i) => env.set(v.name, inputs[i]));
  for (const s of f.body) {
    const vals = s.args.map((a) => env.get(a)!);
    if (s.kind === "call") runFn(fns.get(s.fn)!, vals, fns).forEach((t, i) => env.set(s.outs[i].name, t));
    else env.set(s.out.name, runPrim(s, vals));
  }
  return env;
}

const f64 = (t: Tensor) => Float64Array.from(t.data as ArrayLike<number>);

/** softmax(mask(q kT scale)) for every batch row and head: [b, H, n, m]. */
function pattern(st: PrimStmt, env: Env): { P: Float64Array; allowed: Int32Array; b: number; H: number; n: number; m: number } {
  const p = st.prim.params as SeqParams;
  const data = new Array<string>(4).fill("");
  p.slots.forEach((slot, i) => (data[slot] = st.args[i]));
  const q = env.get(data[0])!, kT = env.get(data[1])!;
  const mask = data[3] ? env.get(data[3]) : undefined;
  const [b, H, n, d] = q.shape, m = kT.shape[3];
  const Q = f64(q), K = f64(kT), M = mask ? f64(mask) : undefined;
  const scale = p.attrs.scale as number, fill = (p.attrs.fill as number) ?? 0, mode = p.attrs.mask as string;
  // The mask broadcasts to [b, H, n, m] (numpy rules, aligned on the right).
  const ms = mask ? [...Array(4 - mask.shape.length).fill(1), ...mask.shape] : [];
  const mAt = (bi: number, h: number, i: number, j: number) => {
    const idx = [bi, h, i, j].map((x, k) => (ms[k] === 1 ? 0 : x));
    return M![((idx[0] * ms[1] + idx[1]) * ms[2] + idx[2]) * ms[3] + idx[3]];
  };
  const P = new Float64Array(b * H * n * m);
  // Keys the mask lets each query see (an additive mask blocks with a large negative number).
  const allowed = new Int32Array(b * H * n);
  for (let bi = 0; bi < b; bi++) for (let h = 0; h < H; h++) for (let i = 0; i < n; i++) {
    const row = ((bi * H + h) * n + i) * m;
    let mx = -Infinity;
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += Q[((bi * H + h) * n + i) * d + k] * K[((bi * H + h) * d + k) * m + j];
      s *= scale;
      let open = true;
      if (M) {
        const mv = mAt(bi, h, i, j);
        open = mode === "add" ? mv > -1000 : mode === "fill" ? mv !== 0 : mode === "where" ? !!mv : mode === "where_fill" ? !mv : true;
        if (mode === "add") s += mv;
        else if (mode === "fill") s = s * mv - (1 - mv) * fill;
        else if (mode === "where") s = mv ? s : fill;
        else if (mode === "where_fill") s = mv ? fill : s;
      }
      if (open) allowed[(bi * H + h) * n + i]++;
      P[row + j] = s;
      mx = Math.max(mx, s);
    }
    let z = 0;
    for (let j = 0; j < m; j++) z += P[row + j] = Math.exp(P[row + j] - mx);
    for (let j = 0; j < m; j++) P[row + j] /= z;
  }
  return { P, allowed, b, H, n, m };
}

/** Mean attention on the previous / first / same position and mean normalised entropy, for one head. */
function summary(pt: ReturnType<typeof pattern>, h: number): { previous: number; first: number; self: number; entropy: number; kind: HeadKind } {
  const { P, b, H, n, m } = pt;
  const off = m - n; // keys before the queries: a KV cache
  let prev = 0, np = 0, first = 0, self = 0, ns = 0, ent = 0, ne = 0;
  for (let bi = 0; bi < b; bi++) for (let i = 0; i < n; i++) {
    const row = ((bi * H + h) * n + i) * m;
    const allowed = pt.allowed[(bi * H + h) * n + i];
    if (allowed < 2) continue;
    const pos = i + off;
    if (pos >= 1 && pos - 1 < m) { prev += P[row + pos - 1]; np++; }
    if (pos < m) { self += P[row + pos]; first += P[row]; ns++; }
    let e = 0;
    for (let j = 0; j < m; j++) if (P[row + j] > 0) e -= P[row + j] * Math.log(P[row + j]);
    ent += e / Math.log(allowed);
    ne++;
  }
  const r = { previous: np ? prev / np : 0, first: ns ? first / ns : 0, self: ns ? self / ns : 0, entropy: ne ? ent / ne : 1 };
  const best = (["previous", "first", "self"] as const).reduce((a, k) => (r[k] > r[a] ? k : a), "previous" as "previous" | "first" | "self");
  const kind: HeadKind = r[best] >= 0.5 ? ({ previous: "previous-token", first: "first-token", self: "self" } as const)[best] : r.entropy >= 0.9 ? "uniform" : "content-based";
  const r3 = (x: number) => +x.toFixed(3);
  return { previous: r3(r.previous), first: r3(r.first), self: r3(r.self), entropy: r3(r.entropy), kind };
}

/** The statement producing each value, and the statements reading it. */
function index(f: Fn): { def: Map<string, PrimStmt>; readers: Map<string, PrimStmt[]> } {
  const def = new Map<string, PrimStmt>(), readers = new Map<string, PrimStmt[]>();
  for (const s of f.body) {
    if (s.kind !== "prim") continue;
    def.set(s.out.name, s);
    for (const a of s.args) readers.set(a, [...(readers.get(a) ?? []), s]);
  }
  return { def, readers };
}

/** The linear map whose columns [c0, c1) make a (split-heads) value: follows split_heads, last-axis slices,
 *  K-cache concats and transposes back to a `linear` statement. */
function projection(v: string, ix: ReturnType<typeof index>): { W: Float32Array; rows: number; cols: number; c0: number; c1: number } | undefined {
  let s = ix.def.get(v);
  let c0 = 0, c1 = -1;
  for (let hop = 0; s && hop < 8; hop++) {
    const p = s.prim.params as SeqParams;
    if (s.prim.kind === "linear") {
      const W = p.weights.W;
      return { W: W.data, rows: W.shape[0], cols: W.shape[1], c0, c1: c1 < 0 ? W.shape[1] : c1 };
    }
    if (s.prim.kind === "slice" && !p.attrs.squeeze) {
      c0 += p.attrs.start as number;
      c1 = c0 + (p.attrs.end as number) - (p.attrs.start as number);
    } else if (s.prim.kind === "concat_axis") {
      // past keys/values then the new ones: the new part is the last argument
      s = ix.def.get(s.args[s.args.length - 1]);
      continue;
    } else if (!["split_heads", "transpose"].includes(s.prim.kind)) return undefined;
    s = ix.def.get(s.args[0]);
  }
  return undefined;
}

/** Analyse every attend statement (and MLP) of a program on the analysis rows. */
export function analyseHeads(p: Program, inputs: Tensor[]): SeqAnalysis | undefined {
  const f = entryFn(p);
  const attends = f.body.filter((s): s is PrimStmt => s.kind === "prim" && s.prim.kind === "attend");
  if (!attends.length) return undefined;
  const rows = fixedBatchOf(p) || Math.min(MAX_ROWS, inputs[0]?.shape[0] ?? 0);
  const env = runAll(p, inputs.map((t) => (t.shape[0] > rows ? sliceRows(t, 0, rows) : t)));
  const ix = index(f);
  const notes: string[] = [];
  const dla = directLogits(f, ix, env, notes);
  const heads: HeadReport[] = [];
  for (const st of attends) {
    const pt = pattern(st, env);
    const p0 = st.prim.params as SeqParams;
    const data = new Array<string>(4).fill("");
    p0.slots.forEach((slot, i) => (data[slot] = st.args[i]));
    const [Pq, Pk, Pv] = [data[0], data[1], data[2]].map((a) => projection(a, ix));
    const merge = ix.readers.get(st.out.name)?.find((r) => r.prim.kind === "merge_heads");
    const out = merge ? ix.readers.get(merge.out.name)?.find((r) => r.prim.kind === "linear") : undefined;
    const d = env.get(data[0])!.shape[3];
    for (let h = 0; h < pt.H; h++) {
      const r: HeadReport = { stmt: st.out.name, prim: st.prim.id, head: h, ...summary(pt, h) };
      if (Pq && Pk) {
        const A = columns(Pq.W, Pq.rows, Pq.cols, Pq.c0 + h * d, Pq.c0 + (h + 1) * d);
        const K = columns(Pk.W, Pk.rows, Pk.cols, Pk.c0 + h * d, Pk.c0 + (h + 1) * d);
        r.qk = factored(A, { rows: d, cols: K.rows, d: Float64Array.from({ length: d * K.rows }, (_, k) => K.d[(k % K.rows) * d + Math.floor(k / K.rows)]) });
      }
      if (Pv && out) {
        const Wo = (out.prim.params as SeqParams).weights.W;
        const dv = env.get(data[2])!.shape[3];
        r.ov = factored(columns(Pv.W, Pv.rows, Pv.cols, Pv.c0 + h * dv, Pv.c0 + (h + 1) * dv), rowsOf(Wo.data, Wo.shape[1], h * dv, (h + 1) * dv));
      }
      if (dla && out && merge) r.directLogit = dla.head(st, out, h, pt.H);
      heads.push(r);
    }
  }
  const mlps: MlpReport[] = [];
  if (dla) {
    for (const s of f.body) {
      if (s.kind !== "prim" || s.prim.kind !== "linear") continue;
      const src = ix.def.get(s.args[0]);
      if (src?.prim.kind === "gelu") mlps.push({ stmt: s.out.name, prim: s.prim.id, directLogit: dla.value(env.get(s.out.name)!) });
    }
  }
  return { rows, heads, mlps, ...(dla ? { meanAbsLogit: dla.meanAbsLogit } : {}), notes };
}

/** Direct logit attribution: the final layer_norm (scale frozen per position) and unembedding applied to a
 *  component's write to the stream. Only when the stream reaches that layer norm through residual adds. */
function directLogits(f: Fn, ix: ReturnType<typeof index>, env: Env, notes: string[]) {
  const unembed = f.body.find((s): s is PrimStmt => s.kind === "prim" && s.prim.kind === "linear" && f.returns.includes(s.out.name) && ix.def.get(s.args[0])?.prim.kind === "layer_norm");
  if (!unembed) {
    notes.push("direct effects not computed: no output is linear(layer_norm(stream))");
    return undefined;
  }
  const ln = ix.def.get(unembed.args[0])!;
  const lp = ln.prim.params as SeqParams, up = unembed.prim.params as SeqParams;
  const x = env.get(ln.args[0])!;
  const D = x.shape[x.shape.length - 1];
  const rowsN = x.data.length / D;
  const xs = f64(x);
  const sigma = new Float64Array(rowsN);
  for (let r = 0; r < rowsN; r++) {
    let mu = 0, v = 0;
    for (let k = 0; k < D; k++) mu += xs[r * D + k];
    mu /= D;
    for (let k = 0; k < D; k++) v += (xs[r * D + k] - mu) ** 2;
    sigma[r] = Math.sqrt(v / D + (lp.attrs.epsilon as number));
  }
  const gamma = lp.weights.gamma.data, WU = up.weights.W.data, V = up.weights.W.shape[1];
  const logits = f64(env.get(unembed.out.name)!);
  const meanAbsLogit = logits.reduce((a, y) => a + Math.abs(y), 0) / logits.length;
  /** Mean |((c - mean c) / sigma * gamma) @ W_U| over rows and vocabulary for a write c [rows, D]. */
  const value = (c: Tensor | Float64Array): number => {
    const cd = c instanceof Float64Array ? c : f64(c);
    if (cd.length !== rowsN * D) return NaN;
    let tot = 0;
    const z = new Float64Array(D);
    for (let r = 0; r < rowsN; r++) {
      let mu = 0;
      for (let k = 0; k < D; k++) mu += cd[r * D + k];
      mu /= D;
      for (let k = 0; k < D; k++) z[k] = ((cd[r * D + k] - mu) / sigma[r]) * gamma[k];
      for (let j = 0; j < V; j++) {
        let s = 0;
        for (let k = 0; k < D; k++) s += z[k] * WU[k * V + j];
        tot += Math.abs(s);
      }
    }
    return +(tot / (rowsN * V)).toPrecision(4);
  };
  // Pre-LN check: the final layer norm's input is a chain of residual adds (no layer norm on the way).
  const preLN = (() => {
    let s = ix.def.get(ln.args[0]);
    for (let k = 0; s && k < 1000; k++) {
      if (s.prim.kind !== "add") return k > 0;
      s = ix.def.get(s.args[0]);
    }
    return false;
  })();
  if (!preLN) {
    notes.push("direct effects not computed: the stream passes through layer norms after the blocks (post-LN), so no component writes to the logits directly");
    return undefined;
  }
  return {
    value,
    meanAbsLogit: +meanAbsLogit.toPrecision(4),
    /** One head's write: its slice of merge_heads(attend) times its rows of W_O. */
    head(st: PrimStmt, out: PrimStmt, h: number, H: number): number {
      const a = env.get(st.out.name)!; // [b, H, n, dv]
      const [b, , n, dv] = a.shape;
      const Wo = (out.prim.params as SeqParams).weights.W;
      const Dout = Wo.shape[1];
      if (b * n !== rowsN || Dout !== D) return NaN;
      const ad = f64(a), c = new Float64Array(rowsN * D);
      for (let bi = 0; bi < b; bi++) for (let i = 0; i < n; i++) for (let k = 0; k < dv; k++) {
        const av = ad[((bi * H + h) * n + i) * dv + k];
        for (let j = 0; j < D; j++) c[(bi * n + i) * D + j] += av * Wo.data[(h * dv + k) * Dout + j];
      }
      return value(c);
    },
  };
}
