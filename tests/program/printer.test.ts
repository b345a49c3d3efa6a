// program.txt and `show`: structure (header with fidelity, legend, def/return, one line per statement,
// aligned comments) and expansion (small weights in full, large ones summarised), not exact floats.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { buildProgram } from "../../src/program/build.ts";
import { printProgram } from "../../src/program/printer.ts";
import { expand, locate } from "../../src/program/expand.ts";
import { UserError } from "../../src/errors.ts";
import { handCNN, handMLP, handResidual } from "./hand-nets.ts";
import { kitchenSink } from "./kitchen.ts";

const mlp = () => {
  const p = buildProgram(handMLP(1, [40, 30, 3]), { name: "mlp" }).program;
  p.fidelity = { samples: 200, data: "held-out", maxAbsErr: 2.4e-7, meanAbsErr: 1e-8, relErr: 3.1e-8, top1Agreement: 1, outputs: [] };
  return p;
};

describe("printProgram", () => {
  it("starts with the source, fidelity and size, then a legend, then the functions", () => {
    const lines = printProgram(mlp(), { source: "model.onnx", dir: "out" }).split("\n");
    assert.equal(lines[0], "# pseudonet program: mlp (from model.onnx)");
    assert.equal(lines[1], "# fidelity vs original (held-out, 200 samples): maxAbsErr 2.4e-7, relErr 3.1e-8, top-1 agreement 100%");
    assert.match(lines[2], /^# 3 statements in 1 function\(s\); 1,323 weights in 4 tensors$/);
    assert.match(lines[3], /^# pseudonet show out main\/h1 /);
    assert.ok(lines.some((l) => /^# legend: W @ x/.test(l)));
    assert.ok(lines.some((l) => /relu\(z\)/.test(l)));
    const def = lines.indexOf("def main(x: vec[40]) -> vec[3]:");
    assert.ok(def > 0, "def line");
    assert.deepEqual(lines.slice(def + 1, def + 5).map((l) => l.replace(/\s+#.*/, "")), [
      "    h1 = relu(W1 @ x + b1)", "    h2 = W2 @ h1 + b2", "    y = softmax(h2)", "    return y",
    ]);
  });

  it("aligns the comments of a function in one column", () => {
    const text = printProgram(buildProgram(handCNN(1)).program);
    const cols = text.split("\n").filter((l) => l.startsWith("    ") && l.includes("#")).map((l) => l.indexOf("#"));
    assert.ok(cols.length >= 3);
    assert.equal(new Set(cols).size, 1, text);
  });

  it("says when fidelity was not measured, and types several inputs and outputs", () => {
    const text = printProgram(buildProgram(handResidual(2)).program);
    assert.match(text, /^# fidelity: not measured$/m);
    assert.match(text, /^def main\(a: vec\[6\], b: vec\[3\]\) -> \(vec\[2\], vec\[10\]\):$/m);
  });

  it("prints every primitive kind as one line of code", () => {
    const text = printProgram(kitchenSink(2));
    for (const re of [/mx = max\(v, a_sig, a_tanh\)/, /s_down = sort\(v, descending\)/, /t_gt = v > 0\.1/, /t_ge = v >= w\d+/, /l_xor = bits xor t_gt xor t_ge/,
      /l_not = not bits/, /l_maj = maj\(bits, t_gt, t_ge\)/, /am = argmax\(v\)/, /a_clip = clamp\(v, -0\.3, 0\.4\)/, /a_leaky = leaky_relu\(v, 0\.1\)/, /c_grp = relu\(conv2d\(im, w\d+, stride=2, pad=\(1,0,1,2\), groups=2\) \+ w\d+\)/,
      /c_dil = conv2d\(im, w\d+, stride=1, pad=2, dilation=2\)$/m, /c_1d = tanh\(conv1d\(sq, /, /p_max = maxpool\(im, 2x2, stride=2, ceil\)/, /p_gavg = global_avgpool\(im\)/,
      /sm_c = softmax\(im, axis=0\)/, /flat = flatten\(im\)/, /resh = reshape\(im, \[14, 7\]\)/, /sum3 = v \+ a_sig \+ mx/, /pw = piecewise\(v, breaks=\[-0\.5, 0, 0\.7\]/,
      /pk1 = v\[2\]/, /pk3 = v\[\[5, 0, 3\]\]/, /lin = 2\*pk1 - 0\.5\*a_tanh_0 \+ 0\.25/, /s_args = sort\(pk1, pk3\)/, /asm = \[pk1, lin, pk1, pk1\]/,
      /oh = onehot\(am, 6\)/]) {
      assert.match(text, re);
    }
    assert.match(text, /^def main\(v: vec\[6\], im: image\[2,7,7\], sq: tensor\[3,9\]\) -> \(/m);
    assert.match(text, /int, int64\[1,7,7\]/); // argmax outputs
  });
});

describe("expand (pseudonet show DIR PATH)", () => {
  it("shows a small weight in full with simplified numbers, and what feeds the statement", () => {
    const p = buildProgram(handMLP(1, [3, 2, 2]), { name: "m" }).program;
    const b = p.functions[0].body[0];
    if (b.kind !== "prim" || b.prim.kind !== "affine") throw new Error("expected an affine statement");
    b.prim.params.W.data.set([0.5, -0.25, Math.fround(1 / 3), 2, 0, -1]);
    const text = expand(p, "main/h1");
    assert.match(text, /^main: h1 = relu\(W1 @ x \+ b1\)/);
    assert.match(text, /fed by:\n {2}x: vec\[3\] = parameter of main/);
    assert.match(text, /used by: h2/);
    assert.match(text, /Net slice: fc1, act1/);
    assert.match(text, /W1: \[2, 3\], 6 values\n {2}\[ {2}0\.5 -0\.25 {3}1\/3\]\n {2}\[ {4}2 {5}0 {4}-1\]/);
  });

  it("summarises a large weight: statistics, row norms, largest entries", () => {
    const text = expand(buildProgram(handMLP(1, [40, 30, 3])).program, "h1");
    assert.match(text, /W1: \[30, 40\], 1,200 values\n {2}min -?[\d.e-]+, max [\d.e-]+, mean -?[\d.e-]+, norm [\d.e-]+, 0% zero/);
    assert.match(text, /row norms \(one per output unit\): min [\d.]+, median [\d.]+, max [\d.]+/);
    assert.match(text, /largest \|w\|: W1\[\d+,\d+\] = -?[\d.]+(, W1\[\d+,\d+\] = -?[\d.]+){7}/);
  });

  it("finds statements by fn/var, var, primitive id or label; a wrong path lists real ones", () => {
    const p = buildProgram(handMLP(1, [3, 2, 2])).program;
    assert.equal(locate(p, "main/y").stmt, locate(p, "p3").stmt);
    assert.equal(locate(p, "h2").stmt, p.functions[0].body[1]);
    assert.throws(() => locate(p, "main/h9"), (e: unknown) => e instanceof UserError && /no statement 'main\/h9'.*main\/h1, main\/h2, main\/y/.test(e.message));
    assert.throws(() => locate(p, "f/h1"), /no function 'f'/);
  });
});
