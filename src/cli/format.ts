// Printing a tensor for people, numpy style, with long axes elided in the middle.
import { shapeStr, stridesOf, type NumericArray, type Tensor } from "../graph/tensor.ts";

export interface FormatOptions {
  /** Tensors with more elements than this are summarised (default 1000, as numpy). */
  threshold?: number;
  /** Items kept at each end of a summarised axis (default 3). */
  edge?: number;
}

/** "name: dtype [shape]" followed by the values as nested brackets. */
export function formatTensor(name: string, t: Tensor, opts: FormatOptions = {}): string {
  const threshold = opts.threshold ?? 1000;
  const edge = opts.edge ?? 3;
  const summarise = t.data.length > threshold;
  const strides = stridesOf(t.shape);
  const cell = (i: number): string => {
    if (t.dtype === "string") return JSON.stringify((t.data as string[])[i]);
    const v = (t.data as NumericArray)[i];
    if (t.dtype === "bool") return v ? "true" : "false";
    if (t.dtype.startsWith("float")) return Number.isInteger(v) ? `${v}.` : String(Number(v.toPrecision(6)));
    return String(v);
  };
  const build = (axis: number, off: number, indent: string): string => {
    if (axis === t.shape.length) return cell(off);
    const n = t.shape[axis];
    const idx = summarise && n > 2 * edge ? [...range(0, edge), -1, ...range(n - edge, n)] : range(0, n);
    const parts = idx.map((i) => (i < 0 ? "..." : build(axis + 1, off + i * strides[axis], indent + " ")));
    const sep = axis === t.shape.length - 1 ? ", " : `,${"\n".repeat(t.shape.length - axis - 1)}${indent} `;
    return `[${parts.join(sep)}]`;
  };
  return `${name}: ${t.dtype} ${shapeStr(t.shape)}\n${build(0, 0, "")}\n`;
}

function range(a: number, b: number): number[] {
  return Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);
}
