// probe: run the Net over the analysis data in chunks and gather per-unit statistics (stats.ts), plus the
// activations of an evenly spaced sample of rows. Streaming keeps memory flat for big conv layers; every forward
// pass (the sample's too) takes at most `chunk` rows, and a net exported with a fixed batch (often 1, baked into
// its reshapes) is run that many rows at a time.
import { allocData, isFloat, sizeOf, type NumericArray, type Tensor } from "../graph/tensor.ts";
import { concatRows } from "../data/batch.ts";
import { UserError } from "../errors.ts";
import type { Pass } from "../pipeline/pass.ts";
import type { Net } from "../net/net.ts";
import { unitAxes } from "../net/ids.ts";
import { runNet } from "../net/run.ts";
import type { LayerStats, NetStats } from "./stats.ts";

export interface ProbeInput {
  net: Net;
  /** Analysis data by Net input name; axis 0 is the row. */
  data: Record<string, Tensor>;
  /** The data is one sample whose inputs share no row axis (e.g. GPT-2's past states beside its token ids):
   *  it is run once, whole, and never split into rows. */
  oneSample?: boolean;
}

export interface ProbeOutput {
  net: Net;
  stats: NetStats;
}

export interface ProbeOptions {
  /** Rows kept whole in the activation sample (default 512; fewer when the layers are so wide that the
   *  sample would pass SAMPLE_BUDGET values, but never fewer than 16). */
  sampleRows?: number;
  /** Rows per forward pass (default: the net's fixed batch size when its inputs declare one, else 256). */
  chunk?: number;
}

/** Most activation values the sample keeps over all layers (128 MB of float32). */
export const SAMPLE_BUDGET = 1 << 25;

/** Running sums for one layer. */
class Acc {
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly sum: Float64Array;
  readonly sumSq: Float64Array;
  readonly pos: Float64Array;
  // Up to two distinct values per unit; `many` once a third shows up.
  readonly v1: Float64Array;
  readonly v2: Float64Array;
  readonly nDistinct: Uint8Array;
  /** Observations per unit so far. */
  count = 0;

  constructor(readonly units: number, readonly unitAxis: number) {
    this.min = new Float64Array(units).fill(Infinity);
    this.max = new Float64Array(units).fill(-Infinity);
    this.sum = new Float64Array(units);
    this.sumSq = new Float64Array(units);
    this.pos = new Float64Array(units);
    this.v1 = new Float64Array(units);
    this.v2 = new Float64Array(units);
    this.nDistinct = new Uint8Array(units);
  }

  /** Add a batch [rows, ...shape] of this layer's output. */
  add(t: Tensor): void {
    const d = t.data as ArrayLike<number>;
    const ax = this.unitAxis + 1;
    const outer = sizeOf(t.shape.slice(0, ax));
    const inner = sizeOf(t.shape.slice(ax + 1));
    const U = this.units;
    // Unit by unit, its running values in locals (rows of a dense layer are one value per unit: the row-major loop
    // re-read and re-wrote eight arrays per value). Each unit sees its values in the same order as before.
    for (let u = 0; u < U; u++) {
      let mn = this.min[u], mx = this.max[u], sum = this.sum[u], sumSq = this.sumSq[u], pos = this.pos[u];
      let k = this.nDistinct[u], a = this.v1[u], b = this.v2[u];
      if (inner === 1) {
        // One value per row (dense layers): the loop below without its inner loop. sum += x is sum += (0 + x):
        // they differ only for x = -0, and sum (from +0, adding values) is never -0, so adding +-0 keeps it.
        for (let o = 0, i = u; o < outer; o++, i += U) {
          const x = d[i];
          if (x < mn) mn = x;
          if (x > mx) mx = x;
          sum += x;
          sumSq += x * x;
          if (x > 0) pos++;
          if (k === 0) {
            a = x;
            k = 1;
          } else if (k < 3 && x !== a) {
            if (k === 1) {
              b = x;
              k = 2;
            } else if (x !== b) k = 3;
          }
        }
      } else for (let o = 0; o < outer; o++) {
        const base = (o * U + u) * inner;
        let s = 0, s2 = 0, p = 0;
        for (let i = 0; i < inner; i++) {
          const x = d[base + i];
          if (x < mn) mn = x;
          if (x > mx) mx = x;
          s += x;
          s2 += x * x;
          if (x > 0) p++;
          if (k === 0) {
            a = x;
            k = 1;
          } else if (k < 3 && x !== a) {
            if (k === 1) {
              b = x;
              k = 2;
            } else if (x !== b) k = 3;
          }
        }
        sum += s;
        sumSq += s2;
        pos += p;
      }
      this.min[u] = mn;
      this.max[u] = mx;
      this.sum[u] = sum;
      this.sumSq[u] = sumSq;
      this.pos[u] = pos;
      this.nDistinct[u] = k;
      this.v1[u] = a;
      this.v2[u] = b;
    }
    this.count += outer * inner;
  }

  finish(layer: string): LayerStats {
    const per = this.count;
    const mean = Array.from(this.sum, (s) => s / per);
    return {
      layer, unitAxis: this.unitAxis, units: this.units, count: per,
      min: Array.from(this.min), max: Array.from(this.max), mean,
      std: Array.from(this.sumSq, (s2, u) => Math.sqrt(Math.max(0, s2 / per - mean[u] * mean[u]))),
      fracActive: Array.from(this.pos, (p) => p / per),
      constant: Array.from(this.nDistinct, (k) => k === 1),
      binary: Array.from(this.nDistinct, (k) => k === 2),
      neverActive: Array.from(this.pos, (p) => p === 0),
    };
  }
}

/** Rows [a, b) of a tensor (a view for typed arrays). */
export function sliceRows(t: Tensor, a: number, b: number): Tensor {
  const row = sizeOf(t.shape.slice(1));
  const data = Array.isArray(t.data) ? t.data.slice(a * row, b * row) : t.data.subarray(a * row, b * row);
  return { dtype: t.dtype, shape: [b - a, ...t.shape.slice(1)], data };
}

/** Chosen rows of a tensor, copied. */
export function pickRows(t: Tensor, rows: readonly number[]): Tensor {
  const row = sizeOf(t.shape.slice(1));
  const parts = rows.map((r) => sliceRows(t, r, r + 1));
  if (Array.isArray(t.data)) return { dtype: t.dtype, shape: [rows.length, ...t.shape.slice(1)], data: parts.flatMap((p) => p.data as string[]) };
  const data = allocData(t.dtype, rows.length * row) as NumericArray;
  parts.forEach((p, i) => data.set(p.data as NumericArray, i * row));
  return { dtype: t.dtype, shape: [rows.length, ...t.shape.slice(1)], data };
}

/** The batch size a net's inputs fix (a numeric batch dim, e.g. 1), if any. */
export function fixedBatchOf(net: Net): number | undefined {
  return net.inputs.map((i) => i.batchDim).find((d): d is number => typeof d === "number" && d > 0);
}

/** Probe a Net on data; see the file comment. */
export function probe(input: ProbeInput, opts: ProbeOptions = {}): ProbeOutput {
  const { net, data } = input;
  const names = net.inputs.map((i) => i.name);
  const missing = names.filter((n) => !data[n]);
  if (missing.length) throw new UserError(`probe: no analysis data for net input(s) ${missing.join(", ")}`);
  const whole = input.oneSample === true;
  const n = whole ? 1 : data[names[0]]?.shape[0] ?? 0;
  if (!whole) {
    for (const k of names) {
      if (data[k].shape[0] !== n) throw new UserError(`probe: input '${k}' has ${data[k].shape[0]} rows, '${names[0]}' has ${n}`);
    }
  }
  if (n === 0) throw new UserError("probe: the analysis data has no rows");
  const axes = unitAxes(net);
  const skipped: NetStats["skipped"] = [];
  const accs = new Map<string, Acc>();
  for (const l of net.layers) {
    if (l.kind === "opaque" && !l.perSample) skipped.push({ layer: l.id, reason: "its output is not a per-sample value" });
    else if (!isFloat(l.dtype)) skipped.push({ layer: l.id, reason: `its output is ${l.dtype}` });
    else {
      const ax = axes.get(l.id) ?? 0;
      accs.set(l.id, new Acc(l.shape.length ? l.shape[ax] : 1, ax));
    }
  }
  const keep = [...accs.keys()];
  if (whole) {
    // One run over the data as it is; the sample is that run.
    const { activations } = runNet(net, data, { keep });
    for (const [id, acc] of accs) acc.add(activations[id]);
    const layers = net.layers.filter((l) => accs.has(l.id)).map((l) => accs.get(l.id)!.finish(l.id));
    return { net, stats: { samples: 1, layers, skipped, sample: { rows: [0], inputs: { ...data }, activations } } };
  }
  const chunk = Math.max(1, opts.chunk ?? fixedBatchOf(net) ?? 256);
  for (let a = 0; a < n; a += chunk) {
    const b = Math.min(n, a + chunk);
    const feeds = Object.fromEntries(names.map((k) => [k, sliceRows(data[k], a, b)]));
    const { activations } = runNet(net, feeds, { keep });
    for (const [id, acc] of accs) acc.add(activations[id]);
  }
  const perRow = net.layers.filter((l) => accs.has(l.id)).reduce((a, l) => a + sizeOf(l.shape), 0);
  const affordable = Math.max(16, Math.floor(SAMPLE_BUDGET / Math.max(1, perRow)));
  const m = Math.min(n, Math.max(0, opts.sampleRows ?? 512), affordable);
  const rows = Array.from({ length: m }, (_, k) => Math.floor((k * n) / m));
  const sampleInputs = Object.fromEntries(names.map((k) => [k, pickRows(data[k], rows)]));
  // The sample runs in passes of `chunk` rows too (a fixed-batch net takes no more), put back together per layer.
  const parts: Record<string, Tensor>[] = [];
  for (let a = 0; a < m; a += chunk) {
    const feeds = Object.fromEntries(names.map((k) => [k, sliceRows(sampleInputs[k], a, Math.min(m, a + chunk))]));
    parts.push(runNet(net, feeds, { keep }).activations);
  }
  const sampleActs = parts.length ? Object.fromEntries(keep.map((id) => [id, concatRows(parts.map((p) => p[id]), `layer ${id}`)])) : {};
  const layers = net.layers.filter((l) => accs.has(l.id)).map((l) => accs.get(l.id)!.finish(l.id));
  return { net, stats: { samples: n, layers, skipped, sample: { rows, inputs: sampleInputs, activations: sampleActs } } };
}

/** The probe pass with default options. */
export const probePass: Pass<ProbeInput, ProbeOutput> = {
  name: "probe",
  doc: "run the net on the analysis data: per-unit min/max/mean/activity, constant, binary and dead units, and an activation sample",
  run(input) {
    const out = probe(input);
    const count = (f: (s: LayerStats) => boolean[]) => out.stats.layers.reduce((a, s) => a + f(s).filter(Boolean).length, 0);
    const units = out.stats.layers.reduce((a, s) => a + s.units, 0);
    const dead = count((s) => s.neverActive);
    const constant = count((s) => s.constant);
    const binary = count((s) => s.binary);
    return {
      out,
      report: {
        pass: "probe",
        summary: `probed ${input.oneSample ? "the data as one sample (its inputs share no batch axis)" : `${out.stats.samples} rows`} over ${out.stats.layers.length} layers (${units} units): ${dead} never active, ${constant} constant, ${binary} binary`,
        details: [
          ...out.stats.layers.map((s) => `${s.layer}: ${s.units} units, ${s.neverActive.filter(Boolean).length} never active, ${s.constant.filter(Boolean).length} constant, ${s.binary.filter(Boolean).length} binary`),
          ...out.stats.skipped.map((s) => `${s.layer}: not probed (${s.reason})`),
          "(observations on the analysis data, not proofs over the input domain)",
        ],
      },
    };
  },
};
