// Opaque fragments that only move values around (Slice, Gather with constant indices, Transpose, ...): each output
// element is one input element, found by running the fragment on the element indices themselves. Bounds then
// pass through exactly (IBP: pick the bounds; CROWN: scatter the coefficients back).
import type { Layer } from "../net/net.ts";
import { runLayer } from "../net/run.ts";

/** Ops that can only select, reorder or copy elements, by domain: ONNX's, and pseudonet's sequence-op domain (its
 *  SliceAxis is x[..., a:b, ...], which normalize writes for the slices of a repeated sub-network). The probe below
 *  checks that the fragment selects whatever its ops are. */
const SELECT_OPS: Record<string, ReadonlySet<string>> = {
  "": new Set(["Slice", "Gather", "GatherElements", "Transpose", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Concat", "Identity", "Split", "Expand", "Tile", "Constant", "Shape"]),
  "pseudonet.seq": new Set(["SliceAxis"]),
};

const cache = new WeakMap<Layer, Int32Array | null>();

/** For a single-input opaque layer of selection ops: per output element, the input element it copies. */
export function selectionOf(l: Layer, inShape: readonly number[]): Int32Array | undefined {
  if (l.kind !== "opaque" || !l.perSample || l.inputs.length !== 1 || inShape.some((d) => d < 0)) return undefined;
  let s = cache.get(l);
  if (s === undefined) {
    s = l.graph.nodes.every((n) => SELECT_OPS[n.domain]?.has(n.op)) ? probe(l, inShape) : null;
    cache.set(l, s);
  }
  return s ?? undefined;
}

// Run the fragment on the indices (i) and on 2i + 1: a pure selection maps both the same way.
function probe(l: Layer, inShape: readonly number[]): Int32Array | null {
  const n = inShape.reduce((a, b) => a * b, 1);
  if (n > 1 << 22) return null;
  const run = (f: (i: number) => number) => {
    try {
      const y = runLayer(l, [{ dtype: "float32", shape: [1, ...inShape], data: Float32Array.from({ length: n }, (_, i) => f(i)) }]);
      return y.dtype === "float32" ? (y.data as Float32Array) : null;
    } catch {
      return null;
    }
  };
  const a = run((i) => i), b = run((i) => 2 * i + 1);
  if (!a || !b || a.length !== b.length) return null;
  const idx = new Int32Array(a.length);
  for (let k = 0; k < a.length; k++) {
    const i = a[k];
    if (!Number.isInteger(i) || i < 0 || i >= n || b[k] !== 2 * i + 1) return null;
    idx[k] = i;
  }
  return idx;
}
