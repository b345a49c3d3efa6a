// The evidence unit passes decide on: per unit of a pre-activation layer, its range on the data (every row we
// have: an exact pass claims equality on all of them) and, when the domain is a box, its interval bound over the
// whole box (src/verify/bounds.ts), which proves what the data only observes.
import type { Tensor } from "../graph/tensor.ts";
import type { Layer, Net } from "../net/net.ts";
import { unitCount } from "../net/net.ts";
import { concatRows, viewRows as sliceRows } from "../data/batch.ts"; // views: the rows are only read
import { runNet } from "../net/run.ts";
import { intervalBounds } from "../verify/bounds.ts";
import type { SimplifyState } from "./simplify.ts";
import { chunkFor } from "./report.ts";

export interface Range {
  lo: Float64Array;
  hi: Float64Array;
}

export interface UnitRanges {
  /** Per layer id, per unit: min and max of the layer's value over every row (channels: over positions too). */
  data: Map<string, Range>;
  /** Per layer id, per unit: interval bounds over the whole box, when the domain is one. */
  box?: Map<string, Range>;
  /** Rows the data ranges cover. */
  rows: number;
  /** How to name the data evidence in reports. */
  evidence: string;
}

/** Every row we have: analysis and held-out together (they are the same rows for one-sample data). */
export function allRows(s: SimplifyState): Record<string, Tensor> {
  if (s.oneSample) return s.analysis;
  return rowsOfAll(s, 0, rowCount(s));
}

/** How many rows allRows holds. */
function rowCount(s: SimplifyState): number {
  const k = Object.keys(s.analysis)[0];
  if (k === undefined) return 0;
  return s.analysis[k].shape[0] + (s.oneSample ? 0 : s.heldOut[k].shape[0]);
}

/** Rows [a, b) of allRows(s) without joining the whole: views into the analysis or held-out rows, and a copy of
 *  just the chunk that straddles the two (10,000 digits were copied whole by every pass that asked). */
function rowsOfAll(s: SimplifyState, a: number, b: number): Record<string, Tensor> {
  return Object.fromEntries(Object.keys(s.analysis).map((k) => {
    const an = s.analysis[k], m = an.shape[0];
    if (s.oneSample || b <= m) return [k, a === 0 && b === m ? an : sliceRows(an, a, b)];
    const ho = s.heldOut[k];
    if (a >= m) return [k, a === m && b === m + ho.shape[0] ? ho : sliceRows(ho, a - m, b - m)];
    return [k, concatRows([sliceRows(an, a, m), sliceRows(ho, 0, b - m)], `input '${k}'`)];
  }));
}

/** Reduce a flattened per-sample value (shape [units, ...] or [units]) to per-unit min and max. */
function perUnit(l: Layer, lo: ArrayLike<number>, hi: ArrayLike<number>, rows: number, into?: Range): Range {
  const n = unitCount(l);
  const per = l.shape.slice(1).reduce((a, b) => a * b, 1);
  const r = into ?? { lo: new Float64Array(n).fill(Infinity), hi: new Float64Array(n).fill(-Infinity) };
  if (per === 1) {
    // One value per unit and row (dense layers): unit by unit, the running pair in locals (min and max don't depend
    // on the order the values come in).
    for (let u = 0; u < n; u++) {
      let a = r.lo[u], b = r.hi[u];
      for (let i = u, end = rows * n; i < end; i += n) {
        if (lo[i] < a) a = lo[i];
        if (hi[i] > b) b = hi[i];
      }
      r.lo[u] = a;
      r.hi[u] = b;
    }
    return r;
  }
  for (let row = 0; row < rows; row++) {
    const base = row * n * per;
    for (let u = 0; u < n; u++) {
      let a = r.lo[u], b = r.hi[u];
      for (let p = 0; p < per; p++) {
        const i = base + u * per + p;
        if (lo[i] < a) a = lo[i];
        if (hi[i] > b) b = hi[i];
      }
      r.lo[u] = a;
      r.hi[u] = b;
    }
  }
  return r;
}

/** Fewest rows on which "never active" / "constant" / "never negative" may be claimed without a proof (no box,
 *  rows not the whole domain). By the rule of three, a unit never seen active in n independent rows is active on
 *  less than 3/n of the inputs at 95% confidence: below 100 rows (3%) the observation says too little to remove
 *  or linearise a unit (AlexNet explained on one sample lost 85% of its units as "never active"). */
export const MIN_OBSERVED_ROWS = 100;

/** Why observed (unproven) unit claims are declined on this evidence, or undefined when they may be made. */
export function tooFewToObserve(r: UnitRanges, s: SimplifyState): string | undefined {
  if (r.box || s.exhaustive || r.rows >= MIN_OBSERVED_ROWS) return undefined;
  return `declined: ${r.rows} row(s) are too few to claim anything from the data alone (${MIN_OBSERVED_ROWS} needed: a unit never seen active in n rows may still be active on up to 3/n of the inputs)`;
}

/** Ranges already computed per Net object, for the rows they were computed on (exact passes that change nothing
 *  return the same Net, so the next pass reuses them). */
const cached = new WeakMap<Net, { rows: Record<string, Tensor>; data: Map<string, Range>; domain?: SimplifyState["box"]; box?: Map<string, Range> }>();

/** Ranges of the given layers' units on all rows, and over the box when there is one. */
export function unitRanges(s: SimplifyState, net: Net, layers: readonly Layer[]): UnitRanges {
  let hit = cached.get(net);
  if (!hit || hit.rows !== s.analysis) {
    hit = { rows: s.analysis, data: new Map() };
    cached.set(net, hit);
  }
  const n = s.oneSample ? s.analysis[net.inputs[0]?.name]?.shape[0] ?? 0 : rowCount(s);
  const data = new Map<string, Range>();
  const missing = layers.filter((l) => !hit!.data.has(l.id));
  const ids = missing.map((l) => l.id);
  const chunk = chunkFor(net, n, s.oneSample);
  for (let st = 0; st < n && missing.length; st += chunk) {
    const feeds = s.oneSample ? s.analysis : n <= chunk ? rowsOfAll(s, 0, n) : rowsOfAll(s, st, Math.min(n, st + chunk));
    const got = runNet(net, feeds, { keep: ids }).activations;
    for (const l of missing) {
      const t = got[l.id];
      const d = t.data as ArrayLike<number>;
      data.set(l.id, perUnit(l, d, d, t.shape[0], data.get(l.id)));
    }
    if (s.oneSample) break;
  }
  for (const [k, v] of data) hit.data.set(k, v);
  for (const l of layers) data.set(l.id, hit.data.get(l.id)!);
  const out: UnitRanges = {
    data, rows: n,
    evidence: s.exhaustive ? `all ${n} points of the domain` : `the data (${n} rows, analysis and held-out)`,
  };
  if (s.box && layers.length) {
    if (!hit.box || hit.domain !== s.box) {
      hit.domain = s.box;
      const ib = intervalBounds(net, s.box);
      hit.box = new Map(net.layers.filter((l) => ib.has(l.id)).map((l) => {
        const iv = ib.get(l.id)!;
        return [l.id, perUnit(l, iv.lo, iv.hi, 1)];
      }));
    }
    const box = hit.box;
    out.box = new Map(layers.filter((l) => box.has(l.id)).map((l) => [l.id, box.get(l.id)!]));
  }
  return out;
}

/** Does the evidence prove claims over the whole domain (a box bound, or every point of the domain)? */
export function proves(r: UnitRanges): boolean {
  return r.box !== undefined;
}
