// ONNX TensorProto.DataType codes <-> pseudonet dtypes. The codes are ONNX's, not protobuf's: kernels that
// read a dtype attribute (Cast's `to`, ConstantOfShape, ...) can use dtypeOfCode too.
import type { DType } from "../graph/tensor.ts";
import { UserError } from "../errors.ts";

const CODE_OF: Record<DType, number> = {
  float32: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, string: 8, bool: 9,
  float16: 10, float64: 11, uint32: 12, uint64: 13,
};

const DTYPE_OF = new Map<number, DType>(Object.entries(CODE_OF).map(([d, c]) => [c, d as DType]));

/** ONNX names of every data type code, for messages about the ones pseudonet does not hold. */
const ONNX_NAMES: Record<number, string> = {
  0: "UNDEFINED", 1: "FLOAT", 2: "UINT8", 3: "INT8", 4: "UINT16", 5: "INT16", 6: "INT32", 7: "INT64",
  8: "STRING", 9: "BOOL", 10: "FLOAT16", 11: "DOUBLE", 12: "UINT32", 13: "UINT64", 14: "COMPLEX64",
  15: "COMPLEX128", 16: "BFLOAT16", 17: "FLOAT8E4M3FN", 18: "FLOAT8E4M3FNUZ", 19: "FLOAT8E5M2",
  20: "FLOAT8E5M2FNUZ", 21: "UINT4", 22: "INT4", 23: "FLOAT4E2M1", 24: "FLOAT8E8M0", 25: "UINT2", 26: "INT2",
};

/** A value of a type pseudonet's Tensor cannot hold (bfloat16, float8, int4, complex, sequences, ...). */
export class UnsupportedTypeError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedTypeError";
  }
}

/** The pseudonet dtype of an ONNX data type code, or undefined when it has none. */
export function dtypeOfCode(code: number): DType | undefined {
  return DTYPE_OF.get(code);
}

/** The ONNX data type code of a dtype. */
export function codeOfDtype(dtype: DType): number {
  return CODE_OF[dtype];
}

/** ONNX's name for a data type code, e.g. 16 -> "BFLOAT16". */
export function onnxTypeName(code: number): string {
  return ONNX_NAMES[code] ?? `data type ${code}`;
}

/** The dtype of a code, or an UnsupportedTypeError naming `what` (e.g. "initializer 'w'") and the ONNX type. */
export function requireDtype(code: number, what: string): DType {
  const d = DTYPE_OF.get(code);
  if (d) return d;
  if (code === 0) throw new UserError(`${what} has no data type (UNDEFINED); the model is malformed, re-export it`);
  throw new UnsupportedTypeError(
    `${what} has type ${onnxTypeName(code)}, which pseudonet does not support ` +
      `(supported: ${Object.keys(CODE_OF).join(", ")}); convert the model to float32/float16 first`,
  );
}

/** Bytes per element of a dtype's little-endian raw_data encoding (0 for string). */
export function rawItemSize(dtype: DType): number {
  switch (dtype) {
    case "float64": case "int64": case "uint64": return 8;
    case "float32": case "int32": case "uint32": return 4;
    case "float16": case "int16": case "uint16": return 2;
    case "int8": case "uint8": case "bool": return 1;
    case "string": return 0;
  }
}
