// The contract every operator file fulfils: a shape rule and a kernel, side by side.
import type { Attr, Dim, Node } from "../graph/graph.ts";
import type { DType, Tensor } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";

/** What shape inference knows of one value: dtype, shape (null when rank unknown) and, for small constants, the value. */
export interface ShapeInfo {
  dtype: DType;
  shape: Dim[] | null;
  /** Known when the value is constant (initialiser, Constant, folded Shape): lets Reshape, Slice, ... infer exactly. */
  value?: Tensor;
}

/** Everything a kernel or shape rule may read besides its inputs. */
export interface OpCtx {
  node: Node;
  /** The model's opset version for the node's domain: kernels whose semantics changed across versions branch on it. */
  opset: number;
}

export interface Op {
  /** ONNX op type, e.g. "Conv". */
  name: string;
  /** ONNX domain; "" for the default domain. */
  domain?: string;
  /** Output types from input types; throws OpError when inputs can't agree (e.g. Gemm inner dims differ). */
  shape(inputs: (ShapeInfo | undefined)[], ctx: OpCtx): ShapeInfo[];
  /** Compute outputs; an omitted optional input is undefined. Must not mutate inputs. */
  run(inputs: (Tensor | undefined)[], ctx: OpCtx): Tensor[];
}

/** Read an int attribute, or the default. */
export function attrInt(node: Node, name: string, dflt: number): number;
export function attrInt(node: Node, name: string): number | undefined;
export function attrInt(node: Node, name: string, dflt?: number): number | undefined {
  const a = node.attrs[name];
  if (!a) return dflt;
  if (a.kind !== "int") throw new OpError(node, `attribute '${name}' should be an int, got ${a.kind}`);
  return a.value;
}

/** Read a float attribute, or the default. */
export function attrFloat(node: Node, name: string, dflt: number): number;
export function attrFloat(node: Node, name: string): number | undefined;
export function attrFloat(node: Node, name: string, dflt?: number): number | undefined {
  const a = node.attrs[name];
  if (!a) return dflt;
  if (a.kind === "float" || a.kind === "int") return a.value;
  throw new OpError(node, `attribute '${name}' should be a float, got ${a.kind}`);
}

/** Read a string attribute, or the default. */
export function attrString(node: Node, name: string, dflt: string): string;
export function attrString(node: Node, name: string): string | undefined;
export function attrString(node: Node, name: string, dflt?: string): string | undefined {
  const a = node.attrs[name];
  if (!a) return dflt;
  if (a.kind !== "string") throw new OpError(node, `attribute '${name}' should be a string, got ${a.kind}`);
  return a.value;
}

/** Read an ints attribute, or the default. */
export function attrInts(node: Node, name: string, dflt: number[]): number[];
export function attrInts(node: Node, name: string): number[] | undefined;
export function attrInts(node: Node, name: string, dflt?: number[]): number[] | undefined {
  const a = node.attrs[name];
  if (!a) return dflt;
  if (a.kind === "ints" || a.kind === "floats") return a.value;
  if (a.kind === "int") return [a.value];
  throw new OpError(node, `attribute '${name}' should be a list of ints, got ${a.kind}`);
}

/** Read a floats attribute, or the default. */
export function attrFloats(node: Node, name: string, dflt: number[]): number[];
export function attrFloats(node: Node, name: string): number[] | undefined;
export function attrFloats(node: Node, name: string, dflt?: number[]): number[] | undefined {
  const a = node.attrs[name];
  if (!a) return dflt;
  if (a.kind === "floats" || a.kind === "ints") return a.value;
  throw new OpError(node, `attribute '${name}' should be a list of floats, got ${a.kind}`);
}

/** Read a strings attribute, or the default. */
export function attrStrings(node: Node, name: string, dflt: string[]): string[];
export function attrStrings(node: Node, name: string): string[] | undefined;
export function attrStrings(node: Node, name: string, dflt?: string[]): string[] | undefined {
  const a = node.attrs[name];
  if (!a) return dflt;
  if (a.kind !== "strings") throw new OpError(node, `attribute '${name}' should be a list of strings, got ${a.kind}`);
  return a.value;
}

/** Read a tensor attribute. */
export function attrTensor(node: Node, name: string): Tensor | undefined {
  const a: Attr | undefined = node.attrs[name];
  if (!a) return undefined;
  if (a.kind !== "tensor") throw new OpError(node, `attribute '${name}' should be a tensor, got ${a.kind}`);
  return a.value;
}
