// abs on convolution channels. The slice rules read `relu(z) + relu(-z) = |z|` on dense units; after carve turns a
// dense layer back into a convolution, the same pair lives in two channels of one conv:
//
//   c * relu(conv(x, K) + b) + c * relu(conv(x, -K) - b) = c * |conv(x, K) + b|      (same c at every position)
//
// This rewrite finds such channel pairs (kernels and biases opposite up to a positive scale: relu(s z) = s relu(z))
// whose readers (a flatten, maybe a concat, then dense layers) weigh both channels alike at every position, and
// rewrites the Net: one conv of the paired channels followed by `abs`, one of the unpaired channels followed by
// relu, their flattens side by side, the readers' columns merged. The change on the analysis sample is measured
// and the rewrite kept only within the builder's budget (rounding level under --exact).
// Pairing is by a hash of each channel's quantised kernel, so the work is linear in the conv's weights.
import type { AffineLayer, ConvLayer, Layer, Net } from "../net/net.ts";
import { runNet } from "../net/run.ts";
import { parallelRest, unitRow, type Folded } from "./conv-abs-fold.ts";
import { fuseOrder, pairKernels, rewriteConvReaders, unitsOf } from "./conv-abs-readers.ts";
import { mixResidual, residualAfter, residualLayers, type ChannelMix } from "./conv-abs-residual.ts";
import type { NetStats } from "../passes/stats.ts";
import type { BudgetJudge, Verdict } from "../program/budget-judge.ts";

type Conv = ConvLayer & Layer;
type Affine = AffineLayer & Layer;

/** What the rewrite did to one conv layer. */
export interface ConvAbsReport {
  conv: string;
  /** Channel pairs read as abs, and channels left as relu. */
  pairs: [number, number][];
  unpaired: number[];
  /** Dense copies of conv units folded in (conv-abs-fold.ts). */
  folded: number;
  /** Max |new Net - Net| on the analysis sample. */
  change: number;
  /** The run's one budget (when a judge was given): the whole Net after the rewrite against the original. */
  verdict?: Verdict;
}

export interface ConvAbsOptions {
  stats?: NetStats;
  exact?: boolean;
  tolerance?: number;
  /** Relative tolerance of matching kernels and reader weights (default 1e-2). */
  tol?: number;
  /** The run's one budget: the rewritten Net is judged whole against the original (replaces `tolerance`; under
   *  --exact the change must also be rounding level). */
  judge?: BudgetJudge;
}

/** The Net with conv channel pairs read as abs, or undefined when none qualifies (or the change is over budget). */
export function convAbsPairs(net: Net, o: ConvAbsOptions = {}): { net: Net; reports: ConvAbsReport[] } | undefined {
  let cur = net;
  const reports: ConvAbsReport[] = [];
  for (const l of net.layers) {
    if (l.kind !== "conv") continue;
    const top = o.stats ? maxOut(net, o.stats) : 0;
    const budget = o.tolerance ?? (o.exact ? 2e-6 * (1 + top) : 1e-3 * top);
    // The shorter reading (pairs averaged) when it is within budget, else the exact one (mismatches kept as relu).
    let r: ReturnType<typeof rewriteOne>, change: number | undefined, verdict: Verdict | undefined, ok = false;
    for (const exactPairs of [false, true]) {
      r = rewriteOne(cur, l.id, o.tol ?? 1e-2, o.stats, exactPairs);
      change = r && measure(cur, r.net, o.stats);
      // With the run's judge, the whole rewritten Net against the original (what simplify and carve spent counts).
      verdict = r && o.judge && (o.exact ? change !== undefined && change <= budget : true) ? o.judge.net(r.net) : undefined;
      ok = change !== undefined && (o.judge ? !!verdict?.ok : change <= budget);
      if (ok) break;
    }
    if (!r || change === undefined || !ok) continue;
    cur = r.net;
    reports.push({ ...r.report, change, ...(verdict ? { verdict } : {}) });
  }
  return reports.length ? { net: cur, reports } : undefined;
}

/** Channel i's kernel and bias over its largest |weight|: the scale s_i and the normalised row. */
function channels(c: Conv): { s: number[]; rows: Float64Array[] } {
  const k = c.weight.length / c.outChannels;
  const s: number[] = [], rows: Float64Array[] = [];
  for (let i = 0; i < c.outChannels; i++) {
    const row = new Float64Array(k + 1);
    let m = 0;
    for (let q = 0; q < k; q++) m = Math.max(m, Math.abs(c.weight[i * k + q]));
    for (let q = 0; q < k; q++) row[q] = c.weight[i * k + q] / (m || 1);
    row[k] = c.bias[i] / (m || 1);
    s.push(m || 1);
    rows.push(row);
  }
  return { s, rows };
}

/** Pairs (i, j) with row_j = -row_i within tol (hash of the rows quantised to tol, then checked). */
function oppositePairs(rows: Float64Array[], tol: number): [number, number][] {
  const key = (r: Float64Array, sign: number) => Array.from(r, (v) => Math.round((sign * v) / (2 * tol))).join(",");
  const byKey = new Map<string, number[]>();
  rows.forEach((r, i) => byKey.set(key(r, 1), [...(byKey.get(key(r, 1)) ?? []), i]));
  const used = new Set<number>();
  const pairs: [number, number][] = [];
  rows.forEach((r, i) => {
    if (used.has(i)) return;
    for (const j of byKey.get(key(r, -1)) ?? []) {
      if (j === i || used.has(j) || !r.every((v, q) => Math.abs(v + rows[j][q]) <= tol)) continue;
      pairs.push([i, j]);
      used.add(i).add(j);
      return;
    }
  });
  return pairs;
}

/** The readers of a conv's relu: relu -> flatten -> (concat ->) affine layers. */
function readers(net: Net, reluId: string): { flat: Layer; concat?: Layer & { kind: "concat" }; affines: Affine[]; offset: number } | undefined {
  const by = (id: string) => net.layers.filter((x) => x.inputs.includes(id));
  const outs = new Set(net.outputs.map((x) => x.from));
  const r1 = by(reluId);
  if (r1.length !== 1 || r1[0].kind !== "reshape" || r1[0].shape.length !== 1 || outs.has(reluId) || outs.has(r1[0].id)) return undefined;
  const flat = r1[0];
  const r2 = by(flat.id);
  if (r2.length === 1 && r2[0].kind === "concat" && r2[0].axis === 0 && r2[0].inputs.filter((i) => i === flat.id).length === 1 && !outs.has(r2[0].id)) {
    const cat = r2[0];
    const affines = by(cat.id);
    if (!affines.length || affines.some((a) => a.kind !== "affine" || a.shape.length !== 1)) return undefined;
    let offset = 0;
    for (const i of cat.inputs) {
      if (i === flat.id) break;
      const w = net.layers.find((x) => x.id === i)?.shape ?? net.inputs.find((x) => x.name === i)?.shape;
      if (!w || w.length !== 1) return undefined;
      offset += w[0];
    }
    return { flat, concat: cat, affines: affines as Affine[], offset };
  }
  if (!r2.length || r2.some((a) => a.kind !== "affine" || a.shape.length !== 1)) return undefined;
  return { flat, affines: r2 as Affine[], offset: 0 };
}

/** One conv's rewrite (unmeasured), or undefined. */
function rewriteOne(net: Net, convId: string, tol: number, stats: NetStats | undefined, exactPairs: boolean): { net: Net; report: Omit<ConvAbsReport, "change"> } | undefined {
  const c = net.layers.find((x) => x.id === convId) as Conv | undefined;
  if (!c || c.groups !== 1) return undefined;
  // A conv carve left with its fit residual: the pairs are read on conv + residual (conv-abs-residual.ts).
  const res = residualAfter(net, c.id);
  const acts = net.layers.filter((x) => x.inputs.includes(res ? res.add.id : c.id));
  const relu = acts[0];
  if (acts.length !== 1 || relu.kind !== "act" || relu.fn !== "relu") return undefined;
  const convReaders = net.layers.filter((x) => x.inputs.includes(relu.id));
  const isConv = (x: Layer) => x.kind === "conv" && x.groups === 1 && x.inputs.length === 1;
  // Conv readers, and maybe one flatten read by affines only (a carved reader's kept residual).
  const flats = convReaders.filter((x) => !isConv(x));
  const flatReaders = flats.length === 1 && flats[0].kind === "reshape" && flats[0].shape.length === 1 && !net.outputs.some((o) => o.from === flats[0].id) ? net.layers.filter((x) => x.inputs.includes(flats[0].id)) : [];
  const denseBeside = flats.length === 1 && flatReaders.length > 0 && flatReaders.every((x) => x.kind === "affine" && x.inputs.length === 1) ? { flat: flats[0], affines: flatReaders as Affine[] } : undefined;
  if (convReaders.some(isConv) && (flats.length === 0 || denseBeside) && !net.outputs.some((o) => o.from === relu.id)) {
    const { s, rows } = channels(c);
    const pairs = oppositePairs(rows, tol);
    return pairs.length ? rewriteConvReaders(net, c, relu, convReaders.filter(isConv) as Conv[], s, rows, pairs, tol, exactPairs, denseBeside, res) : undefined;
  }
  const rd = readers(fuseOrder(net, relu.id), relu.id);
  if (!rd) return undefined;
  net = fuseOrder(net, relu.id);
  const { s, rows } = channels(c);
  const pairs = oppositePairs(rows, tol);
  if (!pairs.length) return undefined;
  const F = c.outChannels, HW = c.shape.slice(1).reduce((a, b) => a * b, 1);
  // Where a unit of the relu is active on the analysis sample (a unit the simplifier removed as dead has reader
  // weight 0: there relu(z) = |z| for its partner, since -z <= 0).
  // (run here: the probe statistics may predate the pass that made this conv)
  const act = stats ? runNet(net, stats.sample.inputs, { keep: [relu.id] }).activations[relu.id] : undefined;
  const active = new Uint8Array(F * HW);
  if (act) {
    const d = act.data as Float32Array;
    for (let r = 0; r < d.length; r++) if (d[r] > 0) active[r % (F * HW)] = 1;
  }
  // Readers: per affine, channel i at position p is column offset + i*HW + p. The abs coefficient there:
  // (w_i s_i + w_j s_j) / 2 when the two agree; w_i s_i when w_j = 0 and unit (j, p) is never active (and back).
  // Dense copies of conv units beside it (split units carve left out) fold into the conv unit's reader weight.
  const widthOf = (x: string) => (net.layers.find((l) => l.id === x)?.shape ?? net.inputs.find((i) => i.name === x)!.shape)[0];
  const oldIn = rd.concat ? rd.concat.inputs : [rd.flat.id];
  const offsetOf = new Map<string, number>();
  oldIn.reduce((off, x) => (offsetOf.set(x, off), off + widthOf(x)), 0);
  const folded = rd.concat ? parallelRest(net, c, oldIn, tol) : [];
  const eff = new Map<string, Float64Array>();
  for (const a of rd.affines) {
    const e = new Float64Array(a.outFeatures * F * HW);
    for (let o = 0; o < a.outFeatures; o++) {
      for (let u = 0; u < F * HW; u++) e[o * F * HW + u] = a.W[o * a.inFeatures + rd.offset + u];
      for (const f of folded) e[o * F * HW + f.convUnit] += f.l * a.W[o * a.inFeatures + offsetOf.get(f.restLayer)! + f.unit];
    }
    eff.set(a.id, e);
  }
  const merged = new Map<string, Float32Array>();
  // w_i relu(A) + w_j relu(-A) = (w_i + w_j)/2 |A| + (w_i - w_j)/2 A: the second term, linear in the conv's input,
  // stays exact as reader columns over that input (so small reader differences cost nothing).
  const halves = new Map<string, Float64Array>();
  for (const a of rd.affines) {
    const ea = eff.get(a.id)!;
    let m = 0;
    for (const v of ea) m = Math.max(m, Math.abs(v));
    const out = new Float32Array(a.outFeatures * pairs.length * HW);
    const half = new Float64Array(a.outFeatures * pairs.length * HW);
    halves.set(a.id, half);
    for (let o = 0; o < a.outFeatures; o++) {
      const row = o * F * HW;
      for (let q = 0; q < pairs.length; q++) {
        const [i, j] = pairs[q];
        for (let p = 0; p < HW; p++) {
          const wi = ea[row + i * HW + p] * s[i], wj = ea[row + j * HW + p] * s[j];
          const tiny = 1e-2 * m;
          let w: number;
          if (Math.abs(wi - wj) <= tol * Math.max(Math.abs(wi), Math.abs(wj)) || Math.max(Math.abs(wi), Math.abs(wj)) <= tiny) {
            w = (wi + wj) / 2;
            half[(o * pairs.length + q) * HW + p] = (wi - wj) / 2;
          }
          else if (Math.abs(wj) <= tiny && act && !active[j * HW + p]) w = wi;
          else if (Math.abs(wi) <= tiny && act && !active[i * HW + p]) w = wj;
          else { if (process.env.DBG_CA) console.error("fail", o, q, p, wi, wj, active[i * HW + p], active[j * HW + p]); return undefined; }
          out[(o * pairs.length + q) * HW + p] = w;
        }
      }
    }
    merged.set(a.id, out);
  }
  const paired = new Set(pairs.flat());
  const unpaired = [...Array(F).keys()].filter((i) => !paired.has(i));
  const k = c.weight.length / F;
  const P = pairs.length;
  // The abs conv: channel q = pair (i, j), A = the average of row_i and -row_j (both normalised); exactPairs: A =
  // row_i, and a pair whose -row_j differs from it keeps relu(z_j) - s_j relu(-A) as two relu channels:
  //   s_j relu(-A + e) = s_j relu(-A) + [relu(z_j) - s_j relu(-A)]       (exact)
  const { w: wA, b: bA } = pairKernels(rows, pairs, k, exactPairs);
  // Relu channels: the unpaired ones, then per mismatched pair (exactPairs) channel j and -A. Reader weight of
  // each at (o, p): from the effective weights (folded copies included).
  // Each new channel as a mix of the old ones (what its residual is, when the conv carries one).
  const mixA: ChannelMix[] = pairs.map(([i, j]) => (exactPairs ? [{ ch: i, coef: 1 / s[i] }] : [{ ch: i, coef: 0.5 / s[i] }, { ch: j, coef: -0.5 / s[j] }]));
  const reluCh: { w: Float32Array; b: number; col: (ea: Float64Array, o: number, p: number) => number; origin: string[]; mix: ChannelMix }[] = [];
  for (const i of unpaired) reluCh.push({ w: c.weight.slice(i * k, (i + 1) * k), b: c.bias[i], col: (ea, o, p) => ea[o * F * HW + i * HW + p], origin: unitsOf(c, i), mix: [{ ch: i, coef: 1 }] });
  if (exactPairs) {
    pairs.forEach(([i, j], q) => {
      // (With a residual the pair is opposite only if the residuals are too: keep the remainder channels.)
      if (!res && rows[i].every((v, t) => Math.abs(v + rows[j][t]) <= 1e-7)) return;
      reluCh.push({ w: c.weight.slice(j * k, (j + 1) * k), b: c.bias[j], col: (ea, o, p) => ea[o * F * HW + j * HW + p], origin: unitsOf(c, j), mix: [{ ch: j, coef: 1 }] });
      reluCh.push({ w: wA.slice(q * k, (q + 1) * k).map((v) => -v), b: -bA[q], col: (ea, o, p) => -ea[o * F * HW + j * HW + p] * s[j], origin: unitsOf(c, j), mix: mixA[q].map((m) => ({ ch: m.ch, coef: -m.coef })) });
    });
  }
  const U = reluCh.length;
  const wU = new Float32Array(U * k), bU = new Float32Array(U);
  reluCh.forEach((ch, q) => { wU.set(ch.w, q * k); bU[q] = ch.b; });
  const hw = c.shape.slice(1);
  const id = (x: string) => `${c.id}_${x}`;
  const origin = c.origin;
  const convA: Layer = { ...c, id: id("abs"), weight: wA, bias: bA, outChannels: P, shape: [P, ...hw], origin, unitOrigin: pairs.map(([i, j]) => [...unitsOf(c, i), ...unitsOf(c, j)]) };
  const resRowsA = res ? mixResidual(res, mixA, HW) : undefined;
  const resA = res && resRowsA ? residualLayers(res, convA.id, [P, ...hw], resRowsA, "abs") : undefined;
  const actA: Layer = { kind: "act", fn: "abs", id: id("abs_act"), inputs: [resA ? resA.out : convA.id], shape: [P, ...hw], dtype: c.dtype, origin: relu.origin };
  const flatA: Layer = { kind: "reshape", id: id("abs_flat"), inputs: [actA.id], shape: [P * HW], dtype: c.dtype, origin: rd.flat.origin };
  const newLayers: Layer[] = [convA, ...(resA?.layers ?? []), actA, flatA];
  const parts = [flatA.id];
  if (U) {
    const convU: Layer = { ...c, id: id("relu"), weight: wU, bias: bU, outChannels: U, shape: [U, ...hw], unitOrigin: reluCh.map((ch) => ch.origin) };
    const resU = res ? residualLayers(res, convU.id, [U, ...hw], mixResidual(res, reluCh.map((ch) => ch.mix), HW), "relu") : undefined;
    const actU: Layer = { kind: "act", fn: "relu", id: id("relu_act"), inputs: [resU ? resU.out : convU.id], shape: [U, ...hw], dtype: c.dtype, origin: relu.origin };
    const flatU: Layer = { kind: "reshape", id: id("relu_flat"), inputs: [actU.id], shape: [U * HW], dtype: c.dtype, origin: rd.flat.origin };
    newLayers.push(convU, ...(resU?.layers ?? []), actU, flatU);
    parts.push(flatU.id);
  }
  // The concat the readers read: the new parts where the flatten was; rest layers without their folded units.
  // Rest units folded exactly go; one folded with a mismatch stays, and a unit l * (conv row) read with -w_r
  // takes back what was folded (conv-abs-fold.ts).
  // (With a residual a copy of the conv row is not a copy of the unit, which adds the residual: none goes.)
  const EXACT = res ? -1 : 1e-6;
  const restKeep = new Map<string, number[]>();
  const comps = new Map<string, Folded[]>();
  for (const x of oldIn) {
    if (!folded.some((f) => f.restLayer === x)) continue;
    restKeep.set(x, [...Array(widthOf(x)).keys()].filter((r) => !folded.some((f) => f.restLayer === x && f.unit === r && f.mismatch <= EXACT)));
    comps.set(x, folded.filter((f) => f.restLayer === x && f.mismatch > EXACT));
  }
  const inShape0 = net.layers.find((l) => l.id === c.inputs[0])?.shape ?? net.inputs.find((i) => i.name === c.inputs[0])!.shape;
  const restLayers = new Map<string, Layer[]>();
  if (res && [...restKeep.keys()].some((x) => (net.layers.find((l) => l.id === net.layers.find((m) => m.id === x)?.inputs[0]) as Affine | undefined)?.inFeatures !== res.aff.inFeatures)) return undefined;
  for (const [x, keep] of restKeep) {
    const act = net.layers.find((l) => l.id === x)!, aff = net.layers.find((l) => l.id === act.inputs[0]) as Affine;
    const extra = comps.get(x)!;
    const m = keep.length + extra.length;
    if (!m) { restLayers.set(aff.id, []); restLayers.set(x, []); continue; }
    const n = aff.inFeatures;
    const W = new Float32Array(m * n), b = new Float32Array(m);
    keep.forEach((r, q) => { W.set(aff.W.subarray(r * n, (r + 1) * n), q * n); b[q] = aff.b[r]; });
    extra.forEach((f, e) => {
      const t = unitRow(c, inShape0, Math.floor(f.convUnit / HW), f.convUnit % HW);
      t.idx.forEach((ix, j) => (W[(keep.length + e) * n + ix] = f.l * t.w[j]));
      b[keep.length + e] = f.l * c.bias[Math.floor(f.convUnit / HW)];
      // The unit is conv + residual: its copy l * unit takes the residual's row as well (same flattened input).
      if (res) {
        for (let ix = 0; ix < n; ix++) W[(keep.length + e) * n + ix] += f.l * res.aff.W[f.convUnit * n + ix];
        b[keep.length + e] += f.l * res.aff.b[f.convUnit];
      }
    });
    const uo = (l: Layer, r: number) => l.unitOrigin?.[r] ?? [`${l.id}:${r}`];
    const origins = [...keep.map((r) => uo(aff, r)), ...extra.map((f) => unitsOf(c, Math.floor(f.convUnit / HW)))];
    restLayers.set(aff.id, [{ ...aff, W, b, outFeatures: m, shape: [m], unitOrigin: origins }]);
    restLayers.set(x, [{ ...act, shape: [m], unitOrigin: origins }]);
  }
  // Per new concat column: an old reader column, or abs entry q*HW + p of the merged weights.
  const cols: { old?: number; abs?: number; lin?: number; neg?: boolean; relu?: number; p?: number }[] = [];
  const catInputs: string[] = [];
  for (const x of oldIn) {
    const off = offsetOf.get(x)!;
    if (x === rd.flat.id) {
      catInputs.push(...parts);
      for (let t = 0; t < P * HW; t++) cols.push({ abs: t });
      reluCh.forEach((_, q) => { for (let p = 0; p < HW; p++) cols.push({ relu: q, p }); });
    } else if (restKeep.has(x)) {
      const keep = restKeep.get(x)!, extra = comps.get(x)!;
      if (keep.length + extra.length) catInputs.push(x);
      for (const r of keep) cols.push({ old: off + r });
      for (const f of extra) cols.push({ old: off + f.unit, neg: true });
    } else {
      catInputs.push(x);
      for (let r = 0; r < widthOf(x); r++) cols.push({ old: off + r });
    }
  }
  // The linear remainder's columns: over the conv input, flattened (an existing flatten of it, or a new one).
  const inId = c.inputs[0];
  const inShape = net.layers.find((l) => l.id === inId)?.shape ?? net.inputs.find((i) => i.name === inId)!.shape;
  const nIn = inShape.reduce((a2, b2) => a2 * b2, 1);
  const linear = [...halves.values()].some((h) => h.some((v) => v !== 0)) && inShape.length === 3;
  // The linear remainder reads the residual's columns too: they must be the same flattened input.
  if (linear && res && res.aff.inFeatures !== nIn) return undefined;
  let inFlat: Layer | undefined;
  if (linear) {
    inFlat = net.layers.find((l) => l.kind === "reshape" && l.inputs[0] === inId && l.shape.length === 1 && l.shape[0] === nIn) ?? { kind: "reshape", id: id("in_flat"), inputs: [inId], shape: [nIn], dtype: c.dtype, origin: c.origin };
    catInputs.push(inFlat.id);
    for (let t = 0; t < nIn; t++) cols.push({ lin: t });
  }
  const total = cols.length;
  const catId = rd.concat ? rd.concat.id : id("cat");
  const cat: Layer = { kind: "concat", axis: 0, id: catId, inputs: catInputs, shape: [total], dtype: c.dtype, origin: rd.concat?.origin ?? rd.flat.origin };
  // Reader columns: abs channel q: (w_i s_i + w_j s_j) / 2 (folded copies included); the rest as they were.
  const newAff = new Map<string, Layer>();
  for (const a of rd.affines) {
    const W = new Float32Array(a.outFeatures * total), b = Float32Array.from(a.b);
    const mw = merged.get(a.id)!, half = halves.get(a.id)!;
    const linAt = total - (linear ? nIn : 0);
    for (let o = 0; o < a.outFeatures; o++) {
      const ea = eff.get(a.id)!;
      cols.forEach((col, t) => {
        if (col.lin !== undefined) return;
        W[o * total + t] = col.abs !== undefined ? mw[o * P * HW + col.abs] : col.relu !== undefined ? reluCh[col.relu].col(ea, o, col.p!) : (col.neg ? -1 : 1) * a.W[o * a.inFeatures + col.old!];
      });
      if (!linear) continue;
      const D = new Float64Array(nIn);
      let d = 0;
      for (let q = 0; q < P; q++) {
        for (let p = 0; p < HW; p++) {
          const h = half[(o * P + q) * HW + p];
          if (h === 0) continue;
          const t = unitRow(convA as Conv, inShape, q, p);
          t.idx.forEach((ix, j) => (D[ix] += h * t.w[j]));
          d += h * bA[q];
          if (resRowsA) {
            const off = (q * HW + p) * nIn;
            for (let ix = 0; ix < nIn; ix++) D[ix] += h * resRowsA.W[off + ix];
            d += h * resRowsA.b[q * HW + p];
          }
        }
      }
      for (let t = 0; t < nIn; t++) W[o * total + linAt + t] = D[t];
      b[o] += d;
    }
    newAff.set(a.id, { ...a, W, b, inFeatures: total, inputs: a.inputs.map((x) => (x === (rd.concat?.id ?? rd.flat.id) ? catId : x)) });
  }
  // Layers in order: the new conv path where the conv stood; the concat where it (or the flatten) stood.
  const gone = new Set([c.id, relu.id, rd.flat.id, ...(res ? [res.add.id, res.img.id, res.aff.id] : [])]);
  const layers: Layer[] = [];
  for (const l of net.layers) {
    if (l.id === c.id) layers.push(...newLayers, ...(inFlat && !net.layers.includes(inFlat) ? [inFlat] : []));
    if (gone.has(l.id)) {
      if (l.id === rd.flat.id && !rd.concat) layers.push(cat);
      continue;
    }
    if (rd.concat && l.id === rd.concat.id) { layers.push(cat); continue; }
    if (restLayers.has(l.id)) { layers.push(...restLayers.get(l.id)!); continue; }
    layers.push(newAff.get(l.id) ?? l);
  }
  return { net: { ...net, layers }, report: { conv: c.id, pairs, unpaired, folded: folded.length } };
}

/** Max |b - a| over the outputs on the analysis sample (undefined without one). */
function measure(a: Net, b: Net, stats?: NetStats): number | undefined {
  const feeds = stats?.sample.inputs;
  if (!feeds || a.inputs.some((i) => !feeds[i.name])) return undefined;
  const ya = runNet(a, feeds, { keep: [] }).outputs, yb = runNet(b, feeds, { keep: [] }).outputs;
  let m = 0;
  for (const k of Object.keys(ya)) {
    const x = ya[k].data, y = yb[k].data;
    for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(Number(x[i]) - Number(y[i])));
  }
  return m;
}

function maxOut(net: Net, stats: NetStats): number {
  const ys = runNet(net, stats.sample.inputs, { keep: [] }).outputs;
  let m = 0;
  for (const t of Object.values(ys)) for (const v of t.data) m = Math.max(m, Math.abs(Number(v)));
  return m;
}
