// Data from an ONNX test-data folder (input_k.pb -> the model's k-th input) for run, explain and verify, and
// every hint an error gives naming an option the command really has.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { decodeNpy } from "../../src/data/npy.ts";
import { decodeNpz } from "../../src/data/npz.ts";
import { f32, tensor, type NumericArray } from "../../src/graph/tensor.ts";
import { encodeTensorProto } from "../../src/onnx/proto.ts";
import { encodeTensor } from "../../src/onnx/tensorproto.ts";
import { readTensorFile } from "../../src/onnx/read.ts";
import { writeModel } from "../../src/onnx/write.ts";
import { corpusDir, NO_CORPUS } from "../helpers/corpus.ts";
import { cli, model, tmp } from "./helpers.ts";

const dir = tmp();
after(() => rmSync(dir, { recursive: true, force: true }));

// y = a + float(k) * 2: a float32 input and an int64 one (token-id-like), so dtypes and order both matter.
const modelFile = path.join(dir, "two.onnx");
writeModel(
  model({
    inputs: [{ name: "a", dtype: "float32", shape: ["N", 3] }, { name: "k", dtype: "int64", shape: ["N", 3] }],
    outputs: [{ name: "y", dtype: "float32", shape: ["N", 3] }],
    nodes: [
      { name: "cast", op: "Cast", inputs: ["k"], outputs: ["kf"], domain: "", attrs: { to: { kind: "int", value: 1 } } },
      { name: "mul", op: "Mul", inputs: ["kf", "two"], outputs: ["k2"], domain: "", attrs: {} },
      { name: "add", op: "Add", inputs: ["a", "k2"], outputs: ["y"], domain: "", attrs: {} },
    ],
    initializers: [["two", f32([], [2])]],
  }),
  modelFile,
);
const n = 40;
const a = f32([n, 3], Array.from({ length: n * 3 }, (_, i) => Math.sin(i)));
const k = tensor("int64", [n, 3], Array.from({ length: n * 3 }, (_, i) => (i * 7919) % 1000 - 500));
const set = path.join(dir, "test_data_set_0");
mkdirSync(set);
writeFileSync(path.join(set, "input_0.pb"), encodeTensorProto(encodeTensor(a, "a")));
writeFileSync(path.join(set, "input_1.pb"), encodeTensorProto(encodeTensor(k, "k")));
const expected = Array.from(a.data as NumericArray, (v, i) => Math.fround(v + Math.fround((k.data as NumericArray)[i] * 2)));

/** The --flags of a command's --help. */
async function helpFlags(cmd: string): Promise<Set<string>> {
  const r = await cli([cmd, "--help"]);
  assert.equal(r.code, 0);
  return new Set(r.stdout.match(/--[a-z][a-z-]*/g));
}

/** Every --flag a message suggests must be one the command has. */
async function assertHintsExist(cmd: string, msg: string): Promise<void> {
  const have = await helpFlags(cmd);
  const suggested = msg.match(/--[a-z][a-z-]*/g) ?? [];
  assert.ok(suggested.length > 0, `${cmd}: the message suggests no option: ${msg}`);
  for (const f of suggested) assert.ok(have.has(f), `${cmd}: the message suggests ${f}, which '${cmd} --help' does not list: ${msg}`);
}

describe("--data DIR / --input DIR (ONNX test-data folder)", { concurrency: 3 }, () => {
  it("run binds input_k.pb to input k (float32 and int64)", async () => {
    const out = path.join(dir, "y.npy");
    const r = await cli(["run", modelFile, "--input", set, "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(Array.from(decodeNpy(readFileSync(out)).data as Float32Array), expected);
  });

  it("explain and verify take the folder as --data", async () => {
    const out = path.join(dir, "explained");
    const e = await cli(["explain", modelFile, "--data", set, "--out", out]);
    assert.equal(e.code, 0, e.stderr);
    assert.ok(existsSync(path.join(out, "program.py")));
    const v = await cli(["verify", out, modelFile, "--data", set]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /on 40 samples/);
    assert.match(v.stdout, /program\.json\s+pseudonet interpreter\s+0\s/);
  });

  it("a folder with more input_k.pb than the model has inputs is refused, naming the file", async () => {
    const extra = path.join(dir, "extra");
    mkdirSync(extra);
    for (const f of ["input_0.pb", "input_1.pb"]) writeFileSync(path.join(extra, f), readFileSync(path.join(set, f)));
    writeFileSync(path.join(extra, "input_2.pb"), readFileSync(path.join(set, "input_0.pb")));
    const r = await cli(["run", modelFile, "--input", extra]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^pseudonet: --input .*extra: the folder holds input_2\.pb, but the model has 2 inputs/);
  });

  for (const [cmd, flag, extraArgs] of [
    ["run", "--input", []],
    ["explain", "--data", ["--out", "OUT"]],
    ["verify", "--data", []],
  ] as const) {
    it(`${cmd}: the missing-input error suggests only options ${cmd} has`, async () => {
      const only = path.join(set, "input_0.pb");
      const args = cmd === "verify" ? [cmd, path.join(dir, "explained-for-hints"), modelFile, flag, only] : [cmd, modelFile, flag, only, ...extraArgs.map((x) => (x === "OUT" ? path.join(dir, `out-${cmd}`) : x))];
      const r = await cli(args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`no data for model input 'k' int64 \\[N, 3\\]; pass ${flag} k=FILE`));
      await assertHintsExist(cmd, r.stderr);
      // And with no data at all (one-input hint, or the option being required).
      const none = await cli(cmd === "verify" ? [cmd, path.join(dir, "explained-for-hints"), modelFile] : cmd === "run" ? [cmd, modelFile] : [cmd, modelFile, "--out", path.join(dir, "out-none")]);
      assert.equal(none.code, 2, none.stderr);
      await assertHintsExist(cmd, none.stderr);
    });
  }

  it("the corpus's test_data_set folders: run on them reproduces output_k.pb (BERT: three int64 inputs)", { skip: corpusDir() ? false : NO_CORPUS }, async () => {
    const m = path.join(corpusDir()!, "models/bert_toy_ort");
    const out = path.join(dir, "bert.npz");
    const r = await cli(["run", path.join(m, "model.onnx"), "--input", path.join(m, "test_data_set_0"), "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    const got = decodeNpz(readFileSync(out));
    [...got.values()].forEach((t, i) => {
      const want = readTensorFile(path.join(m, "test_data_set_0", `output_${i}.pb`)).tensor;
      assert.deepEqual(t.shape, want.shape);
      const w = want.data as NumericArray, g = t.data as NumericArray;
      let err = 0;
      for (let j = 0; j < w.length; j++) err = Math.max(err, Math.abs(w[j] - g[j]));
      assert.ok(err < 1e-4, `output ${i}: max abs error ${err}`);
    });
  });
});
