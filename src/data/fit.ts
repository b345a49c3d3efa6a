// Does data fit a model input? Checks shape (symbolic dims accept any size), converts dtypes where numpy users expect
// it, adds a missing batch axis for a single sample and flattens grids for flat-vector inputs; every change is a note.
import type { Dim, ValueInfo } from "../graph/graph.ts";
import { allocData, isFloat, roundTo, shapeStr, type DType, type NumericArray, type Tensor } from "../graph/tensor.ts";
import { UserError } from "../errors.ts";

export interface Fitted {
  tensor: Tensor;
  /** What was changed to make the data fit, one sentence each. */
  notes: string[];
}

/** Integer ranges of the integer dtypes (64-bit limited to what a double holds exactly). */
const RANGE: Partial<Record<DType, [number, number]>> = {
  int8: [-128, 127], int16: [-32768, 32767], int32: [-(2 ** 31), 2 ** 31 - 1],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint8: [0, 255], uint16: [0, 65535], uint32: [0, 2 ** 32 - 1], uint64: [0, Number.MAX_SAFE_INTEGER],
  bool: [0, 1],
};

export interface FitOptions {
  /** Accept any number of rows where the model fixes the leading dim at 1: the caller will feed the rows one at a
   *  time (as `run` does). Off by default, so the data can be fed whole. */
  rowsOneByOne?: boolean;
}

/** Check data against a model input and make it fit; `source` names the data in messages (e.g. "x.npy"). */
export function fitToInput(t: Tensor, input: ValueInfo, source: string, opts: FitOptions = {}): Fitted {
  const notes: string[] = [];
  const shaped = fitShape(t, input, source, notes, opts.rowsOneByOne ?? false);
  const typed = fitDtype(shaped, input, source, notes);
  return { tensor: typed, notes };
}

function fitShape(t: Tensor, input: ValueInfo, source: string, notes: string[], oneByOne: boolean): Tensor {
  const want = input.shape;
  if (want === null) return t;
  const what = `model input '${input.name}' expects ${shapeStr(want)}`;
  if (t.shape.length === want.length) {
    const i = t.shape.findIndex((d, k) => !dimAccepts(want[k], d, k === 0 && oneByOne));
    if (i < 0) return t;
    throw new UserError(`${source} has shape ${shapeStr(t.shape)} but ${what}: dimension ${i} is ${t.shape[i]}, expected ${want[i]}`);
  }
  // A single sample without its batch axis: accept when everything but the batch dim fits exactly.
  if (t.shape.length === want.length - 1 && dimAccepts(want[0], 1, false) && t.shape.every((d, k) => dimAccepts(want[k + 1], d, false))) {
    notes.push(`${source}: shape ${shapeStr(t.shape)} taken as one sample; added a batch axis to make it ${shapeStr([1, ...t.shape])}`);
    return { ...t, shape: [1, ...t.shape] };
  }
  // Images (or any grid) for a model that takes flat vectors: [N, 1, 28, 28] -> [N, 784] when the sizes agree.
  const rowSize = t.shape.slice(1).reduce((a, b) => a * b, 1);
  if (want.length === 2 && t.shape.length > 2 && typeof want[1] === "number" && rowSize === want[1] && dimAccepts(want[0], t.shape[0], oneByOne)) {
    notes.push(`${source}: flattened each sample ${shapeStr(t.shape.slice(1))} to [${rowSize}] to match ${shapeStr(want)}`);
    return { ...t, shape: [t.shape[0], rowSize] };
  }
  throw new UserError(
    `${source} has ${t.shape.length} dimension${t.shape.length === 1 ? "" : "s"} ${shapeStr(t.shape)} but ${what} (${want.length} dimensions)`,
  );
}

/** Whether a model dimension accepts a data size; with `rows`, a dim fixed at 1 accepts any count (fed one by one). */
function dimAccepts(want: Dim, got: number, rows: boolean): boolean {
  if (typeof want !== "number") return true;
  return want === got || (rows && want === 1);
}

function fitDtype(t: Tensor, input: ValueInfo, source: string, notes: string[]): Tensor {
  const want = input.dtype;
  if (t.dtype === want) return t;
  const to = `model input '${input.name}' wants ${want}`;
  if (t.dtype === "string" || want === "string") throw new UserError(`${source} holds ${t.dtype} but ${to}`);
  if (isFloat(want)) {
    notes.push(`${source}: converted ${t.dtype} to ${want}`);
    return convert(t, want);
  }
  // Integer or bool input (token ids, indices, masks): floats would be silently truncated, so refuse them.
  if (isFloat(t.dtype)) {
    throw new UserError(`${source} holds ${t.dtype} but ${to}; convert it to integers first (e.g. x.astype(np.${npName(want)}))`);
  }
  const range = RANGE[want]!;
  const d = t.data as NumericArray;
  for (let i = 0; i < d.length; i++) {
    if (d[i] < range[0] || d[i] > range[1]) {
      throw new UserError(`${source} holds ${t.dtype} value ${d[i]} at flat index ${i}, which does not fit the ${want} that model input '${input.name}' wants`);
    }
  }
  notes.push(`${source}: converted ${t.dtype} to ${want}`);
  return convert(t, want);
}

function npName(d: DType): string {
  return d === "bool" ? "bool_" : d;
}

/** Copy a numeric tensor into another numeric dtype (values assumed representable, floats rounded as the dtype stores them). */
export function convert(t: Tensor, dtype: DType): Tensor {
  const out = allocData(dtype, t.data.length) as NumericArray;
  const src = t.data as NumericArray;
  if (dtype === "bool") for (let i = 0; i < src.length; i++) out[i] = src[i] ? 1 : 0;
  else out.set(src);
  roundTo(dtype, out);
  return { dtype, shape: [...t.shape], data: out };
}

/** Check that inputs sharing a symbolic dimension (e.g. "batch") give it one size; returns the sizes found. */
export function checkSymbols(fed: readonly { input: ValueInfo; tensor: Tensor; source: string }[]): Map<string, number> {
  const seen = new Map<string, { size: number; where: string }>();
  for (const { input, tensor: t, source } of fed) {
    input.shape?.forEach((d, k) => {
      if (typeof d !== "string" || k >= t.shape.length) return;
      const where = `${source} (input '${input.name}', dimension ${k})`;
      const prev = seen.get(d);
      if (!prev) seen.set(d, { size: t.shape[k], where });
      else if (prev.size !== t.shape[k]) {
        throw new UserError(`dimension '${d}' is ${t.shape[k]} in ${where} but ${prev.size} in ${prev.where}`);
      }
    });
  }
  return new Map([...seen].map(([k, v]) => [k, v.size]));
}
