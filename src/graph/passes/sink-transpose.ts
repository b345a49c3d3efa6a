// Transposes that NHWC exporters (tf2onnx for Keras convs) leave around every Conv: NHWC -> NCHW before it, back
// to NHWC after it, with the activation in between running on NHWC. Two exact rewrites bring them together or
// away, so reshape-chains (which runs next) composes the pairs into nothing:
//   E(Transpose(x, p)) -> Transpose(E(x), p)     for an elementwise unary E (relu(x)^T = relu(x^T))
//   Transpose(x, p)    -> Reshape(x, shape)      when p is a layout change (NHWC <-> NCHW, NWC <-> NCW) that moves
//                                                 only size-1 axes (the data order does not change: [N, H, W, 1] ->
//                                                 [N, 1, H, W] is a reshape). Other perms stay: attention's head
//                                                 transposes are patterns the sequence blocks read.
// The first applies when E is the Transpose's only reader; repeated, a Transpose moves down past a chain of them.
import type { Model, Node } from "../graph.ts";
import { tensor } from "../tensor.ts";
import type { Pass } from "../../pipeline/pass.ts";
import { attrInts } from "../../ops/op.ts";
import { cloneModel, isGraphOutput, NameAllocator, readersOf, removeDead } from "./edit.ts";
import { batchShapes } from "./shapes.ts";

/** Elementwise ops of one data input (their other inputs, if any, are scalar constants such as Clip's bounds). */
const UNARY = new Set(["Relu", "LeakyRelu", "Sigmoid", "Tanh", "Abs", "Neg", "Exp", "Elu", "Selu", "Softplus", "HardSigmoid", "Identity", "Clip", "Gelu", "Erf", "Sqrt", "Log"]);

/** Channel-last <-> channel-first permutations (rank 3 and 4). */
const LAYOUT = new Set(["0,2,3,1", "0,3,1,2", "0,2,1"]);

/** Is n an elementwise unary op whose extra inputs are scalars (so it commutes with a transpose)? */
function isUnary(n: Node, scalar: (v: string) => boolean): boolean {
  return n.domain === "" && UNARY.has(n.op) && n.inputs.slice(1).every((v) => v === "" || scalar(v));
}

/** Sink transposes past unary ops and turn size-1 transposes into reshapes; see the file comment. */
export const sinkTranspose: Pass<Model, Model> = {
  name: "sink-transpose",
  doc: "move Transpose below elementwise unary ops; a Transpose that moves only size-1 axes becomes a Reshape (exact)",
  run(input) {
    const model = cloneModel(input);
    const g = model.graph;
    const names = new NameAllocator(g);
    const details: string[] = [];
    const scalar = (v: string) => {
      const t = g.initializers.get(v);
      return !!t && t.shape.every((d) => d === 1);
    };
    let moved = 0;
    for (let changed = true; changed; ) {
      changed = false;
      for (const t of g.nodes) {
        if (t.op !== "Transpose" || t.domain !== "" || isGraphOutput(g, t.outputs[0])) continue;
        const readers = readersOf(g, t.outputs[0]);
        if (readers.length !== 1 || !isUnary(readers[0], scalar) || readers[0].inputs[0] !== t.outputs[0]) continue;
        const e = readers[0];
        // x -> T -> E -> y  becomes  x -> E -> T -> y (y keeps its name and readers).
        const mid = names.fresh(`${e.outputs[0]}_pre_transpose`);
        e.inputs = [t.inputs[0], ...e.inputs.slice(1)];
        const y = e.outputs[0];
        e.outputs = [mid, ...e.outputs.slice(1)];
        t.inputs = [mid];
        t.outputs = [y];
        const [ti, ei] = [g.nodes.indexOf(t), g.nodes.indexOf(e)];
        g.nodes[ti] = e;
        g.nodes[ei] = t;
        details.push(`Transpose '${t.name}' moved below ${e.op} '${e.name}'`);
        moved++;
        changed = true;
      }
    }
    const { shapes } = batchShapes(model);
    let reshaped = 0;
    g.nodes = g.nodes.map((t) => {
      if (t.op !== "Transpose" || t.domain !== "") return t;
      const xs = shapes.get(t.inputs[0])?.shape;
      const ys = shapes.get(t.outputs[0])?.shape;
      const perm = attrInts(t, "perm");
      if (!xs || !ys || !perm || (model.opset.get("") ?? 1) < 5 || !LAYOUT.has(perm.join())) return t;
      // The axes that are not size 1 keep their order: the flat data is the same.
      const big = perm.filter((a) => xs[a] !== 1);
      if (big.some((a, i) => i > 0 && a < big[i - 1])) return t;
      if (ys.filter((d) => typeof d !== "number").length > 1) return t;
      const spec = ys.map((d) => (typeof d === "number" ? d : -1));
      const shapeName = names.fresh(`${t.name}_shape`);
      g.initializers.set(shapeName, tensor("int64", [spec.length], spec));
      details.push(`Transpose '${t.name}' moves only size-1 axes: Reshape to [${spec.join(", ")}]`);
      reshaped++;
      return { name: t.name, op: "Reshape", domain: "", inputs: [t.inputs[0], shapeName], outputs: [...t.outputs], attrs: {} };
    });
    removeDead(g);
    const parts = [moved && `moved ${moved} Transpose below unary ops`, reshaped && `${reshaped} Transpose as Reshape`].filter(Boolean);
    return { out: model, report: { pass: "sink-transpose", summary: parts.length ? parts.join(", ") : "no Transpose to move", details } };
  },
};
