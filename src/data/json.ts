// Data as JSON nested arrays: [[0.1, 0.2], [0.3, 0.4]] -> a [2, 2] tensor.
import { stridesOf, tensor, type DType, type NumericArray, type Tensor } from "../graph/tensor.ts";
import { UserError } from "../errors.ts";

/** Parse JSON text holding a rectangular nested array of numbers (or booleans) into a tensor. */
export function parseJsonData(text: string): Tensor {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UserError(text.trim() === "" ? "the file is empty, expected a JSON array" : `invalid JSON: ${(e as Error).message}`);
  }
  return nestedToTensor(v);
}

/** The most dimensions a JSON data array may have. */
const MAX_RANK = 32;

/** Turn a rectangular nested array of numbers or booleans into a tensor: int64 if all integers, bool if all booleans, else float64. */
export function nestedToTensor(v: unknown): Tensor {
  const shape: number[] = [];
  for (let cur: unknown = v; Array.isArray(cur); cur = cur[0]) {
    shape.push(cur.length);
    if (cur.length === 0) break;
  }
  // Deeper nesting than any tensor has (ONNX allows few dims) would only exhaust the stack while walking it.
  if (shape.length > MAX_RANK) throw new UserError(`the array is nested ${shape.length} levels deep; at most ${MAX_RANK} dimensions are supported`);
  const flat: (number | boolean)[] = [];
  walk(v, 0, shape, "", flat);
  let kind: "bool" | "int" | "float" | undefined;
  for (let i = 0; i < flat.length; i++) {
    const x = flat[i];
    const k = typeof x === "boolean" ? "bool" : Number.isInteger(x) ? "int" : "float";
    if (kind === undefined) kind = k;
    else if (kind !== k) {
      if (kind === "bool" || k === "bool") throw new UserError("the array mixes booleans and numbers");
      kind = "float";
    }
  }
  const dtype: DType = kind === "bool" ? "bool" : kind === "int" && flat.every((x) => Number.isSafeInteger(x)) ? "int64" : "float64";
  return tensor(dtype, shape, flat.map(Number));
}

function walk(v: unknown, depth: number, shape: number[], path: string, flat: (number | boolean)[]): void {
  const here = path === "" ? "the top level" : `element ${path}`;
  if (depth < shape.length) {
    if (!Array.isArray(v)) throw new UserError(`not rectangular: ${here} is ${describe(v)}, expected an array of ${shape[depth]}`);
    if (v.length !== shape[depth]) {
      const first = path === "" ? "" : ` like ${"[0]".repeat(depth)}`;
      throw new UserError(`not rectangular: ${here} has ${v.length} entries, expected ${shape[depth]}${first}`);
    }
    v.forEach((x, i) => walk(x, depth + 1, shape, `${path}[${i}]`, flat));
    return;
  }
  if (typeof v === "number" || typeof v === "boolean") {
    flat.push(v);
    return;
  }
  if (Array.isArray(v)) throw new UserError(`not rectangular: ${here} is an array where ${"[0]".repeat(depth) || "the first entry"} is a number`);
  throw new UserError(`${here} is ${describe(v)}, expected a number`);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}...` : v)}`;
  return `a ${typeof v}`;
}

/** A tensor as JSON nested arrays (what parseJsonData reads back); non-finite floats become null. */
export function tensorToNested(t: Tensor): unknown {
  const d = t.data;
  const str = t.dtype === "string";
  const strides = stridesOf(t.shape);
  const at = (i: number): unknown => {
    if (str) return (d as string[])[i];
    const x = (d as NumericArray)[i];
    if (t.dtype === "bool") return x !== 0;
    return Number.isFinite(x) ? x : null;
  };
  const build = (axis: number, off: number): unknown => {
    if (axis === t.shape.length) return at(off);
    const out = new Array(t.shape[axis]);
    for (let i = 0; i < t.shape[axis]; i++) out[i] = build(axis + 1, off + i * strides[axis]);
    return out;
  };
  return build(0, 0);
}
