// The ONNX protobuf messages: schema loading (protobufjs runtime reflection over onnx.proto) and the
// shapes of decoded messages. Only src/onnx/ imports this file.
import { readAsset } from "../util/assets.ts";
import protobuf from "protobufjs";

/** A 64-bit integer as protobufjs decodes it: a Long object (the `long` package is installed) or a number. */
export type Int64 = number | { toNumber(): number };

export interface PEntry {
  key: string;
  value: string;
}

export interface POpset {
  domain: string;
  version: Int64;
}

export interface PDim {
  dim_value?: Int64 | null;
  dim_param?: string | null;
}

export interface PShape {
  dim: PDim[];
}

export interface PTensorType {
  elem_type: number;
  shape?: PShape | null;
}

export interface PType {
  tensor_type?: PTensorType | null;
  sequence_type?: { elem_type?: PType | null } | null;
  optional_type?: { elem_type?: PType | null } | null;
  sparse_tensor_type?: PTensorType | null;
}

export interface PValueInfo {
  name: string;
  type?: PType | null;
}

export interface PTensor {
  dims: Int64[];
  data_type: number;
  segment?: { begin: Int64; end: Int64 } | null;
  float_data: number[];
  int32_data: number[];
  string_data: Uint8Array[];
  int64_data: Int64[];
  name: string;
  raw_data?: Uint8Array | null;
  external_data: PEntry[];
  data_location: number;
  double_data: number[];
  uint64_data: Int64[];
}

export interface PSparseTensor {
  values?: PTensor | null;
  dims: Int64[];
}

export interface PAttr {
  name: string;
  ref_attr_name: string;
  type: number;
  f: number;
  i: Int64;
  s: Uint8Array;
  t?: PTensor | null;
  g?: PGraph | null;
  sparse_tensor?: PSparseTensor | null;
  tp?: PType | null;
  floats: number[];
  ints: Int64[];
  strings: Uint8Array[];
  tensors: PTensor[];
  graphs: PGraph[];
  sparse_tensors: PSparseTensor[];
  type_protos: PType[];
}

export interface PNode {
  input: string[];
  output: string[];
  name: string;
  op_type: string;
  domain: string;
  attribute: PAttr[];
}

export interface PGraph {
  node: PNode[];
  name: string;
  initializer: PTensor[];
  sparse_initializer: PSparseTensor[];
  input: PValueInfo[];
  output: PValueInfo[];
  value_info: PValueInfo[];
}

export interface PModel {
  ir_version: Int64;
  opset_import: POpset[];
  producer_name: string;
  producer_version: string;
  doc_string: string;
  graph?: PGraph | null;
  metadata_props: PEntry[];
}

/** AttributeProto.AttributeType values. */
export const ATTR = {
  FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8,
  TENSORS: 9, GRAPHS: 10, SPARSE_TENSOR: 11, SPARSE_TENSORS: 12, TYPE_PROTO: 13, TYPE_PROTOS: 14,
} as const;

/** TensorProto.DataLocation.EXTERNAL. */
export const EXTERNAL = 1;

const root = protobuf.parse(readAsset("src/onnx/onnx.proto"), { keepCase: true }).root;

/** The protobufjs message types (decode/encode), looked up once. */
export const ModelProto = root.lookupType("onnx.ModelProto");
export const TensorProto = root.lookupType("onnx.TensorProto");

/** A decoded 64-bit integer as a JS number (exact below 2^53, which covers dims, opsets and indices). */
export function int(v: Int64 | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === "number" ? v : v.toNumber();
}

/** Was an optional field present in the decoded message (not just the prototype default). */
export function has(msg: object, field: string): boolean {
  return Object.prototype.hasOwnProperty.call(msg, field);
}

/** Decode a ModelProto; throws protobufjs errors on malformed bytes. */
export function decodeModelProto(bytes: Uint8Array): PModel {
  return ModelProto.decode(bytes) as unknown as PModel;
}

/** Decode a TensorProto; throws protobufjs errors on malformed bytes. */
export function decodeTensorProto(bytes: Uint8Array): PTensor {
  return TensorProto.decode(bytes) as unknown as PTensor;
}

/** Encode a ModelProto from a plain object (fields as in onnx.proto, int64 as numbers). */
export function encodeModelProto(msg: object): Uint8Array {
  return ModelProto.encode(msg as protobuf.Message).finish();
}

/** Encode a TensorProto from a plain object. */
export function encodeTensorProto(msg: object): Uint8Array {
  return TensorProto.encode(msg as protobuf.Message).finish();
}
