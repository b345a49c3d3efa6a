// Step 1 of naming module bodies (module-bodies.ts): main's output rows move into the functions they read,
//   y[R_k] = W_k @ [f(u_k), u_k] + b_k, W_k = W_f for every call k  ->  g(u) = W_f @ [f(u), u] + b_f; y = [g(u_1), ..]
// and what the shared block leaves out (weights across modules, per-call differences) stays exactly in main:
//   y = rows of the calls + C @ [their units] + dB.
import type { CallStmt, Fn, NetSlice, PrimStmt, Program, Stmt, Var, Weight } from "../program/program.ts";

const vec = (n: number) => ({ kind: "vec" as const, n });
const width = (v: Var) => (v.type.kind === "vec" || v.type.kind === "bits" ? v.type.n : -1);

/** A statement `v = W @ x` whose rows each pick one entry of x: the picked columns. */
export function pickCols(st: Stmt | undefined, x: string): number[] | undefined {
  if (!st || st.kind !== "prim" || st.args[0] !== x) return undefined;
  if (st.prim.kind === "pick") return [...st.prim.params.indices];
  if (st.prim.kind !== "affine" || st.prim.params.act) return undefined;
  const { W, b } = st.prim.params;
  const [rows, cols] = W.shape;
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    if (b.data[r] !== 0) return undefined;
    let at = -1;
    for (let c = 0; c < cols; c++) {
      const w = W.data[r * cols + c];
      if (w === 0) continue;
      if (w !== 1 || at >= 0) return undefined;
      at = c;
    }
    if (at < 0) return undefined;
    out.push(at);
  }
  return out;
}

/** Step 1 (see the file comment): output rows into the functions; undefined when the rows do not split by call. */
export function absorbOutputRows(p: Program): Program | undefined {
  const main = p.functions.find((f) => f.name === p.entry)!;
  if (main.returns.length !== 1 || main.params.length !== 1) return undefined;
  const x = main.params[0].name;
  const yIdx = main.body.findIndex((s) => s.kind === "prim" && s.out.name === main.returns[0]);
  const ySt = main.body[yIdx] as PrimStmt | undefined;
  if (!ySt || ySt.prim.kind !== "affine" || ySt.prim.params.act || yIdx !== main.body.length - 1) return undefined;
  const def = new Map<string, Stmt>();
  for (const s of main.body) for (const v of s.kind === "call" ? s.outs : [s.out]) def.set(v.name, s);
  const catSt = def.get(ySt.args[0]);
  const parts = catSt && catSt.kind === "prim" && catSt.prim.kind === "concat" && catSt.prim.params.axis === 0 ? catSt.args : [ySt.args[0]];
  const calls = main.body.filter((s): s is CallStmt => s.kind === "call");
  if (!calls.length) return undefined;
  // Every call value is read by the output layer only; every call reads one pick of x (or x).
  const readers = new Map<string, number>();
  for (const s of main.body) for (const a of s.args) readers.set(a, (readers.get(a) ?? 0) + 1);
  const picks = calls.map((c) => (c.args.length === 1 ? (c.args[0] === x ? [...Array(width(main.params[0])).keys()] : pickCols(def.get(c.args[0]), x)) : undefined));
  // Columns of the output layer: which call (or x entry) each reads.
  const colCall: number[] = [], colLocal: number[] = [], colX: number[] = [];
  for (const v of parts) {
    if (v === x) {
      for (let i = 0; i < width(main.params[0]); i++) { colCall.push(-1); colLocal.push(-1); colX.push(i); }
      continue;
    }
    const k = calls.findIndex((c) => c.outs.some((o) => o.name === v));
    if (k < 0 || (readers.get(v) ?? 0) !== 1) return undefined;
    let off = 0;
    for (const o of calls[k].outs) {
      if (o.name === v) break;
      off += width(o);
    }
    const n = width(calls[k].outs.find((o) => o.name === v)!);
    for (let i = 0; i < n; i++) { colCall.push(k); colLocal.push(off + i); colX.push(-1); }
  }
  const { W, b } = ySt.prim.params;
  const [m, nIn] = W.shape;
  if (nIn !== colCall.length) return undefined;
  // Each row: the one call it reads (weights below 1% of the row's largest are left out; measured afterwards);
  // x entries it reads must lie in that call's pick.
  const rowCall: number[] = [];
  for (let r = 0; r < m; r++) {
    let big = 0;
    for (let c = 0; c < nIn; c++) big = Math.max(big, Math.abs(W.data[r * nIn + c]));
    const ks = new Set<number>(), xe: number[] = [];
    for (let c = 0; c < nIn; c++) {
      if (Math.abs(W.data[r * nIn + c]) <= 1e-2 * big) continue;
      if (colCall[c] >= 0) ks.add(colCall[c]);
      else xe.push(colX[c]);
    }
    const cands = ks.size ? [...ks] : calls.map((_, k) => k).filter((k) => xe.length && xe.every((i) => picks[k]?.includes(i)));
    if (cands.length !== 1 || !xe.every((i) => picks[cands[0]]?.includes(i))) return undefined;
    rowCall.push(cands[0]);
  }
  // Per function: the calls' blocks must agree.
  // C, dB: the output layer minus what the functions' blocks compute (0 when the blocks are exact).
  const C = Float64Array.from(W.data), dB = Float64Array.from(b.data);
  const byFn = new Map<string, number[]>();
  calls.forEach((c, k) => byFn.set(c.fn, [...(byFn.get(c.fn) ?? []), k]));
  const fns = new Map(p.functions.map((f) => [f.name, f]));
  const newFns = new Map<string, Fn>();
  for (const [fname, ks] of byFn) {
    const f = fns.get(fname)!;
    if (f.params.length !== 1 || ks.some((k) => !picks[k])) return undefined;
    const nOut = calls[ks[0]].outs.reduce((a, v) => a + width(v), 0);
    const nU = width(f.params[0]);
    const rows = ks.map((k) => rowCall.flatMap((q, r) => (q === k ? [r] : [])));
    if (rows.some((r) => r.length !== rows[0].length || r.length === 0)) return undefined;
    const skip = ks.some((k, i) => rows[i].some((r) => colX.some((xi, c) => xi >= 0 && W.data[r * nIn + c] !== 0 && picks[k]!.includes(xi))));
    const cols = nOut + (skip ? nU : 0);
    const blocks = ks.map((k, i) => {
      const blk = new Float64Array(rows[i].length * cols), bias = new Float64Array(rows[i].length);
      rows[i].forEach((r, j) => {
        bias[j] = b.data[r];
        for (let c = 0; c < nIn; c++) {
          const w = W.data[r * nIn + c];
          if (colCall[c] === k) blk[j * cols + colLocal[c]] += w;
          else if (colCall[c] < 0 && skip) {
            const at = picks[k]!.indexOf(colX[c]);
            if (at >= 0) blk[j * cols + nOut + at] += w;
          }
        }
      });
      return { blk, bias };
    });
    // Blocks equal within 1% of their largest weight (the averaged block is measured with the program).
    const scale = Math.max(1e-30, ...blocks.flatMap((q) => [...q.blk].map(Math.abs)));
    for (const q of blocks) for (let i = 0; i < q.blk.length; i++) if (Math.abs(q.blk[i] - blocks[0].blk[i]) > 1e-2 * scale) return undefined;
    const avg = (sel: (q: (typeof blocks)[0]) => Float64Array) => Float32Array.from(sel(blocks[0]).map((_, i) => blocks.reduce((a, q) => a + sel(q)[i], 0) / blocks.length));
    const Wf: Weight = { name: `${fname}_Wout`, shape: [rows[0].length, cols], data: avg((q) => q.blk) };
    const bf: Weight = { name: `${fname}_bout`, shape: [rows[0].length], data: avg((q) => q.bias) };
    const body: Stmt[] = [...f.body];
    let arg = f.returns[0];
    if (f.returns.length > 1 || skip) {
      arg = `${fname}_cat`;
      body.push({ kind: "prim", out: { name: arg, type: vec(cols) }, args: [...f.returns, ...(skip ? [f.params[0].name] : [])], prim: { kind: "concat", params: { axis: 0 }, id: `${fname}_cat`, slice: { layers: [], weights: [] }, error: 0 } });
    }
    const outSlice: NetSlice = { layers: ySt.prim.slice.layers.map((e) => ({ id: e.id, units: rows[0] })), weights: [Wf, bf] };
    body.push({ kind: "prim", out: { name: "o", type: vec(rows[0].length) }, args: [arg], prim: { kind: "affine", params: { W: Wf, b: bf }, id: `${fname}_out`, slice: outSlice, error: 0 }, comment: `its output rows (${ks.length} call(s))` });
    newFns.set(fname, { ...f, body, returns: ["o"] });
    ks.forEach((k, i) => rows[i].forEach((r, j) => {
      // What the shared block leaves out of row r: the call's own difference from it, and weights on other calls.
      for (let c = 0; c < nIn; c++) {
        const xi = colCall[c] < 0 && skip ? picks[k]!.indexOf(colX[c]) : -1;
        const at = colCall[c] === k ? colLocal[c] : xi >= 0 ? nOut + xi : -1;
        if (at >= 0) C[r * nIn + c] -= Wf.data[j * cols + at];
      }
      dB[r] -= bf.data[j];
    }));
  }
  const corrected = C.some((v) => v !== 0) || dB.some((v) => v !== 0);
  if (corrected) for (const [fname, g] of newFns) newFns.set(fname, { ...g, returns: ["o", ...fns.get(fname)!.returns] });
  // Main: the calls return their output rows; y puts them in order.
  const body: Stmt[] = main.body.filter((s) => s !== ySt && (corrected || s !== catSt)).map((s) => {
    if (s.kind !== "call") return s;
    const k = calls.indexOf(s);
    return { ...s, outs: [{ name: `o${k + 1}`, type: vec(rowCall.filter((q) => q === k).length) }, ...(corrected ? s.outs : [])] };
  });
  const order = calls.flatMap((_, k) => rowCall.flatMap((q, r) => (q === k ? [r] : [])));
  const perm = Array.from({ length: m }, (_, r) => order.indexOf(r));
  const joined = calls.length > 1 ? "o_all" : "o1";
  if (calls.length > 1) body.push({ kind: "prim", out: { name: joined, type: vec(m) }, args: calls.map((_, k) => `o${k + 1}`), prim: { kind: "concat", params: { axis: 0 }, id: "out_cat", slice: { layers: [], weights: [] }, error: 0 } });
  const y = main.returns[0];
  const y0 = corrected ? "y_rows" : y;
  const inOrder = perm.every((q, r) => q === r);
  if (inOrder && calls.length > 1) (body[body.length - 1] as PrimStmt).out.name = y0;
  else body.push(inOrder
    ? { kind: "prim", out: { name: y0, type: vec(m) }, args: [joined], prim: { kind: "lincomb", params: { coefs: [1], bias: 0 }, id: "out", slice: { layers: [], weights: [] }, error: 0 } }
    : { kind: "prim", out: { name: y0, type: vec(m) }, args: [joined], prim: { kind: "pick", params: { indices: perm }, id: "out", slice: { layers: [], weights: [] }, error: 0 }, comment: "output rows in order" });
  if (corrected) {
    // y = the functions' rows + C @ [their units] + dB: the small cross-module weights and per-call differences.
    const Wc: Weight = { name: `${ySt.prim.params.W.name}_rest`, shape: [m, nIn], data: Float32Array.from(C) };
    const bc: Weight = { name: `${ySt.prim.params.b.name}_rest`, shape: [m], data: Float32Array.from(dB) };
    body.push({ kind: "prim", out: { name: "y_cross", type: vec(m) }, args: [ySt.args[0]], prim: { kind: "affine", params: { W: Wc, b: bc }, id: ySt.prim.id, slice: { ...ySt.prim.slice, weights: [Wc, bc] }, error: 0 }, comment: "what the functions' shared output rows leave out: weights across modules, per-call differences", rest: true });
    body.push({ kind: "prim", out: { name: y, type: vec(m) }, args: [y0, "y_cross"], prim: { kind: "lincomb", params: { coefs: [1, 1], bias: 0 }, id: "out_sum", slice: { layers: [], weights: [] }, error: 0 } });
  }
  return { ...p, functions: p.functions.map((f) => (f === main ? { ...main, body } : newFns.get(f.name) ?? f)) };
}

