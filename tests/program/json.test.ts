// program.json: exact round trip, and clear errors (naming the JSON path) for malformed files.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { buildProgram } from "../../src/program/build.ts";
import { parseProgram, programToJson, stringifyProgram } from "../../src/program/json.ts";
import { printProgram } from "../../src/program/printer.ts";
import { runProgram } from "../../src/program/run.ts";
import type { Program } from "../../src/program/program.ts";
import { UserError } from "../../src/errors.ts";
import { randnArray, rng } from "../helpers/rng.ts";
import { handCNN, handMLP, handResidual } from "./hand-nets.ts";
import { kitchenSink } from "./kitchen.ts";

function inputsFor(p: Program, seed: number, batch = 3) {
  const r = rng(seed);
  return p.inputs.map((i) => ({ dtype: "float32" as const, shape: [batch, ...i.shape], data: randnArray(r, batch * i.shape.reduce((a, b) => a * b, 1)) }));
}

const programs: [string, () => Program][] = [
  ["mlp", () => buildProgram(handMLP(1, [5, 4, 3]), { name: "mlp" }).program],
  ["cnn", () => buildProgram(handCNN(2), { name: "cnn" }).program],
  ["residual", () => buildProgram(handResidual(3), { name: "res" }).program],
  ["every primitive kind", () => kitchenSink(4)],
];

describe("program.json round trip", () => {
  for (const [name, make] of programs) {
    it(`${name}: same text, same JSON, same outputs bit for bit`, () => {
      const p = make();
      p.fidelity = { samples: 7, data: "held-out", maxAbsErr: 1e-7, meanAbsErr: 2e-8, relErr: 3e-8, top1Agreement: 1, outputs: [{ name: "o", maxAbsErr: 1e-7, meanAbsErr: 2e-8, relErr: 3e-8, top1Agreement: 1 }] };
      const text = stringifyProgram(p);
      const q = parseProgram(text);
      assert.equal(stringifyProgram(q), text);
      assert.equal(printProgram(q), printProgram(p));
      assert.deepEqual(q.fidelity, p.fidelity);
      const xs = inputsFor(p, 9);
      const a = runProgram(p, xs), b = runProgram(q, xs);
      a.forEach((t, i) => assert.deepEqual(b[i], t));
    });
  }

  it("stores each weight once, as base64 float32 with its shape", () => {
    const j = programToJson(buildProgram(handMLP(1, [5, 4, 3])).program) as { weights: Record<string, { shape: number[]; data: string }> };
    assert.deepEqual(Object.keys(j.weights), ["W1", "b1", "W2", "b2"]);
    assert.deepEqual(j.weights.W1.shape, [4, 5]);
    assert.equal(Buffer.from(j.weights.W1.data, "base64").length, 4 * 5 * 4);
  });
});

describe("program.json validation", () => {
  const good = () => JSON.parse(stringifyProgram(buildProgram(handMLP(1, [5, 4, 3])).program));
  const bad = (edit: (j: any) => void, re: RegExp) => {
    const j = good();
    edit(j);
    assert.throws(() => parseProgram(JSON.stringify(j), "p.json"), (e: unknown) => e instanceof UserError && re.test(e.message));
  };

  it("rejects text that is not JSON", () => assert.throws(() => parseProgram("{ nope", "p.json"), /p\.json: is not valid JSON/));
  it("rejects another format", () => bad((j) => (j.format = "onnx"), /format: expected "pseudonet\.program"/));
  it("rejects an unknown version", () => bad((j) => (j.version = 9), /version 9 is not supported/));
  it("rejects a missing weight", () => bad((j) => delete j.weights.W2, /functions\[0\]\.body\[1\]\.prim\.(params\.W|slice\.weights\[0\]): weight 'W2' is not in the "weights" table/));
  it("rejects weight data of the wrong length", () => bad((j) => (j.weights.b1.shape = [5]), /weights\.b1\.data: holds 16 bytes, but 5 float32 values need 20/));
  it("rejects an unknown primitive kind", () => bad((j) => (j.functions[0].body[0].prim.kind = "teleport"), /prim\.kind: 'teleport' is not one of affine/));
  it("rejects a variable used before it is assigned", () => bad((j) => (j.functions[0].body[0].args = ["ghost"]), /body\[0\]\.args\[0\]: 'ghost' is used before it is assigned/));
  it("rejects a matrix that does not fit its input", () => bad((j) => (j.functions[0].params[0].type.n = 6), /(W1' takes 5 inputs|shape \[5\] differs)/));
  it("rejects a return that is never assigned", () => bad((j) => (j.functions[0].returns = ["nothing"]), /returns\[0\]: returns 'nothing'/));
  it("rejects a wrong arity", () => bad((j) => j.functions[0].body[2].args.push("x"), /softmax takes 1 argument\(s\), got 2/));
  it("rejects a type of the wrong kind", () => bad((j) => (j.functions[0].params[0].type = { kind: "matrix" }), /params\[0\]\.type\.kind: 'matrix' is not one of vec, image, bits, tensor/));
});
