// The first builder: one statement per layer (activation fused into affine/conv), names, comments, argmax and
// opaque parts, and the recogniser registry as an extension point.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { buildProgram } from "../../src/program/build.ts";
import { recognisers } from "../../src/recover/registry.ts";
import type { Recogniser } from "../../src/recover/registry.ts";
import type { Layer, Net } from "../../src/net/net.ts";
import { checkProgram } from "../../src/program/check.ts";
import { stmtCode } from "../../src/program/printer.ts";
import { handCNN, handMLP, handResidual } from "./hand-nets.ts";

const codes = (net: Net) => buildProgram(net).program.functions[0].body.map((s) => stmtCode(s));

describe("buildProgram", () => {
  it("fuses each activation into the affine layer it follows and names the output y", () => {
    const { program, report } = buildProgram(handMLP(1, [4, 3, 3, 2], ["relu", "tanh"]));
    checkProgram(program);
    assert.deepEqual(codes(handMLP(1, [4, 3, 3, 2], ["relu", "tanh"])), [
      "h1 = relu(W1 @ x + b1)", "h2 = tanh(W2 @ h1 + b2)", "h3 = W3 @ h2 + b3", "y = softmax(h3)",
    ]);
    assert.deepEqual(report.statements.map((s) => s.layers), [["fc1", "act1"], ["fc2", "act2"], ["fc3"], ["sm"]]);
    assert.equal(program.functions[0].body[0].comment, "3 units");
    assert.deepEqual(program.outputs.map((o) => [o.name, o.shape]), [["probs", [2]]]);
  });

  it("writes convolutions and pooling as named calls", () => {
    assert.deepEqual(codes(handCNN(2)), [
      "h1 = relu(conv2d(x, W1, stride=1, pad=1) + b1)", "h2 = maxpool(h1, 2x2, stride=2)", "h3 = conv2d(h2, W2, stride=1, pad=1) + b2",
      "h4 = avgpool(h3, 2x2, stride=2)", "h5 = flatten(h4)", "h6 = W3 @ h5 + b3", "y = log_softmax(h6)",
    ]);
    const { program } = buildProgram(handCNN(2));
    assert.equal(program.functions[0].body[0].comment, "4 filters 3x3");
  });

  it("keeps several inputs and outputs, residual adds and concats", () => {
    const { program } = buildProgram(handResidual(3));
    checkProgram(program);
    assert.deepEqual(codes(handResidual(3)), [
      "h1 = relu(W1 @ a + b1)", "h2 = h1 + a", "h3 = tanh(W2 @ b + b2)", "features = concat(h2, h3)", "out = W3 @ features + b3",
    ]);
    assert.deepEqual(program.functions[0].returns, ["out", "features"]);
  });

  it("does not fuse an activation whose input is read elsewhere", () => {
    const net = handMLP(4, [3, 3, 2], ["relu"], false);
    // fc1 is also read by the residual add: its relu must stay a separate statement.
    net.layers.push({ kind: "add", id: "skip", inputs: ["fc1", "act1"], shape: [3], dtype: "float32", origin: [] });
    net.outputs = [{ name: "y", from: "fc2" }, { name: "z", from: "skip" }];
    const c = codes(net);
    assert.equal(c[0], "h1 = W1 @ x + b1");
    assert.equal(c[1], "h2 = relu(h1)");
  });

  it("names a lone ArgMax argmax and keeps other fragments as opaque_k naming their ops", () => {
    const net = handMLP(5, [4, 3], [], false);
    const frag = (id: string, op: string, input: string, shape: number[], dtype: "int64" | "float32"): Layer => ({
      kind: "opaque", id, inputs: [input], shape, dtype, origin: [id], reason: `${op} has no neuron-level meaning`, perSample: true, opset: new Map([["", 13]]),
      graph: {
        name: id, inputs: [{ name: "v", dtype: "float32", shape: ["batch", 3] }], outputs: [{ name: "o", dtype, shape: null }],
        nodes: [{ name: op, op, domain: "", inputs: ["v"], outputs: ["o"], attrs: op === "ArgMax" ? { axis: { kind: "int", value: -1 }, keepdims: { kind: "int", value: 0 } } : {} }],
        initializers: new Map(), valueInfo: [],
      },
    });
    net.layers.push(frag("am", "ArgMax", "fc1", [], "int64"), frag("sq", "Erf", "fc1", [3], "float32"));
    net.outputs = [{ name: "cls", from: "am" }, { name: "e", from: "sq" }];
    const { program } = buildProgram(net);
    checkProgram(program);
    const body = program.functions[0].body;
    assert.equal(stmtCode(body[1]), "cls = argmax(h1)");
    assert.deepEqual(body[1].kind === "prim" && body[1].prim.params, { axis: 0, keepdims: false, selectLastIndex: false });
    assert.equal(stmtCode(body[2]), "e = opaque_1(h1)");
    assert.match(body[2].comment ?? "", /ONNX ops: Erf/);
  });

  it("asks the registry in order, so a new recogniser placed first wins", () => {
    const seen: string[] = [];
    const spy: Recogniser = { name: "spy", doc: "records layers, matches nothing", match: (l) => void seen.push(l.id) };
    const { report } = buildProgram(handMLP(1, [4, 3, 2]), { recognisers: [spy, ...recognisers] });
    assert.deepEqual(seen, ["fc1", "fc2", "sm"]);
    assert.deepEqual(report.statements.map((s) => s.recogniser), ["affine", "affine", "softmax"]);
  });
});
