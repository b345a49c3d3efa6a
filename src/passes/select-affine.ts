// select-affine (exact): an opaque layer that only moves entries of a vector around with constant indices (x[a:b]
// written as Slice, a Gather of constant indices, Concat, Reshape...) is a linear map with a 0/1 matrix:
//   x[a:b] -> S x,  S[i, a + i] = 1
// As an affine layer it has bounds (interval bounds see through it, so dead and always-on units behind it can be
// proven over the box) and fuse-affine can fold it into the layer that reads it.
import type { Layer, Net } from "../net/net.ts";
import { isFloat } from "../graph/tensor.ts";
import type { SimplifyPass } from "./simplify.ts";
import { probeLinear, shapeOf } from "./fuse-affine.ts";
import { editNet } from "./net-edit.ts";
import { simplifyReport } from "./report.ts";

/** Ops that only move entries around (with constant indices): a graph of them is a 0/1 linear map. By domain:
 *  ONNX's, and pseudonet's own sequence-op domain (its SliceAxis is x[..., a:b, ...] with the indices as attributes). */
const MOVE_OPS: Record<string, ReadonlySet<string>> = {
  "": new Set(["Slice", "Gather", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Concat", "Transpose", "Identity", "Split"]),
  "pseudonet.seq": new Set(["SliceAxis"]),
};

/** Is an opaque layer a data movement from one vector to a vector, with every index a constant? */
export function movesData(net: Net, l: Layer): boolean {
  if (l.kind !== "opaque" || !l.perSample || l.inputs.length !== 1 || l.shape.length !== 1 || shapeOf(net, l.inputs[0]).length !== 1) return false;
  // Float vectors in and out (integer inputs such as token ids are indices, not values to move).
  if (!isFloat(l.dtype) || l.graph.inputs.some((i) => !isFloat(i.dtype))) return false;
  const g = l.graph;
  const known = new Set([...g.inputs.map((i) => i.name), ...g.initializers.keys()]);
  for (const n of g.nodes) {
    if (!MOVE_OPS[n.domain]?.has(n.op)) return false;
    // Only the first input carries data (Concat: all of them); indices, starts, ends, axes, shapes are constants.
    const rest = n.op === "Concat" ? [] : n.inputs.slice(1);
    if (rest.some((i) => i !== "" && !g.initializers.has(i))) return false;
    if (n.inputs.some((i) => i !== "" && !known.has(i))) return false;
    n.outputs.forEach((o) => known.add(o));
  }
  return g.outputs.length === 1;
}

export const selectAffinePass: SimplifyPass = {
  name: "select-affine",
  kind: "exact",
  doc: "opaque layers that only select entries of a vector (Slice, Gather with constant indices...) become 0/1 affine maps",
  run(s) {
    const replace = new Map<string, Layer>();
    const details: string[] = [];
    for (const l of s.net.layers) {
      if (!movesData(s.net, l)) continue;
      let probed: ReturnType<typeof probeLinear>;
      try {
        probed = probeLinear(s.net, l);
      } catch {
        continue; // e.g. a Reshape with the export's batch size baked in: it cannot run on the basis batch
      }
      // A data movement maps 0 to 0 and every entry to a 0/1 combination; anything else is not one.
      if (!probed || probed.b.some((v) => v !== 0) || probed.M.some((v) => v !== 0 && v !== 1)) continue;
      const out = l.shape[0];
      replace.set(l.id, {
        kind: "affine", W: Float32Array.from(probed.M), b: new Float32Array(out), inFeatures: probed.inSize, outFeatures: out,
        id: l.id, inputs: l.inputs, shape: [out], dtype: l.dtype, origin: l.origin,
      });
      details.push(`${l.id}: ${l.kind === "opaque" ? l.graph.nodes.map((n) => n.op).join(", ") : ""} -> a 0/1 affine map ${probed.inSize} -> ${out}`);
    }
    const net = replace.size ? editNet(s.net, replace) : s.net;
    return simplifyReport(this, s, { ...s, net }, replace.size ? `${replace.size} selection(s) written as 0/1 affine maps` : "no opaque selections", details);
  },
};
