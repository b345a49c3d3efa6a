// Input data for explain when none is given: seeded samples of a declared domain (box:LO,HI, bits, normal),
// and the split of any data into an analysis part and a held-out part.
import type { ValueInfo } from "../graph/graph.ts";
import { allocData, isFloat, sizeOf, type NumericArray, type Tensor } from "../graph/tensor.ts";
import { sliceRows } from "../data/batch.ts";
import { UserError } from "../errors.ts";
import { rng } from "../util/rng.ts";

export type Domain = { kind: "box"; lo: number; hi: number } | { kind: "bits"; length?: number } | { kind: "normal" } | { kind: "tokens"; vocab: number; length: number };

export const DOMAIN_HELP = "box:LO,HI (uniform in [LO, HI]), bits (every input 0 or 1; all 2^n points when n <= 16), bits:N (the same, sequences of N steps), normal (standard normal) or tokens:V,N (sequences of N token ids below V)";

/** Parse a --domain value. */
export function parseDomain(s: string): Domain {
  const t = s.trim();
  if (t === "bits") return { kind: "bits" };
  if (t === "normal") return { kind: "normal" };
  const bl = /^bits:\s*(.+)$/.exec(t);
  if (bl) {
    const length = Number(bl[1]);
    if (!Number.isInteger(length) || length < 1) throw new UserError(`--domain ${s}: N must be a positive integer (sequences of N steps of bits), e.g. bits:20`);
    return { kind: "bits", length };
  }
  const tk = /^tokens:\s*([^,]+),\s*(.+)$/.exec(t);
  if (tk) {
    const vocab = Number(tk[1]), length = Number(tk[2]);
    if (!Number.isInteger(vocab) || vocab < 1 || !Number.isInteger(length) || length < 1) {
      throw new UserError(`--domain ${s}: V and N must be positive integers (V token ids 0..V-1, sequences of N), e.g. tokens:50257,16`);
    }
    return { kind: "tokens", vocab, length };
  }
  const m = /^box:\s*([^,]+),\s*(.+)$/.exec(t);
  if (m) {
    const lo = Number(m[1]), hi = Number(m[2]);
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) {
      throw new UserError(`--domain ${s}: LO and HI must be finite numbers with LO < HI, e.g. box:-1,1`);
    }
    return { kind: "box", lo, hi };
  }
  throw new UserError(`--domain '${s}' is not a domain; use ${DOMAIN_HELP}`);
}

/** The seeded generator behind domain sampling and the data split (the project-wide mulberry32). */
export const seededRandom = rng;

/** The largest number of input bits for which `bits` enumerates every point. */
export const MAX_EXHAUSTIVE_BITS = 16;

/** Per-sample sizes of the model inputs; throws when a dim is only known at run time (unless `runTime` gives it). */
function perSampleShapes(inputs: readonly ValueInfo[], runTime?: number): number[][] {
  return inputs.map((v) => {
    const dims = (v.shape ?? []).slice(1).map((d) => (runTime !== undefined && (typeof d !== "number" || d < 0) ? runTime : d));
    if (!v.shape || dims.some((d) => typeof d !== "number" || d < 0)) {
      throw new UserError(`model input '${v.name}' has shape [${(v.shape ?? ["?"]).map((d) => d ?? "?").join(", ")}]: a --domain needs every dim after the batch axis fixed; give --data instead`);
    }
    return dims as number[];
  });
}

/** Seeded samples of a domain shaped like the model inputs; `bits` with n <= 16 bits gives all 2^n points. */
export function sampleDomain(d: Domain, inputs: readonly ValueInfo[], samples: number, seed: number): { tensors: Tensor[]; note: string; exhaustive: boolean } {
  // tokens:V,N and bits:N: every run-time dim after the batch axis is the sequence length N.
  const shapes = perSampleShapes(inputs, d.kind === "tokens" || d.kind === "bits" ? d.length : undefined);
  const sizes = shapes.map(sizeOf);
  const total = sizes.reduce((a, b) => a + b, 0);
  const r = seededRandom(seed);
  const exhaustive = d.kind === "bits" && total <= MAX_EXHAUSTIVE_BITS;
  const n = exhaustive ? 2 ** total : samples;
  const values = (row: number, k: number): number => {
    switch (d.kind) {
      case "bits": return exhaustive ? (row >>> (total - 1 - k)) & 1 : r() < 0.5 ? 0 : 1;
      case "box": return d.lo + (d.hi - d.lo) * r();
      case "normal": case "tokens": {
        const u = 1 - r();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
      }
    }
  };
  // tokens: integer inputs hold ids uniform in 0..V-1; float inputs stay standard normal.
  const token = () => Math.floor(r() * (d.kind === "tokens" ? d.vocab : 1));
  const datas = inputs.map((v, i) => allocData(v.dtype, n * sizes[i]) as NumericArray);
  for (let row = 0; row < n; row++) {
    let k = 0;
    inputs.forEach((v, i) => {
      for (let j = 0; j < sizes[i]; j++) {
        const x = d.kind === "tokens" && !isFloat(v.dtype) ? token() : values(row, k++);
        datas[i][row * sizes[i] + j] = isFloat(v.dtype) ? x : Math.round(x);
      }
    });
  }
  const tensors = inputs.map((v, i) => ({ dtype: v.dtype, shape: [n, ...shapes[i]], data: datas[i] }));
  const what = d.kind === "box" ? `uniform in [${d.lo}, ${d.hi}]` : d.kind === "normal" ? "standard normal"
    : d.kind === "tokens" ? `sequences of ${d.length} token ids below ${d.vocab}` : exhaustive ? `all 2^${total} bit patterns` : "random bits";
  return { tensors, note: `${n} inputs ${what} (seed ${seed})`, exhaustive };
}

export interface Split {
  analysis: Tensor[];
  heldOut: Tensor[];
  /** False when there was nothing to hold out and fidelity reuses the analysis rows. */
  separate: boolean;
  /** The data is one sample whose inputs share no batch axis: never split or chunked by rows. */
  oneSample: boolean;
  note: string;
  /** When split: each analysis row's index in the data as given (ascending). */
  analysisRows?: number[];
}

/** Why the inputs' first axes are not one shared batch axis, from their declared shapes: a symbolic dim that is
 *  axis 0 of one input and a later axis of another (GPT-2's past_0 [2, batch_size, ...] beside input_ids
 *  [batch_size, seq]). Undefined when nothing says so. */
export function noSharedBatchAxis(inputs: readonly ValueInfo[]): string | undefined {
  for (const a of inputs) {
    const sym = a.shape?.[0];
    if (typeof sym !== "string" || sym === "") continue;
    for (const b of inputs) {
      const k = b.shape?.indexOf(sym) ?? -1;
      if (k > 0) return `'${sym}' is axis 0 of input '${a.name}' but axis ${k} of input '${b.name}'`;
    }
  }
  return undefined;
}

/** Split rows (same rows across inputs) into analysis and held-out parts by a seeded shuffle. When the model's
 *  declared inputs show no shared batch axis, the data cannot be split by rows: it is one sample, used whole for
 *  analysis and fidelity alike (and the note says so). */
export function splitData(data: readonly Tensor[], holdout: number, seed: number, inputs: readonly ValueInfo[] = []): Split {
  if (!(holdout >= 0 && holdout < 1)) throw new UserError(`--holdout ${holdout}: give a fraction in [0, 1), e.g. 0.2`);
  const why = noSharedBatchAxis(inputs);
  if (why) {
    const note = `the data is one sample used whole for analysis and fidelity alike (fidelity is not measured on held-out data): the inputs share no batch axis (${why})`;
    return { analysis: [...data], heldOut: [...data], separate: false, oneSample: true, note };
  }
  const n = data[0]?.shape[0] ?? 0;
  if (n === 0) throw new UserError("the data has no rows");
  for (const t of data) if (t.shape[0] !== n) throw new UserError(`every input needs the same number of rows (${n} and ${t.shape[0]} given)`);
  const nHeld = holdout === 0 || n === 1 ? 0 : Math.min(n - 1, Math.max(1, Math.round(holdout * n)));
  if (nHeld === 0) {
    const why = n === 1 ? "only 1 row" : "--holdout 0";
    return { analysis: [...data], heldOut: [...data], separate: false, oneSample: false, note: `${n} rows used for analysis and fidelity alike (${why}): fidelity is not measured on held-out data` };
  }
  const r = seededRandom(seed ^ 0x5eed);
  const perm = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  const held = perm.slice(0, nHeld).sort((a, b) => a - b);
  const ana = perm.slice(nHeld).sort((a, b) => a - b);
  const pick = (t: Tensor, rows: number[]) => {
    const row = sizeOf(t.shape.slice(1));
    const out = allocData(t.dtype, rows.length * row);
    // String tensors are plain arrays (no typed-array set); typed arrays copy each row from a view, no slice.
    if (Array.isArray(out)) rows.forEach((i, k) => out.splice(k * row, row, ...(sliceRows(t, i, i + 1).data as string[])));
    else {
      const src = t.data as NumericArray;
      rows.forEach((i, k) => (out as NumericArray).set(src.subarray(i * row, (i + 1) * row), k * row));
    }
    return { dtype: t.dtype, shape: [rows.length, ...t.shape.slice(1)], data: out };
  };
  return {
    analysis: data.map((t) => pick(t, ana)),
    heldOut: data.map((t) => pick(t, held)),
    analysisRows: ana,
    separate: true,
    oneSample: false,
    note: `${ana.length} rows for analysis, ${held.length} held out for fidelity (seed ${seed})`,
  };
}
