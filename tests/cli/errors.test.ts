// Bad input to the CLI: exit code 2, one line on stderr without a stack trace, and no output file written.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { encodeNpy } from "../../src/data/npy.ts";
import { tensor, type DType, type Tensor } from "../../src/graph/tensor.ts";
import { writeModel } from "../../src/onnx/write.ts";
import { supportedOps } from "../../src/ops/registry.ts";
import { reportError } from "../../src/cli/errors.ts";
import { UserError } from "../../src/errors.ts";
import { corpusDir, NO_CORPUS, repoRoot } from "../helpers/corpus.ts";
import { rng } from "../helpers/rng.ts";
import { cli, model, tmp } from "./helpers.ts";

const dir = tmp();
after(() => rmSync(dir, { recursive: true, force: true }));
const example = path.join(repoRoot, "examples/mlp/model.onnx");
const npy = (name: string, t: Tensor) => {
  const p = path.join(dir, name);
  writeFileSync(p, encodeNpy(t));
  return p;
};
const fill = (dtype: DType, shape: number[]) => tensor(dtype, shape, new Array(shape.reduce((a, b) => a * b, 1)).fill(1));
const x84 = npy("x84.npy", fill("float32", [8, 4]));

/** Run the CLI and check the bad-input contract: its one stderr line matches every pattern given. */
async function expectUserError(args: string[], re: RegExp | RegExp[], out = path.join(dir, `out-${Math.random().toString(36).slice(2)}.npy`)): Promise<void> {
  const r = await cli([...args, "--out", out]);
  const lines = r.stderr.split("\n").filter((l) => l.trim() !== "");
  assert.equal(r.code, 2, `exit code (stderr: ${r.stderr})`);
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0], /^pseudonet: /);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  for (const r1 of [re].flat()) assert.match(lines[0], r1);
  assert.equal(existsSync(out), false, "no output written");
}

describe("bad input: exit 2, one clear line, nothing written", { concurrency: 4 }, () => {
  it("model path that does not exist", () => expectUserError(["run", path.join(dir, "nope.onnx"), "--input", x84], /nope\.onnx.*no such file/));

  it("model path that is a directory", () => {
    mkdirSync(path.join(dir, "folder"), { recursive: true });
    return expectUserError(["run", path.join(dir, "folder"), "--input", x84], /is a directory/);
  });

  it("empty model file", () => {
    writeFileSync(path.join(dir, "empty.onnx"), "");
    return expectUserError(["run", path.join(dir, "empty.onnx"), "--input", x84], /empty/);
  });

  it("truncated protobuf", () => {
    const bytes = readFileSync(example);
    writeFileSync(path.join(dir, "trunc.onnx"), bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    return expectUserError(["run", path.join(dir, "trunc.onnx"), "--input", x84], /trunc\.onnx.*(not|truncated)/);
  });

  it("random bytes", () => {
    const r = rng(99);
    writeFileSync(path.join(dir, "random.onnx"), Buffer.from(Array.from({ length: 3000 }, () => Math.floor(r() * 256))));
    return expectUserError(["run", path.join(dir, "random.onnx"), "--input", x84], /random\.onnx.*not/);
  });

  it("a valid protobuf that is not a model (a TensorProto .pb)", async (t) => {
    const c = corpusDir();
    if (!c) return t.skip(NO_CORPUS);
    const pb = path.join(dir, "tensor.onnx");
    copyFileSync(path.join(c, "onnx-node-tests/test_abs/test_data_set_0/input_0.pb"), pb);
    await expectUserError(["run", pb, "--input", x84], /not an ONNX model/);
  });

  it("an unsupported op names the node, op, opset and the supported ops", async () => {
    const candidates = ["StringNormalizer", "NonMaxSuppression", "RoiAlign", "TfIdfVectorizer", "Det"];
    const op = candidates.find((o) => !supportedOps().includes(o))!;
    const file = path.join(dir, "unsupported.onnx");
    writeModel(model({
      inputs: [{ name: "x", dtype: "float32", shape: ["batch", 4] }],
      outputs: [{ name: "y", dtype: "float32", shape: null }],
      nodes: [{ name: "mystery", op, inputs: ["x"], outputs: ["y"] }],
      opset: 17,
    }), file);
    await expectUserError(["run", file, "--input", x84], [new RegExp(`node 'mystery' uses op ${op} \\(opset 17\\)`), /Supported ops: .*Relu/]);
  });

  it("a model whose shapes don't agree (Gemm with mismatched weights) names the node", () => {
    const file = path.join(dir, "badgemm.onnx");
    writeModel(model({
      inputs: [{ name: "x", dtype: "float32", shape: ["batch", 4] }],
      outputs: [{ name: "y", dtype: "float32", shape: ["batch", 3] }],
      nodes: [{ name: "fc", op: "Gemm", inputs: ["x", "w", "b"], outputs: ["y"], domain: "", attrs: { transB: { kind: "int", value: 1 } } }],
      initializers: [["w", fill("float32", [3, 5])], ["b", fill("float32", [3])]],
    }), file);
    return expectUserError(["run", file, "--input", x84], /node 'fc' \(Gemm\)/);
  });

  it("data of the wrong shape says which dimension and what was expected", () => {
    const x85 = npy("x85.npy", fill("float32", [8, 5]));
    return expectUserError(["run", example, "--input", x85], /x85\.npy has shape \[8, 5\] but model input 'x' expects \[batch, 4\]: dimension 1 is 5, expected 4/);
  });

  it("data of the wrong dtype (floats for an int64 token input)", () => {
    const file = path.join(dir, "tokens.onnx");
    writeModel(model({
      inputs: [{ name: "ids", dtype: "int64", shape: ["batch", 3] }],
      outputs: [{ name: "y", dtype: "float32", shape: ["batch", 3] }],
      nodes: [{ name: "cast", op: "Cast", inputs: ["ids"], outputs: ["y"], domain: "", attrs: { to: { kind: "int", value: 1 } } }],
    }), file);
    const f = npy("float_ids.npy", fill("float32", [2, 3]));
    return expectUserError(["run", file, "--input", f], /float_ids\.npy holds float32 but model input 'ids' wants int64/);
  });

  it("a missing --input names the input and what it expects", () => expectUserError(["run", example], /no data for model input 'x' float32 \[batch, 4\]; pass --input FILE/));

  it("an --input for an input the model does not have", () => expectUserError(["run", example, "--input", `y=${x84}`], /no input named 'y'; its inputs are 'x'/));

  it("a data file in an unknown format", () => {
    writeFileSync(path.join(dir, "x.txt"), "1 2 3 4");
    return expectUserError(["run", example, "--input", path.join(dir, "x.txt")], /unknown data format '\.txt'/);
  });

  it("an output format that cannot hold the results", () => expectUserError(["run", example, "--input", x84], /unknown format '\.bin'/, path.join(dir, "y.bin")));

  it("an invalid --batch-size is a usage error", () => expectUserError(["run", example, "--input", x84, "--batch-size", "0"], /batch-size.*positive integer/));

  it("--debug adds the stack trace to the message", async () => {
    const r = await cli(["--debug", "run", path.join(dir, "nope.onnx"), "--input", x84]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^pseudonet: .*no such file/);
    assert.match(r.stderr, /\n\s+at /);
  });
});

describe("the top-level handler", () => {
  it("prints an unexpected error as one 'internal error' line with a --debug hint and returns 1", () => {
    let out = "";
    const code = reportError(new TypeError("x is undefined"), false, { write: (s: string) => (out += s) });
    assert.equal(code, 1);
    assert.equal(out.trim().split("\n").length, 1);
    assert.match(out, /^pseudonet: internal error: x is undefined .*--debug/);
  });

  it("prints a UserError as 'pseudonet: <message>' on one line and returns 2", () => {
    let out = "";
    assert.equal(reportError(new UserError("bad\nthing"), false, { write: (s: string) => (out += s) }), 2);
    assert.equal(out, "pseudonet: bad thing\n");
  });
});
