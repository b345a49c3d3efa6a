// Trained networks are never exactly max or |x|: the fit names them anyway, keeps the rest as a stated residual,
// and the program still equals the network. Tiny nets are trained here (seeded full-batch gradient descent).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { printProgram } from "../../src/program/printer.ts";
import { rng } from "../../src/util/rng.ts";
import { explainNet, toNet, type Dense } from "./slice-nets.ts";

/** A 1-hidden-layer ReLU net n -> h -> 1 trained by full-batch gradient descent on f over [-1, 1]^n (seeded). */
function train(n: number, h: number, f: (x: number[]) => number, seed: number, steps = 3000): Dense[] {
  const r = rng(seed);
  const W1 = Array.from({ length: h }, () => Array.from({ length: n }, () => (2 * r() - 1) * Math.sqrt(2 / n)));
  const b1 = Array.from({ length: h }, () => 0.1 * (2 * r() - 1));
  const W2 = Array.from({ length: h }, () => (2 * r() - 1) * Math.sqrt(1 / h));
  let b2 = 0;
  const X = Array.from({ length: 256 }, () => Array.from({ length: n }, () => 2 * r() - 1));
  const Y = X.map(f);
  const lr = 0.05;
  for (let s = 0; s < steps; s++) {
    const gW1 = W1.map((row) => row.map(() => 0)), gb1 = b1.map(() => 0), gW2 = W2.map(() => 0);
    let gb2 = 0;
    X.forEach((x, k) => {
      const pre = W1.map((row, j) => row.reduce((a, w, i) => a + w * x[i], b1[j]));
      const hid = pre.map((p) => Math.max(0, p));
      const y = hid.reduce((a, v, j) => a + v * W2[j], b2);
      const d = (2 * (y - Y[k])) / X.length;
      gb2 += d;
      hid.forEach((v, j) => {
        gW2[j] += d * v;
        if (pre[j] > 0) {
          gb1[j] += d * W2[j];
          x.forEach((xi, i) => (gW1[j][i] += d * W2[j] * xi));
        }
      });
    });
    W1.forEach((row, j) => row.forEach((_, i) => (row[i] -= lr * gW1[j][i])));
    b1.forEach((_, j) => (b1[j] -= lr * gb1[j]));
    W2.forEach((_, j) => (W2[j] -= lr * gW2[j]));
    b2 -= lr * gb2;
  }
  return [{ W: W1, b: b1, relu: true }, { W: [W2], b: [b2], relu: false }];
}

describe("fitted primitives on trained nets", () => {
  for (const [name, n, f, re] of [
    ["max", 2, (x: number[]) => Math.max(x[0], x[1]), /y_named = max\(x\[0\], x\[1\]\)/],
    ["abs", 1, (x: number[]) => Math.abs(x[0]), /y_named = abs\(x\)/],
  ] as const) {
    it(`a net trained on ${name} reads ${name} plus a stated residual, and equals the net`, () => {
      const layers = train(n, 8, f, 3);
      const { program, maxErr } = explainNet(toNet(layers, n), n, -1, 1, 5);
      const text = printProgram(program);
      assert.match(text, re, text);
      // The residual's size is stated: measured on the samples, or bounded over the box (one input: every breakpoint checked).
      assert.match(text, /y_rest = residual_1\(x, y_named\) +# max \|r\| \S+ on (\d+ samples|the box \[-1, 1\] \(every breakpoint checked\))/, text);
      assert.match(text, /def residual_1\(x: vec\[\d\], named: vec\[1\]\)/);
      assert.ok(maxErr < 1e-5, `program vs net ${maxErr}`);
    });
  }

  it("does not name a net trained on something else (a smooth bump)", () => {
    const layers = train(2, 8, (x) => Math.exp(-2 * (x[0] * x[0] + x[1] * x[1])), 4);
    const { program } = explainNet(toNet(layers, 2), 2, -1, 1, 5);
    assert.doesNotMatch(printProgram(program), /= (max|min|abs)\(/);
  });
});
