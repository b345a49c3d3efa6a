// Every backend computes the same thing: the Program interpreter, onnxruntime on reconstructed.onnx (the
// reference), the emitted program.ts under node, and the emitted program.py under python3 + numpy.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildProgram } from "../../src/program/build.ts";
import { runProgram } from "../../src/program/run.ts";
import { emitTs } from "../../src/program/emit-ts.ts";
import { emitPy } from "../../src/program/emit-py.ts";
import { emitOnnx } from "../../src/program/emit-onnx.ts";
import { decodeModel } from "../../src/onnx/read.ts";
import type { Program } from "../../src/program/program.ts";
import type { Tensor } from "../../src/graph/tensor.ts";
import { ortOutputs } from "../../src/verify/reference.ts";
import { findPython, runEmittedPy, runEmittedTs } from "../../src/verify/artifacts.ts";
import { compareAll } from "../../src/verify/metrics.ts";
import { randnArray, rng } from "../helpers/rng.ts";
import { handCNN, handMLP, handResidual } from "./hand-nets.ts";
import { kitchenSink } from "./kitchen.ts";

const TOL = 1e-5;

function inputsFor(p: Program, seed: number, batch: number): Tensor[] {
  const r = rng(seed);
  return p.inputs.map((i) => ({ dtype: "float32", shape: [batch, ...i.shape], data: randnArray(r, batch * i.shape.reduce((a, b) => a * b, 1)) }));
}

const cases: [string, Program][] = [
  ["every primitive kind (pads, ceil mode, dilations, groups, 1-D conv, argmax, logic, sort, piecewise)", kitchenSink(1)],
  ["mlp with leaky_relu / gelu / clip", buildProgram(handMLP(2, [6, 8, 8, 8, 3], ["leaky_relu", "gelu", "clip"]), { name: "mlp" }).program],
  ["cnn", buildProgram(handCNN(3), { name: "cnn" }).program],
  ["two inputs, two outputs, residual, concat", buildProgram(handResidual(4), { name: "res" }).program],
];

describe("interpreter, reconstructed.onnx, program.ts and program.py agree", { concurrency: 2 }, () => {
  for (const [name, p] of cases) {
    it(name, async (t) => {
      const dir = mkdtempSync(path.join(tmpdir(), "pseudonet-backends-"));
      const xs = inputsFor(p, 11, 5);
      const names = p.outputs.map((o) => o.name);
      const dtypes = p.outputs.map((o) => o.dtype);
      const reference = await ortOutputs(decodeModel(emitOnnx(p)), xs);
      const ours = runProgram(p, xs);
      const fi = compareAll(names, reference, ours, "random");
      assert.ok(fi.relErr <= TOL, `interpreter vs onnxruntime: ${JSON.stringify(fi.outputs.filter((o) => o.relErr > TOL))}`);
      ours.forEach((o, i) => assert.equal(o.dtype, dtypes[i], `output ${names[i]} dtype`));

      writeFileSync(path.join(dir, "program.ts"), emitTs(p));
      const ts = runEmittedTs(path.join(dir, "program.ts"), xs, dtypes);
      // Same kernels, same order of operations: identical to the interpreter.
      ts.forEach((o, i) => assert.deepEqual(o, ours[i], `program.ts output ${names[i]}`));

      writeFileSync(path.join(dir, "program.py"), emitPy(p));
      if (!findPython().python) return t.skip(`program.py not run: ${findPython().reason}`);
      const py = runEmittedPy(path.join(dir, "program.py"), xs, dtypes);
      const fp = compareAll(names, reference, py, "random");
      assert.ok(fp.relErr <= TOL, `program.py vs onnxruntime: ${JSON.stringify(fp.outputs.filter((o) => o.relErr > TOL))}`);
    });
  }
});

describe("emitted code checks its inputs", () => {
  it("program.ts says which input has the wrong shape", () => {
    const p = buildProgram(handMLP(1, [4, 3]), { name: "m" }).program;
    const dir = mkdtempSync(path.join(tmpdir(), "pseudonet-backends-"));
    writeFileSync(path.join(dir, "program.ts"), emitTs(p));
    const bad: Tensor = { dtype: "float32", shape: [2, 5], data: new Float32Array(10) };
    assert.throws(() => runEmittedTs(path.join(dir, "program.ts"), [bad], ["float32"]), /input 'x' should have shape \[batch, 4\], got \[2, 5\]/);
  });

  it("program.py says which input has the wrong shape", (t) => {
    if (!findPython().python) return t.skip(`python3 with numpy missing: ${findPython().reason}`);
    const p = buildProgram(handMLP(1, [4, 3]), { name: "m" }).program;
    const dir = mkdtempSync(path.join(tmpdir(), "pseudonet-backends-"));
    writeFileSync(path.join(dir, "program.py"), emitPy(p));
    const bad: Tensor = { dtype: "float32", shape: [2, 5], data: new Float32Array(10) };
    assert.throws(() => runEmittedPy(path.join(dir, "program.py"), [bad], ["float32"]), /input 'x' should have shape \[batch, 4\], got \[2, 5\]/);
  });

  it("the interpreter says which input has the wrong shape", () => {
    const p = buildProgram(handMLP(1, [4, 3]), { name: "m" }).program;
    assert.throws(() => runProgram(p, [{ dtype: "float32", shape: [2, 5], data: new Float32Array(10) }]), /input 'x' should have shape \[batch, 4\], got \[2, 5\]/);
    assert.throws(() => runProgram(p, []), /takes 1 input\(s\) \(x\), got 0/);
  });
});
