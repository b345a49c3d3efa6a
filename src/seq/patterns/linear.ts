// MatMul(x, W) (+ b) over the last axis of a sequence value ([batch, n, ..., in] with a run-time dim) -> x @ W + b.
// Values with static per-sample shapes are left to lower (an affine layer with units).
import { linearDef } from "../ops/linear.ts";
import { mergeHeadsDef } from "../ops/heads.ts";
import type { Dim, Node } from "../../graph/graph.ts";
import { SEQ_DOMAIN } from "../defs.ts";
import { f32, type Tensor } from "../../graph/tensor.ts";
import { reshapeDims, shapeValue } from "./shape-value.ts";
import type { GraphView } from "./graph-view.ts";
import { ordered } from "./graph-view.ts";
import type { SeqPattern } from "./pattern.ts";

function isSequence(gv: GraphView, x: string): boolean {
  const s = gv.shape(x);
  return !!s && s.length >= 3 && s.slice(1).some((d) => typeof d !== "number");
}

function matmulW(gv: GraphView, v: string): { x: string; W: string } | undefined {
  const m = gv.prod(v, "MatMul");
  const W = gv.init(m?.inputs[1]);
  if (!m || !W || W.dtype !== "float32" || W.shape.length !== 2 || !isSequence(gv, m.inputs[0])) return undefined;
  return { x: m.inputs[0], W: m.inputs[1] };
}

/** Add(linear(x, W, c), b) with c absent or all zeros (TensorFlow's BiasAdd after a Tensordot) -> x @ W + b. */
function biasAfterLinear(gv: GraphView, add: Node): string | undefined {
  const [u, b] = ordered(add, (w) => {
    const n = gv.producers.get(w);
    return !!n && n.domain === SEQ_DOMAIN && n.op === linearDef.op && gv.uses(w) === 1;
  }) ?? [];
  const bias = gv.init(b);
  const lin = u ? gv.producers.get(u)! : undefined;
  if (!lin || !b || !bias || bias.dtype !== "float32" || bias.shape.length !== 1 || bias.shape[0] !== gv.init(lin.inputs[1])?.shape[1]) return undefined;
  const c = lin.inputs[2] ? gv.init(lin.inputs[2]) : undefined;
  if (c && !(c.data as Float32Array).every((z) => z === 0)) return undefined;
  gv.replace(linearDef, add.outputs[0], [lin.inputs[0], lin.inputs[1], b], {}, add.name);
  return `${add.outputs[0]}: bias ${b} added to a linear map`;
}

/** The Gemm's bias as a weight. */
function gemmBias(gv: GraphView, td: { c?: Tensor; name: string }): string {
  return gv.weight(`${td.name}_bias`, td.c!);
}

/** Exporters name transposed weights by number (onnx::MatMul_396, 209): name them after their bias (fc.bias -> fc.weight). */
function readableName(gv: GraphView, W: string, b: string): string {
  if (!/^(onnx::|\d+$)/.test(W) || !/bias$/.test(b)) return W;
  return gv.weight(b.replace(/bias$/, "weight"), gv.init(W)!);
}

/** TensorFlow's Tensordot: Reshape(Gemm(Reshape(x, [-1, in]), W, c), [..., out]) back to x's leading dims. */
function tensordot(gv: GraphView, v: string): { x: string; W: Tensor; c?: Tensor; name: string } | undefined {
  const r2 = gv.prod(v, "Reshape");
  const gemm = r2 && gv.prod(r2.inputs[0], "Gemm");
  const r1 = gemm && gv.prod(gemm.inputs[0], "Reshape");
  if (!r2 || !gemm || !r1 || gv.uses(r2.inputs[0]) !== 1 || gv.uses(gemm.inputs[0]) !== 1) return undefined;
  const a = (k: string, d: number) => (gemm.attrs[k]?.kind === "int" || gemm.attrs[k]?.kind === "float" ? (gemm.attrs[k].value as number) : d);
  if (a("transA", 0) !== 0 || a("alpha", 1) !== 1 || a("beta", 1) !== 1) return undefined;
  const W0 = gv.init(gemm.inputs[1]);
  const c = gemm.inputs[2] ? gv.init(gemm.inputs[2]) : undefined;
  if (!W0 || W0.dtype !== "float32" || W0.shape.length !== 2 || (gemm.inputs[2] && (!c || c.shape.length !== 1))) return undefined;
  let x = r1.inputs[0];
  let xs = gv.shape(x);
  // The heads' outputs merged by the same reshape ([b, n, H, d] -> [b*n, H*d]): merge_heads first.
  const tr = gv.prod(x, "Transpose");
  if (xs?.length === 4 && tr?.attrs.perm?.kind === "ints" && tr.attrs.perm.value.join() === "0,2,1,3" && typeof xs[2] === "number" && typeof xs[3] === "number" && gv.dataUses(x) === 1) {
    const merged: Dim[] = [xs[0], xs[1], xs[2] * xs[3]];
    x = gv.insert(mergeHeadsDef, [tr.inputs[0]], {}, r1.name, r1, { dtype: "float32", shape: merged });
    xs = merged;
  }
  const t1 = shapeValue(gv, r1.inputs[1]), t2 = shapeValue(gv, r2.inputs[1]);
  if (!t1 || t1.length !== 2 || t1[0] !== -1) return undefined;
  const [inF, outF] = a("transB", 0) ? [W0.shape[1], W0.shape[0]] : W0.shape;
  const ys = xs && t2 ? reshapeDims([...xs.slice(0, -1), outF], t2) ?? null : null;
  if (!xs || !ys || xs.length < 3 || xs.length !== ys.length || xs.at(-1) !== inF || ys.at(-1) !== outF) return undefined;
  if (!xs.slice(0, -1).every((d, i) => d !== null && d === ys[i])) return undefined;
  const w = W0.data as Float32Array;
  const W = a("transB", 0) ? f32([inF, outF], Float32Array.from({ length: inF * outF }, (_, k) => w[(k % outF) * inF + Math.floor(k / outF)])) : W0;
  return { x, W, c, name: gemm.inputs[1] };
}

export const linearPattern: SeqPattern = {
  name: "linear",
  doc: "MatMul(x, W) + b on a sequence value -> x @ W + b",
  at(gv, v) {
    const add = gv.prod(v, "Add");
    const td = add ? undefined : tensordot(gv, v);
    if (td) {
      gv.replace(linearDef, v, [td.x, gv.weight(`${td.name}_in_out`, td.W), td.c ? td.name.replace(/W$/, "b") && gemmBias(gv, td) : ""], {}, gv.prod(v)!.name);
      return `${v}: linear ${td.W.shape.join(" -> ")} (Tensordot)`;
    }
    if (add) {
      const lin = biasAfterLinear(gv, add);
      if (lin) return lin;
      const [mm, b] = ordered(add, (u) => !!matmulW(gv, u) && gv.uses(u) === 1) ?? [];
      const bias = gv.init(b);
      if (!mm || !b || !bias || bias.dtype !== "float32") return undefined;
      const { x, W } = matmulW(gv, mm)!;
      const out = gv.init(W)!.shape[1];
      if (bias.shape.length !== 1 || bias.shape[0] !== out) return undefined;
      gv.replace(linearDef, v, [x, readableName(gv, W, b), b], {}, add.name);
      return `${v}: linear ${gv.init(W)!.shape.join(" -> ")} with bias`;
    }
    const m = matmulW(gv, v);
    if (!m) return undefined;
    // A MatMul whose only reader adds a bias is taken with the Add (at the Add's value).
    const r = gv.readers.get(v) ?? [];
    if (r.length === 1 && r[0].op === "Add" && r[0].inputs.some((u) => gv.init(u)?.shape.length === 1)) return undefined;
    gv.replace(linearDef, v, [m.x, m.W, ""], {}, gv.prod(v)!.name);
    return `${v}: linear ${gv.init(m.W)!.shape.join(" -> ")}`;
  },
};
