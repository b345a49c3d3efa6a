// Feature groups: where no rule named a wide layer (an affine + ReLU statement, e.g. an MNIST MLP's hidden
// layers), factor its activations on the data, rows x units (non-negative after a ReLU), by NMF into k groups of
// units that fire together (Olah et al., "The Building Blocks of Interpretability", Distill 2018):
//   A (rows x units) ~ W (rows x k) H (k x units), W, H >= 0.
// H's row j says which units make up group j (its loadings); W's column j says how strongly each input shows it,
// so the inputs with the largest W[:, j] are the group's top-activating inputs.
// k: the knee of the explained-variance curve over k = 1..MAX_K (Kneedle), or the user's budget. Every unit is
// listed under the group that explains most of its activation. Seeded; the same data gives the same groups.
import type { Tensor } from "../graph/tensor.ts";
import { concatRows } from "../data/batch.ts";
import type { Net } from "../net/net.ts";
import { runNet } from "../net/run.ts";
import { fixedBatchOf, pickRows } from "../passes/probe.ts";
import type { FeatureAnalysis, FeatureGroup, FeatureLayer } from "../program/features.ts";
import type { ActSpec, Program, PrimStmt, Fn } from "../program/program.ts";
import { explainedVariance, kneeIndex, nmf, projectRows, type Nmf } from "./nmf.ts";
import { firstInOrder } from "../util/first-in-order.ts";

export interface FeatureOptions {
  /** Seed of the factorisations' starts (default 0). */
  seed?: number;
  /** Groups per statement, fixed (a budget); default: the knee of the explained-variance curve. */
  groups?: number;
}

/** Narrower statements are read unit by unit; below this many units grouping adds little. */
export const MIN_UNITS = 16;
/** Largest k tried for the knee, and widest statement factorised (wider ones are skipped, and the report says so). */
export const MAX_K = 12, MAX_UNITS = 2048;
/** Rows the factorisation is fitted on (evenly spaced), and rows ranked for top inputs (all up to this). */
export const FIT_ROWS = 512, RANK_ROWS = 20000;
/** Multiply-adds the k = 1..MAX_K curve may cost (about 4 m n k per sweep, ~50 sweeps each): wide layers are
 *  fitted on fewer rows (never fewer than MIN_FIT_ROWS) so that a layer takes seconds, not minutes. */
export const CURVE_BUDGET = 2e9, MIN_FIT_ROWS = 64;
/** Top inputs kept per group. */
export const TOP = 8;
/** Fewer analysis rows than this say too little about which units fire together. */
export const MIN_ROWS = 32;

/** What the visualisation needs of a group: the Net layer and, per unit of it, the group's loading. */
export interface FeatureObjective {
  group: string;
  layer: string;
  weights: Float64Array;
  /** The largest value of <weights, layer value> over the ranked rows. */
  dataMax: number;
  /** The group's strongest unit: its index, its largest value on the rows, the lowered units it stands for. */
  topUnit?: { index: number; dataMax: number; origin?: string[] };
}

export interface FeatureFindings {
  analysis: FeatureAnalysis;
  /** Per group (in analysis.groups order), its top inputs as indices into the analysis rows. */
  topLocal: number[][];
  objectives: FeatureObjective[];
}

/** Activations that are >= 0 for every input: the ones NMF can factor as they are. */
function nonNegative(act: ActSpec | undefined): boolean {
  if (!act) return false;
  return act.fn === "relu" || act.fn === "sigmoid" || act.fn === "exp" || act.fn === "abs" || (act.fn === "clip" && (act.min ?? -Infinity) >= 0);
}

/** Feature groups of every wide affine + non-negative-activation statement of the program, on the analysis rows.
 *  `rowIndex` maps analysis rows to rows of the data as given (identity when absent). */
export function findFeatureGroups(p: Program, net: Net, analysis: readonly Tensor[], rowIndex: readonly number[] | undefined, opts: FeatureOptions = {}): FeatureFindings {
  const seed = opts.seed ?? 0;
  const out: FeatureFindings = { analysis: { seed, layers: [], groups: [], skipped: [] }, topLocal: [], objectives: [] };
  const skip = (fn: Fn, s: PrimStmt, reason: string) => out.analysis.skipped.push({ fn: fn.name, stmt: s.out.name, reason });
  const byId = new Map(net.layers.map((l) => [l.id, l]));
  const rows = analysis[0]?.shape[0] ?? 0;
  // First the statements to factor (or why not), then one run of the Net for all their layers, then the factors.
  const todo: ({ fn: Fn; s: PrimStmt; skip: string } | { fn: Fn; s: PrimStmt; layer: Net["layers"][number]; width: number })[] = [];
  for (const fn of p.functions) {
    for (const s of fn.body) {
      if (s.kind !== "prim" || s.prim.kind !== "affine") continue;
      const width = s.out.type.kind === "vec" ? s.out.type.n : 0;
      if (!nonNegative(s.prim.params.act)) continue; // nothing to factor: values of either sign (an output layer)
      if (width < MIN_UNITS) { todo.push({ fn, s, skip: `${width} units: narrow enough to read unit by unit (grouping starts at ${MIN_UNITS})` }); continue; }
      if (width > MAX_UNITS) { todo.push({ fn, s, skip: `${width} units: wider than ${MAX_UNITS}` }); continue; }
      if (rows < MIN_ROWS) { todo.push({ fn, s, skip: `${rows} analysis rows: too few to see which units fire together (${MIN_ROWS} or more)` }); continue; }
      const last = s.prim.slice.layers[s.prim.slice.layers.length - 1];
      const layer = last && byId.get(last.id);
      if (!layer || layer.shape.length !== 1 || layer.shape[0] !== width || last.units !== null) {
        todo.push({ fn, s, skip: `its values are not one Net layer's units (layer ${last?.id ?? "?"})` });
        continue;
      }
      todo.push({ fn, s, layer, width });
    }
  }
  const acts = activations(net, [...new Set(todo.flatMap((t) => ("layer" in t ? [t.layer.id] : [])))], analysis);
  for (const t of todo) {
    const { fn, s } = t;
    if ("skip" in t) { skip(fn, s, t.skip); continue; }
    const { layer, width } = t;
    const A = { data: acts.data.get(layer.id)!, rows: acts.rows };
    {
      const f = factorLayer(A.data, A.rows, width, opts, seed);
      if (typeof f === "string") { skip(fn, s, f); continue; }
      out.analysis.layers.push({ fn: fn.name, stmt: s.out.name, width, ...f.layer });
      for (const g of f.groups) {
        const name = `feature_${out.analysis.groups.length + 1}`;
        out.analysis.groups.push({
          name, fn: fn.name, stmt: s.out.name, units: g.units, share: g.share,
          top: g.top.map((t) => ({ row: rowIndex ? rowIndex[t.row] : t.row, value: t.value })),
        });
        out.topLocal.push(g.top.map((t) => t.row));
        const u0 = g.units[0];
        const origin = u0 && layer.unitOrigin?.[u0.index];
        out.objectives.push({
          group: name, layer: layer.id, weights: g.loadings, dataMax: objectiveMax(A.data, width, g.loadings),
          ...(u0 ? { topUnit: { index: u0.index, dataMax: objectiveMax(A.data, width, oneHot(width, u0.index)), ...(origin ? { origin: [...origin] } : {}) } } : {}),
        });
      }
    }
  }
  return out;
}

/** The layers' values on the analysis rows (at most RANK_ROWS, evenly spaced), rows x units, as float64: one run
 *  of the Net for all of them. */
function activations(net: Net, ids: readonly string[], analysis: readonly Tensor[]): { data: Map<string, Float64Array>; rows: number[] } {
  const n = analysis[0]?.shape[0] ?? 0;
  const m = Math.min(n, RANK_ROWS);
  const rows = Array.from({ length: m }, (_, k) => Math.floor((k * n) / m));
  const chunk = fixedBatchOf(net) ?? 256;
  const parts = new Map<string, Tensor[]>(ids.map((id) => [id, []]));
  for (let a = 0; a < m && ids.length; a += chunk) {
    const part = rows.slice(a, a + chunk);
    const feeds = Object.fromEntries(net.inputs.map((inp, i) => [inp.name, pickRows(analysis[i], part)]));
    const got = runNet(net, feeds, { keep: [...ids] }).activations;
    for (const id of ids) parts.get(id)!.push(got[id]);
  }
  const data = new Map<string, Float64Array>();
  for (const id of ids) {
    const d = concatRows(parts.get(id)!, `layer ${id}`).data;
    // (A typed array converts in one copy; Float64Array.from with a map function costs ~50x more per value.)
    data.set(id, ArrayBuffer.isView(d) ? new Float64Array(d as Float32Array) : Float64Array.from(d as unknown as ArrayLike<number>, Number));
  }
  return { data, rows };
}

interface LayerGroups {
  layer: Omit<FeatureLayer, "fn" | "stmt" | "width">;
  groups: { units: FeatureGroup["units"]; share: number; top: { row: number; value: number }[]; loadings: Float64Array }[];
}

/** Factor one statement's activations (rows x width); a string says why not. */
function factorLayer(all: Float64Array, rows: number[], width: number, opts: FeatureOptions, seed: number): LayerGroups | string {
  const m = rows.length;
  for (let i = 0; i < all.length; i++) if (!(all[i] >= 0)) return `a value below 0 on the data (${all[i]}): NMF needs non-negative activations`;
  // Units that vary on the data; dead and constant units belong to no group.
  // (Row by row, each unit's running min and max: a column at a time strided through 8,000 rows missed the cache.)
  const lo = new Float64Array(width).fill(Infinity), hi = new Float64Array(width).fill(-Infinity);
  for (let i = 0; i < m; i++) {
    for (let u = 0; u < width; u++) { const v = all[i * width + u]; if (v < lo[u]) lo[u] = v; if (v > hi[u]) hi[u] = v; } // (no NaN here: checked above)
  }
  const cols: number[] = [];
  for (let u = 0; u < width; u++) if (hi[u] > lo[u]) cols.push(u);
  const n = cols.length;
  if (n < 2) return `${n} unit(s) vary on the data: nothing to group`;
  const A = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let c = 0; c < n; c++) A[i * n + c] = all[i * width + cols[c]];
  const perRow = 4 * n * ((MAX_K * (MAX_K + 1)) / 2) * 50;
  const fm = Math.min(m, Math.max(MIN_FIT_ROWS, Math.min(FIT_ROWS, Math.floor(CURVE_BUDGET / perRow))));
  const fit = new Float64Array(fm * n);
  for (let r = 0; r < fm; r++) fit.set(A.subarray(Math.floor((r * m) / fm) * n, Math.floor((r * m) / fm) * n + n), r * n);
  // The curve needs each k's error to about 1e-3 (a looser stop halves the time and moves no knee we saw); the
  // chosen k is then fitted to convergence.
  const fitK = (k: number, tol = 1e-4, resume?: Nmf) => nmf(fit, fm, n, k, { seed, maxSweeps: tol < 1e-4 ? 400 : 150, tol, ...(resume ? { resume } : {}) });
  let chosen, explained: number[], chosenBy: "knee" | "budget";
  if (opts.groups !== undefined) {
    chosen = fitK(Math.min(opts.groups, n), 1e-6);
    explained = [explainedVariance(fit, fm, n, chosen.sqErr)];
    chosenBy = "budget";
  } else {
    const fits = [];
    for (let k = 1; k <= Math.min(MAX_K, n); k++) fits.push(fitK(k));
    explained = fits.map((f) => explainedVariance(fit, fm, n, f.sqErr));
    // The chosen k's curve fit is the start of its converged fit (same seed, same sweeps): continue it.
    chosen = fitK(kneeIndex(explained) + 1, 1e-6, fits[kneeIndex(explained)]);
    chosenBy = "knee";
  }
  const k = chosen.k;
  // Scale each group so its largest loading is 1 (the codes take the scale), then code every ranked row.
  const H = Float64Array.from(chosen.H);
  for (let j = 0; j < k; j++) {
    let mx = 0;
    for (let c = 0; c < n; c++) mx = Math.max(mx, H[j * n + c]);
    if (mx > 0) for (let c = 0; c < n; c++) H[j * n + c] /= mx;
  }
  const W = projectRows(A, m, n, H, k);
  let total = 0;
  for (let i = 0; i < m * width; i++) total += all[i];
  const mass = new Float64Array(k); // sum over rows and units of W[:, j] H[j, :]
  for (let j = 0; j < k; j++) {
    let hs = 0;
    for (let c = 0; c < n; c++) hs += H[j * n + c];
    mass[j] = hs * colSum(W, m, k, j);
  }
  // A unit belongs to the group that puts the most of its activation there: argmax_j H[j, u] * sum_i W[i, j].
  const wsum = Array.from({ length: k }, (_, j) => colSum(W, m, k, j));
  const owner = cols.map((_, c) => {
    let best = 0;
    for (let j = 1; j < k; j++) if (H[j * n + c] * wsum[j] > H[best * n + c] * wsum[best]) best = j;
    return best;
  });
  const order = Array.from({ length: k }, (_, j) => j).sort((a, b) => mass[b] - mass[a] || a - b);
  const groups = order.map((j) => {
    const units = cols.map((u, c) => ({ index: u, loading: sig(H[j * n + c]), own: owner[c] === j })).filter((x) => x.own)
      .sort((a, b) => b.loading - a.loading || a.index - b.index).map(({ index, loading }) => ({ index, loading }));
    const top = topRows(W, m, k, j).filter((i) => W[i * k + j] > 0).map((i) => ({ row: rows[i], value: sig(W[i * k + j]) }));
    const loadings = new Float64Array(width);
    cols.forEach((u, c) => (loadings[u] = H[j * n + c]));
    return { units, share: sig(total > 0 ? mass[j] / total : 0), top, loadings };
  });
  return { layer: { units: n, fitRows: fm, rows: m, chosenBy, k, explained: explained.map(sig) }, groups };
}

/** The TOP rows of W[:, j] in the order "largest first, ties by row": kept by insertion as the rows go by (the same
 *  first rows a full sort gives; a full sort of every row per group cost more than the rest of the ranking). */
function topRows(W: Float64Array, m: number, k: number, j: number): number[] {
  const cmp = (a: number, b: number) => W[b * k + j] - W[a * k + j] || a - b;
  for (let i = 0; i < m; i++) if (W[i * k + j] !== W[i * k + j]) return Array.from({ length: m }, (_, r) => r).sort(cmp).slice(0, TOP); // (NaN: as the sort had it)
  return firstInOrder(m, TOP, cmp);
}

/** max over rows of <w, row> for a rows x width matrix. */
function objectiveMax(A: Float64Array, width: number, w: Float64Array): number {
  let best = -Infinity;
  // Over the non-zero weights only when every value is finite: the activations here are >= 0 and so are the
  // weights (loadings), so a skipped term is an exact +-0 that changes no sum (a one-hot objective reads one column).
  const nz: number[] = [];
  for (let u = 0; u < width; u++) if (w[u] !== 0) nz.push(u);
  if (nz.length < width && allFinite(A)) {
    for (let i = 0; i < A.length / width; i++) {
      let s = 0;
      for (const u of nz) s += w[u] * A[i * width + u];
      best = Math.max(best, s);
    }
    return best;
  }
  for (let i = 0; i < A.length / width; i++) {
    let s = 0;
    for (let u = 0; u < width; u++) s += w[u] * A[i * width + u];
    best = Math.max(best, s);
  }
  return best;
}

const finite = new WeakMap<Float64Array, boolean>();

/** Whether every entry is finite (memoised per array: every group of a layer asks of the same activations). */
function allFinite(A: Float64Array): boolean {
  let f = finite.get(A);
  if (f === undefined) {
    f = true;
    for (let i = 0; i < A.length; i++) if (!Number.isFinite(A[i])) { f = false; break; }
    finite.set(A, f);
  }
  return f;
}

/** A vector of zeros with 1 at i. */
export function oneHot(n: number, i: number): Float64Array {
  const v = new Float64Array(n);
  v[i] = 1;
  return v;
}

function colSum(W: Float64Array, m: number, k: number, j: number): number {
  let s = 0;
  for (let i = 0; i < m; i++) s += W[i * k + j];
  return s;
}

/** Four significant digits: what a reader needs, and a stable text. */
function sig(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(4)) : 0;
}
