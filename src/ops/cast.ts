// Cast: convert to the dtype named by `to` (the TensorProto.DataType code; before opset 6 a type name).
// Float -> int truncates toward zero. Out of range (and NaN) the spec says nothing; we do what onnxruntime and
// numpy do on x86-64 (a C cast: cvttss2si into int32 or int64, giving INT_MIN when it doesn't fit, then the
// narrow types keep the low bits), so `verify` against onnxruntime agrees even there (NaN -> uint32/uint64
// excepted: onnxruntime itself gives 0 or 2^31 / 2^63 depending on the element's position). Int -> int wraps, as in C
// and numpy. Anything -> bool is x != 0. Strings parse with the spec's INF/NaN literals.
// Not supported: bfloat16, the float8/float4/e8m0 and int4/int2 families, complex (no storage for them).
import type { Node } from "../graph/graph.ts";
import { allocData, floatToHalf, isFloat, roundTo, type DType, type NumericArray, type Tensor } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";
import { foldable, required } from "./util/elementwise.ts";
import type { OpCtx } from "./op.ts";

/** TensorProto.DataType codes of the dtypes we store, and names of those we don't (for error messages). */
const CODES: Record<number, DType | string> = {
  1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64", 8: "string",
  9: "bool", 10: "float16", 11: "float64", 12: "uint32", 13: "uint64", 14: "complex64", 15: "complex128",
  16: "bfloat16", 17: "float8e4m3fn", 18: "float8e4m3fnuz", 19: "float8e5m2", 20: "float8e5m2fnuz",
  21: "uint4", 22: "int4", 23: "float4e2m1", 24: "float8e8m0", 25: "uint2", 26: "int2",
};

/** Type names of opset-1 Cast (`to` was a string). */
const NAMES: Record<string, DType> = {
  FLOAT: "float32", UINT8: "uint8", INT8: "int8", UINT16: "uint16", INT16: "int16", INT32: "int32",
  INT64: "int64", STRING: "string", BOOL: "bool", FLOAT16: "float16", DOUBLE: "float64", UINT32: "uint32", UINT64: "uint64",
};

const STORED = new Set<string>(["float32", "uint8", "int8", "uint16", "int16", "int32", "int64", "string", "bool", "float16", "float64", "uint32", "uint64"]);

export interface CastAttrs {
  /** Target dtype. */
  to: DType;
}

/** Read and check Cast's `to` attribute. */
export function castAttrs(ctx: OpCtx): CastAttrs {
  const a = ctx.node.attrs.to;
  if (!a) throw new OpError(ctx.node, "missing required attribute 'to'");
  if (a.kind === "string") {
    const to = NAMES[a.value.toUpperCase()];
    if (!to) throw new OpError(ctx.node, `unknown target type '${a.value}'`);
    return { to };
  }
  if (a.kind !== "int") throw new OpError(ctx.node, `attribute 'to' should be an int, got ${a.kind}`);
  return { to: storedDtype(ctx.node, a.value) };
}

/** The dtype for a TensorProto.DataType code, or an OpError naming an unsupported one. */
export function storedDtype(node: Node, code: number): DType {
  const name = CODES[code];
  if (name === undefined) throw new OpError(node, `unknown data type code ${code}`);
  if (!STORED.has(name)) throw new OpError(node, `casting to ${name} is not supported (no storage for it here)`);
  return name as DType;
}

/** Parse a string element as the spec says: decimal or scientific literals, and INF/+INF/-INF/NaN in any case. */
function parseNumber(s: string): number {
  const t = s.trim().toUpperCase();
  if (t === "INF" || t === "+INF" || t === "INFINITY" || t === "+INFINITY") return Infinity;
  if (t === "-INF" || t === "-INFINITY") return -Infinity;
  if (t === "NAN") return NaN;
  return Number(t);
}

/** Shortest decimal string that reads back to the same value in the source precision. */
function formatNumber(x: number, from: DType): string {
  if (x !== x) return "NaN";
  if (x === Infinity) return "INF";
  if (x === -Infinity) return "-INF";
  if (from === "float32" || from === "float16") {
    for (let p = 1; p <= 9; p++) {
      const s = Number(x.toPrecision(p));
      if ((from === "float32" ? Math.fround(s) : floatToHalf(s)) === (from === "float32" ? x : floatToHalf(x))) return String(s);
    }
  }
  return String(x);
}

const I32_MIN = -(2 ** 31);
const I64_MIN = -(2 ** 63);

/** A C cast float -> int32 on x86 (cvttss2si): truncate; NaN or out of range gives INT_MIN. */
function cvtI32(v: number): number {
  const t = Math.trunc(v) + 0; // + 0: no -0 in integer results
  return t >= I32_MIN && t < 2 ** 31 ? t : I32_MIN;
}

/** A C cast float -> int64 on x86: truncate; NaN or out of range gives INT64_MIN. */
function cvtI64(v: number): number {
  const t = Math.trunc(v) + 0;
  return t >= I64_MIN && t < 2 ** 63 ? t : I64_MIN;
}

/** Float values to an integer dtype as compiled C casts do on x86-64 (see the header). */
function floatToInt(src: ArrayLike<number>, out: NumericArray, to: DType): void {
  const n = src.length;
  if (to === "int64") for (let i = 0; i < n; i++) out[i] = cvtI64(src[i]);
  else if (to === "uint64") {
    // Unsigned 64-bit: values from 2^63 go through x - 2^63 with the top bit set back; negatives wrap.
    for (let i = 0; i < n; i++) {
      const v = src[i];
      const t = v < 2 ** 63 ? cvtI64(v) : cvtI64(v - 2 ** 63);
      out[i] = v < 2 ** 63 ? (t < 0 ? t + 2 ** 64 : t) : t === I64_MIN ? 0 : t + 2 ** 63;
    }
  } else if (to === "uint32") {
    // Same trick at 32 bits; the Uint32Array store wraps negatives.
    for (let i = 0; i < n; i++) {
      const v = src[i];
      out[i] = v < 2 ** 31 ? cvtI32(v) : cvtI32(v - 2 ** 31) ^ I32_MIN;
    }
  } else for (let i = 0; i < n; i++) out[i] = cvtI32(src[i]); // narrow stores keep the low bits
}

/** Numeric source values as numbers (strings parsed). */
function sourceNumbers(x: Tensor): ArrayLike<number> {
  return x.dtype === "string" ? (x.data as string[]).map(parseNumber) : (x.data as NumericArray);
}

/** Convert a tensor to dtype `to` (a fresh tensor, never sharing the input's storage). */
export function castTensor(x: Tensor, to: DType): Tensor {
  const n = x.data.length;
  const shape = [...x.shape];
  if (to === "string") {
    const src = x.data;
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = x.dtype === "string" ? (src as string[])[i] : formatNumber((src as NumericArray)[i], x.dtype);
    return { dtype: to, shape, data: out };
  }
  const src = sourceNumbers(x);
  const out = allocData(to, n) as NumericArray;
  if (to === "bool") {
    for (let i = 0; i < n; i++) out[i] = src[i] !== 0 ? 1 : 0;
  } else if (isFloat(to)) {
    for (let i = 0; i < n; i++) out[i] = src[i];
    roundTo(to, out);
  } else if (isFloat(x.dtype) || x.dtype === "string") {
    floatToInt(src, out, to);
  } else if (to === "uint64") {
    // Integer sources wrap; uint64 lives in a Float64Array, which would not.
    for (let i = 0; i < n; i++) out[i] = src[i] < 0 ? src[i] + 2 ** 64 : src[i];
  } else if (to === "int64") {
    for (let i = 0; i < n; i++) out[i] = src[i] >= 2 ** 63 ? src[i] - 2 ** 64 : src[i];
  } else {
    for (let i = 0; i < n; i++) out[i] = src[i];
  }
  return { dtype: to, shape, data: out };
}

export const Cast = foldable({
  name: "Cast",
  shape(infos, ctx) {
    const x = required(ctx.node, infos, 0);
    return [{ dtype: castAttrs(ctx).to, shape: x.shape }];
  },
  run(inputs, ctx) {
    return [castTensor(required(ctx.node, inputs, 0), castAttrs(ctx).to)];
  },
});
