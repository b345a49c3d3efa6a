// fuse-affine (exact): consecutive affine maps are one affine map.
//   A2 (A1 x + b1) + b2 -> (A2 A1) x + (A2 b1 + b2)
// An affine layer over vectors absorbs every part of its input that is itself linear and read by nothing else:
// an affine layer (its parts in turn, so chains of any length collapse), an identity activation, and a
// Flatten/Reshape of a linear layer of any shape (a conv, or an affine over the last axis), whose matrix is read
// off by running it on the unit basis. The result is one affine layer over one concat of what is left. A fusion
// that would add weights (a bottleneck, a conv written out densely) is not made: fewer maps is not simpler then.
import type { Tensor } from "../graph/tensor.ts";
import type { Layer, Net } from "../net/net.ts";
import { runLayer } from "../net/run.ts";
import { consumersOf, freshId, originOf, outputIds } from "./net-edit.ts";
import { addPart, inheritOrigin, matmul, readParts, writeParts, type AffineOf, type PartsAffine } from "./parts-affine.ts";
import type { SimplifyPass } from "./simplify.ts";
import { simplifyReport } from "./report.ts";

/** Largest matrix (entries) read off a linear layer by running it on the unit basis. */
const MAX_PROBED = 1 << 22;

/** Try to absorb one part of `pa` (read by `reader`); returns the new Net and whether it changed. */
function absorbOne(net: Net, reader: string, pa: PartsAffine): { net: Net; changed: boolean; what?: string } {
  const cons = consumersOf(net);
  const outs = outputIds(net);
  const byId = new Map(net.layers.map((l) => [l.id, l]));
  const readers = (id: string) => cons.get(id) ?? [];
  // A part is private when only the reader (or the concat only the reader reads) reads it.
  const concatId = byId.get(reader)?.inputs[0];
  const privateTo = (id: string) => !outs.has(id) && readers(id).length === 1 && (readers(id)[0] === reader || readers(id)[0] === concatId);
  for (let k = 0; k < pa.parts.length; k++) {
    const part = pa.parts[k];
    const p = byId.get(part.id);
    if (!p || !privateTo(p.id)) continue;
    if (p.kind === "affine" && p.shape.length === 1) {
      const inner = readParts(net, p as AffineOf);
      const products = inner.parts.map((q) => matmul(part.W, q.W, pa.out, part.size, q.size));
      // Fuse only when it does not add weights: a bottleneck (784 -> 10 -> 784) is simpler as two maps.
      if (nonzeros(products) > nonzeros([part.W, ...inner.parts.map((q) => q.W)])) continue;
      inheritOrigin(pa, part.W, inner.origin.map((o) => [...o]));
      pa.parts.splice(k, 1);
      const bias = matmul(part.W, inner.b, pa.out, part.size, 1);
      for (let r = 0; r < pa.out; r++) pa.b[r] += bias[r];
      inner.parts.forEach((q, j) => addPart(pa, q.id, q.size, products[j]));
      return { net, changed: true, what: `${p.id} into ${reader}` };
    }
    if (p.kind === "act" && p.fn === "identity" && p.shape.length === 1) {
      inheritOrigin(pa, part.W, originOf(p));
      pa.parts.splice(k, 1);
      addPart(pa, p.inputs[0], part.size, part.W);
      return { net, changed: true, what: `identity ${p.id} into ${reader}` };
    }
    if (p.kind === "reshape") {
      const src = byId.get(p.inputs[0]);
      if (!src || !(src.kind === "affine" || src.kind === "conv") || outs.has(src.id) || readers(src.id).length !== 1) continue;
      let probed: ReturnType<typeof probeLinear>;
      try {
        probed = probeLinear(net, src);
      } catch {
        continue; // a layer that cannot run on the basis batch (a batch size baked into the export) stays
      }
      if (!probed) continue;
      const product = matmul(part.W, probed.M, pa.out, part.size, probed.inSize);
      const own = src.kind === "affine" ? src.W : src.weight;
      if (nonzeros([product]) > nonzeros([part.W, own])) continue; // a conv is fewer weights than its dense form
      // The linear layer's input, flattened by a new reshape (or read as is when it is already a vector).
      let next = net;
      let inId = src.inputs[0];
      const inShape = shapeOf(net, inId);
      if (inShape.length !== 1) {
        const id = freshId(net, `${src.id}.flat`);
        const flat: Layer = { kind: "reshape", id, inputs: [inId], shape: [probed.inSize], dtype: src.dtype, origin: src.origin };
        const layers = [...net.layers];
        layers.splice(layers.indexOf(src), 0, flat);
        next = { ...net, layers };
        inId = id;
      }
      pa.parts.splice(k, 1);
      const bias = matmul(part.W, probed.b, pa.out, part.size, 1);
      for (let r = 0; r < pa.out; r++) pa.b[r] += bias[r];
      addPart(pa, inId, probed.inSize, product);
      return { net: next, changed: true, what: `${src.id} (through ${p.id}) into ${reader}` };
    }
  }
  return { net, changed: false };
}

/** Non-zero entries over some arrays. */
function nonzeros(arrays: readonly ArrayLike<number>[]): number {
  let n = 0;
  for (const a of arrays) for (let i = 0; i < a.length; i++) if (a[i] !== 0) n++;
  return n;
}

/** Per-sample shape of a layer or Net input. */
export function shapeOf(net: Net, id: string): number[] {
  return net.layers.find((l) => l.id === id)?.shape ?? net.inputs.find((i) => i.name === id)?.shape ?? [];
}

/** The matrix (out x in, over flattened values) and bias of a linear layer, read off its outputs on the unit basis. */
export function probeLinear(net: Net, l: Layer): { M: Float64Array; b: Float64Array; inSize: number } | undefined {
  const inShape = shapeOf(net, l.inputs[0]);
  if (inShape.some((d) => d < 0)) return undefined;
  const inSize = inShape.reduce((a, b) => a * b, 1);
  const outSize = l.shape.reduce((a, b) => a * b, 1);
  if (inSize * outSize > MAX_PROBED) return undefined;
  const basis = new Float32Array((inSize + 1) * inSize);
  for (let i = 0; i < inSize; i++) basis[(i + 1) * inSize + i] = 1;
  const x: Tensor = { dtype: "float32", shape: [inSize + 1, ...inShape], data: basis };
  const y = runLayer(l, [x]).data as Float32Array;
  const b = Float64Array.from(y.subarray(0, outSize));
  // Column i of M is f(e_i) - f(0).
  const M = new Float64Array(outSize * inSize);
  for (let i = 0; i < inSize; i++) for (let r = 0; r < outSize; r++) M[r * inSize + i] = y[(i + 1) * outSize + r] - b[r];
  return { M, b, inSize };
}

/** Fuse every chain of linear maps into the affine layers that read them. */
export function fuseAffine(net: Net): { net: Net; fused: string[] } {
  const fused: string[] = [];
  for (let guard = 0; guard < 10_000; guard++) {
    let progressed = false;
    for (const l of net.layers) {
      if (l.kind !== "affine" || l.shape.length !== 1) continue;
      const pa = readParts(net, l as AffineOf);
      let cur = net;
      let any = false;
      for (;;) {
        const r = absorbOne(cur, l.id, pa);
        if (!r.changed) break;
        cur = r.net;
        any = true;
        fused.push(r.what!);
      }
      if (any) {
        net = writeParts(cur, cur.layers.find((x) => x.id === l.id) as AffineOf, pa);
        progressed = true;
        break;
      }
    }
    if (!progressed) break;
  }
  return { net, fused };
}

export const fuseAffinePass: SimplifyPass = {
  name: "fuse-affine",
  kind: "exact",
  doc: "consecutive affine maps (also through a Flatten/Reshape, an identity activation or a concat) fused into one",
  run(s) {
    const { net, fused } = fuseAffine(s.net);
    const out = { ...s, net };
    return simplifyReport(this, s, out, fused.length ? `fused ${fused.length} linear map(s) into their readers` : "nothing to fuse", fused);
  },
};
