// Models written for opsets 1-6 (the old pytorch and caffe2 exporters) move to opset 7, where the rest of the
// pipeline lives (lifting back to ONNX, the emitted runtimes): every op whose last version <= 6 is also its version
// at 7 keeps its meaning; the ops that changed at 7 are rewritten to the same computation:
//   Add/Sub/Mul/Div/Pow/And/Or/Xor/Equal/Greater/Less(a, b, broadcast=1, axis=k) -> Op(a, b reshaped to align at k)
//   Gemm(a, b, c, broadcast)                        -> Gemm(a, b, c)        (7 always broadcasts C one way)
//   BatchNormalization / Dropout (is_test)          -> the same without is_test (inference either way)
//   PRelu(x [N, C, ...], slope [C])                 -> PRelu(x, slope [C, 1, ...])  (6 applied slope per channel)
// A model with anything else that changed at 7 (Upsample, the recurrent ops' output_sequence, a non-constant operand
// that needs aligning) keeps its opset, and the report says why.
import type { Graph, Model, Node } from "../graph.ts";
import type { Tensor } from "../tensor.ts";
import type { Pass } from "../../pipeline/pass.ts";
import { attrInt } from "../../ops/op.ts";
import { cloneModel, NameAllocator } from "./edit.ts";
import { rankOf, valueShapes } from "./shapes.ts";

/** Binary ops whose legacy broadcast/axis attributes opset 7 replaced with numpy broadcasting. */
const LEGACY_BROADCAST = new Set(["Add", "Sub", "Mul", "Div", "Pow", "And", "Or", "Xor", "Equal", "Greater", "Less"]);

/** Ops that changed at opset 7 in a way this pass does not rewrite. */
const CHANGED_AT_7 = new Set(["Upsample", "GRU", "LSTM", "RNN", "Multinomial"]);

/** A constant reshaped (same data). */
const reshaped = (t: Tensor, shape: number[]): Tensor => ({ ...t, shape });

/** Rewrite one node for opset 7 in place; returns why it cannot be, or undefined. */
function upgradeNode(g: Graph, n: Node, ranks: (v: string) => number | undefined, names: NameAllocator): string | undefined {
  const { broadcast, axis, is_test, ...rest } = n.attrs;
  if (LEGACY_BROADCAST.has(n.op)) {
    n.attrs = rest;
    if (!broadcast || attrInt({ ...n, attrs: { broadcast } }, "broadcast", 0) === 0) return undefined;
    if (!axis) return undefined; // right-aligned: what numpy broadcasting does
    const ra = ranks(n.inputs[0]), b = g.initializers.get(n.inputs[1]);
    const k = attrInt({ ...n, attrs: { axis } }, "axis", 0);
    if (ra === undefined) return `${n.op} '${n.name}' broadcasts on axis ${k} of an input of unknown rank`;
    const at = k < 0 ? k + ra : k;
    if (!b) return `${n.op} '${n.name}' aligns a computed operand at axis ${at}`;
    const trailing = ra - at - b.shape.length;
    if (trailing < 0) return `${n.op} '${n.name}': operand of rank ${b.shape.length} does not fit at axis ${at}`;
    const name = names.fresh(`${n.inputs[1]}_aligned`);
    g.initializers.set(name, reshaped(b, [...b.shape, ...new Array<number>(trailing).fill(1)]));
    n.inputs = [n.inputs[0], name];
    return undefined;
  }
  if (n.op === "Gemm" && broadcast) {
    const { broadcast: _b, ...others } = n.attrs;
    n.attrs = others;
    return undefined;
  }
  if ((n.op === "BatchNormalization" || n.op === "Dropout") && is_test) {
    const { is_test: _t, ...others } = n.attrs;
    n.attrs = others;
    return undefined;
  }
  if (n.op === "PRelu") {
    const slope = g.initializers.get(n.inputs[1]), r = ranks(n.inputs[0]);
    if (slope && slope.shape.length === 1 && slope.shape[0] > 1 && r !== undefined && r > 2) {
      const name = names.fresh(`${n.inputs[1]}_per_channel`);
      g.initializers.set(name, reshaped(slope, [slope.shape[0], ...new Array<number>(r - 2).fill(1)]));
      n.inputs = [n.inputs[0], name];
    } else if (!slope) return `PRelu '${n.name}' has a computed slope`;
    return undefined;
  }
  if (CHANGED_AT_7.has(n.op)) return `${n.op} changed at opset 7`;
  return undefined;
}

/** Move a default-domain opset below 7 to 7; see the file comment. */
export const upgradeOpset: Pass<Model, Model> = {
  name: "upgrade-opset",
  doc: "rewrite a model of opset 1-6 as opset 7 (legacy broadcast attributes, is_test, per-channel PRelu) (exact)",
  run(input) {
    const v = input.opset.get("") ?? input.opset.get("ai.onnx") ?? 7;
    if (v >= 7) return { out: input, report: { pass: "upgrade-opset", summary: `opset ${v}: nothing to do`, details: [] } };
    const model = cloneModel(input);
    const g = model.graph;
    const shapes = valueShapes(input);
    const names = new NameAllocator(g);
    const problems = g.nodes.filter((n) => n.domain === "" || n.domain === "ai.onnx").map((n) => upgradeNode(g, n, (x) => rankOf(shapes, x), names)).filter((p): p is string => !!p);
    if (problems.length) return { out: input, report: { pass: "upgrade-opset", summary: `kept opset ${v}: ${problems[0]}`, details: problems } };
    model.opset.set(model.opset.has("ai.onnx") ? "ai.onnx" : "", 7);
    return { out: model, report: { pass: "upgrade-opset", summary: `opset ${v} -> 7`, details: [] } };
  },
};
