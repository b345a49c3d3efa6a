// units.json: what each hidden unit does on the analysis data, for the explorer and for people: per unit its
// activation histogram over probe's sample and the sample rows that drive it hardest, with those rows' inputs
// (the first model input), so a unit that no rule names can still be looked at.
import type { NetStats } from "./stats.ts";
import { firstInOrder } from "../util/first-in-order.ts";

export const UNITS_FORMAT = "pseudonet.units";

/** One unit: a histogram of its activations and its top rows (indices into `rows`) with their activations. */
export interface UnitView {
  lo: number;
  hi: number;
  counts: number[];
  top: { row: number; value: number }[];
}

export interface UnitsFile {
  format: typeof UNITS_FORMAT;
  version: 1;
  /** The input the rows show, with its per-sample shape (images are drawn, vectors tabulated). */
  input: { name: string; shape: number[] } | null;
  /** Inputs of the rows some unit lists among its top ones, by row number of probe's sample. */
  rows: Record<string, number[]>;
  /** Per layer id: one entry per unit. Vector-valued layers only (a conv channel has no single activation). */
  layers: Record<string, UnitView[]>;
  /** Why a layer was left out (too wide, not a vector). */
  skipped: { layer: string; reason: string }[];
}

/** Bins per histogram; top rows kept per unit; widest layer described; digits kept in the inputs. */
export const BINS = 20, TOP = 4, MAX_UNITS = 4096, DIGITS = 3;

/** The units file for a probed Net (deterministic: same stats, same text). */
export function unitsFile(stats: NetStats): UnitsFile {
  const sample = stats.sample;
  const names = Object.keys(sample.inputs);
  const first = names.length ? sample.inputs[names[0]] : undefined;
  const input = first ? { name: names[0], shape: first.shape.slice(1) as number[] } : null;
  const layers: Record<string, UnitView[]> = {};
  const skipped: UnitsFile["skipped"] = [];
  const used = new Set<number>();
  for (const l of stats.layers) {
    const act = sample.activations[l.layer];
    if (!act) continue;
    if (act.shape.length !== 2) {
      skipped.push({ layer: l.layer, reason: `its values are [${act.shape.slice(1).join(", ")}] per sample, not one number per unit` });
      continue;
    }
    const [n, units] = act.shape as number[];
    if (units > MAX_UNITS) {
      skipped.push({ layer: l.layer, reason: `${units} units (more than ${MAX_UNITS})` });
      continue;
    }
    const a = act.data as ArrayLike<number>;
    const views: UnitView[] = [];
    for (let u = 0; u < units; u++) {
      let lo = Infinity, hi = -Infinity, nan = false;
      for (let r = 0; r < n; r++) {
        const v = a[r * units + u];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        if (v !== v) nan = true;
      }
      const counts = new Array<number>(BINS).fill(0);
      const width = hi > lo ? (hi - lo) / BINS : 1;
      for (let r = 0; r < n; r++) counts[Math.min(BINS - 1, Math.floor((a[r * units + u] - lo) / width))]++;
      // Largest first; ties by row so the file is the same every run. The first TOP rows of that order, kept by
      // insertion as the rows go by (a full sort of every unit's rows cost more than the rest of the file).
      const cmp = (x: number, y: number) => a[y * units + u] - a[x * units + u] || x - y;
      // (NaN makes the comparator no order: then the full sort, as before.)
      const order = nan ? Array.from({ length: n }, (_, r) => r).sort(cmp) : firstInOrder(n, TOP, cmp);
      const top = order.slice(0, Math.min(TOP, n)).filter((r) => a[r * units + u] > 0).map((r) => ({ row: r, value: round(a[r * units + u]) }));
      top.forEach((t) => used.add(t.row));
      views.push({ lo: n ? round(lo) : 0, hi: n ? round(hi) : 0, counts, top });
    }
    layers[l.layer] = views;
  }
  const rows: Record<string, number[]> = {};
  if (first) {
    const size = input!.shape.reduce((p, d) => p * d, 1);
    const d = first.data as ArrayLike<number>;
    for (const r of [...used].sort((x, y) => x - y)) rows[r] = Array.from({ length: size }, (_, i) => round(Number(d[r * size + i])));
  }
  return { format: UNITS_FORMAT, version: 1, input, rows, layers, skipped };
}

function round(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(DIGITS + 1)) : 0;
}
