// Shared by QuantizeLinear and DequantizeLinear: which scale / zero point each element uses
// (per tensor, per axis, or per block along an axis) and the integer ranges of the quantized types;
// and by ConvInteger and MatMulInteger: their (u)int8 operands and zero points.
import type { Node } from "../../graph/graph.ts";
import { OpError } from "../../errors.ts";
import { sizeOf, type DType, type NumericArray, type Tensor } from "../../graph/tensor.ts";
import { attrInt, type OpCtx } from "../op.ts";
import { checkType } from "./elementwise.ts";
import { need, normAxis } from "./shaping.ts";

/** Representable range of each quantized integer type. */
export const QRANGE: Partial<Record<DType, [number, number]>> = {
  uint8: [0, 255], int8: [-128, 127], uint16: [0, 65535], int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
};

/** Round to nearest, ties to even (numpy's rint, C's nearbyint). */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * For every element of x, the index of its scale: 0 for a scalar scale, the axis coordinate for a
 * 1-D per-axis scale, or the block position for blocked scales (opset 21 block_size).
 */
export function scaleIndex(ctx: OpCtx, xShape: readonly number[], scale: Tensor): Int32Array | null {
  const node = ctx.node;
  const n = sizeOf(scale.shape);
  if (n === 1 && scale.shape.length <= 1) return null;
  const rank = xShape.length;
  const axis = normAxis(node, attrInt(node, "axis", 1), rank);
  const dim = xShape[axis];
  const outer = sizeOf(xShape.slice(0, axis));
  const inner = sizeOf(xShape.slice(axis + 1));
  const blockSize = attrInt(node, "block_size", 0);
  const idx = new Int32Array(sizeOf(xShape));
  if (blockSize <= 0) {
    if (scale.shape.length !== 1 || n !== dim) {
      throw new OpError(node, `per-axis scale must be 1-D of length ${dim} (axis ${axis}), got [${scale.shape.join(", ")}]`);
    }
    for (let o = 0, k = 0; o < outer; o++) for (let a = 0; a < dim; a++) for (let i = 0; i < inner; i++) idx[k++] = a;
    return idx;
  }
  const nb = Math.ceil(dim / blockSize);
  const want = xShape.map((d, i) => (i === axis ? nb : d));
  if (scale.shape.length !== rank || scale.shape.some((d, i) => d !== want[i])) {
    throw new OpError(node, `blocked scale must have shape [${want.join(", ")}], got [${scale.shape.join(", ")}]`);
  }
  for (let o = 0, k = 0; o < outer; o++) {
    for (let a = 0; a < dim; a++) {
      const base = (o * nb + Math.floor(a / blockSize)) * inner;
      for (let i = 0; i < inner; i++) idx[k++] = base + i;
    }
  }
  return idx;
}

/** The zero point values (or a single 0), checked to match the scale's shape. */
export function zeroPoints(node: Node, zp: Tensor | undefined, scale: Tensor): ArrayLike<number> {
  if (!zp) return [0];
  if (zp.dtype === "string" || sizeOf(zp.shape) !== sizeOf(scale.shape)) {
    throw new OpError(node, `zero point ${zp.dtype}[${zp.shape.join(", ")}] does not match scale [${scale.shape.join(", ")}]`);
  }
  return zp.data as NumericArray;
}

/** The operand types of ConvInteger and MatMulInteger. */
export const Q8: readonly DType[] = ["int8", "uint8"];

/** Operands 0 and 1 of ConvInteger / MatMulInteger (tensors or shape infos): present and (u)int8, named as the spec names them. */
export function q8Operands<T extends { dtype: DType }>(node: Node, inputs: readonly (T | undefined)[], names: [string, string]): [T, T] {
  const [a, b] = names.map((what, i) => {
    const t = need(node, inputs, i, what);
    checkType(node, t.dtype, Q8, what);
    return t;
  });
  return [a, b];
}

/** The zero point of an integer op's operand, checked to have the operand's type; undefined when absent. */
export function zeroPointOf(node: Node, zp: Tensor | undefined, of: Tensor, what: string): Tensor | undefined {
  if (zp && zp.dtype !== of.dtype) throw new OpError(node, `${what} has type ${zp.dtype} but its input has type ${of.dtype}`);
  return zp;
}
