// `pseudonet run`: results against known answers and the corpus, batching, output layouts, and --help everywhere.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { decodeNpy, encodeNpy } from "../../src/data/npy.ts";
import { decodeNpz } from "../../src/data/npz.ts";
import { f32, type NumericArray } from "../../src/graph/tensor.ts";
import { readTensorFile } from "../../src/onnx/read.ts";
import { writeModel } from "../../src/onnx/write.ts";
import { buildProgram } from "../../src/cli/main.ts";
import { mismatch } from "../helpers/allclose.ts";
import { corpusDir, NO_CORPUS, repoRoot } from "../helpers/corpus.ts";
import { rng, randnArray } from "../helpers/rng.ts";
import { cli, model, tmp } from "./helpers.ts";

const dir = tmp();
after(() => rmSync(dir, { recursive: true, force: true }));
const example = path.join(repoRoot, "examples/mlp/model.onnx");

/** The example's known algorithm: y = [max(x0, x1), |x2 - x3|]. */
function exampleTruth(x: Float32Array, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const [a, b, c, d] = x.subarray(i * 4, i * 4 + 4);
    out.push(Math.max(a, b), Math.abs(c - d));
  }
  return out;
}

describe("pseudonet run", { concurrency: 4 }, () => {
  it("--help works as a process (exit 0, usage and examples on stdout)", async () => {
    for (const args of [["--help"], ["run", "--help"], ["help", "inspect"]]) {
      const r = await cli(args);
      assert.equal(r.code, 0, args.join(" "));
      assert.match(r.stdout, /^Usage: pseudonet/, args.join(" "));
      assert.match(r.stdout, /Examples?:\n\s+pseudonet /, args.join(" "));
    }
  });

  it("every registered command has --help with an example", () => {
    const program = buildProgram();
    assert.ok(program.commands.length >= 2);
    for (const c of program.commands) {
      let out = "";
      c.configureOutput({ writeOut: (s) => (out += s) });
      c.outputHelp();
      assert.match(out, new RegExp(`^Usage: pseudonet ${c.name()} `), c.name());
      assert.match(out, /Examples?:\n\s+pseudonet /, `${c.name()} --help has an example`);
    }
  });

  for (const engine of ["interp", "ort"]) {
    it(`runs the bundled example on seeded random data (--engine ${engine}), in batches or not`, async () => {
      const n = 37;
      const x = randnArray(rng(engine === "ort" ? 1 : 2), n * 4, 2);
      const xFile = path.join(dir, `x-${engine}.npy`);
      writeFileSync(xFile, encodeNpy(f32([n, 4], x)));
      const truth = f32([n, 2], exampleTruth(x, n));
      // Batched and whole runs for the interpreter; onnxruntime (slow to load) batched only.
      for (const batch of engine === "ort" ? [["--batch-size", "5"]] : [[], ["--batch-size", "5"]]) {
        const out = path.join(dir, `y-${engine}-${batch.length}.npy`);
        const r = await cli(["run", example, "--input", xFile, "--out", out, "--engine", engine, ...batch]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /wrote .*y: float32 \[37, 2\]/);
        assert.equal(mismatch(decodeNpy(readFileSync(out)), truth, 1e-5, 1e-6), undefined);
      }
    });
  }

  it("without --out prints the outputs; a single sample gets a batch axis with a note", async () => {
    const xFile = path.join(dir, "one.json");
    writeFileSync(xFile, "[3, -1, 0.5, 2]");
    const r = await cli(["run", example, "--input", xFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "y: float32 [1, 2]\n[[3., 1.5]]\n");
    assert.match(r.stderr, /note: .*added a batch axis/);
    assert.match(r.stderr, /note: .*converted float64 to float32/);
  });

  it("several outputs go to a folder (one .npy each) or one .npz; a single .npy is refused", async () => {
    const file = path.join(dir, "two.onnx");
    writeModel(model({
      inputs: [{ name: "x", dtype: "float32", shape: ["n", 3] }],
      outputs: [{ name: "pos/relu:0", dtype: "float32", shape: ["n", 3] }, { name: "neg", dtype: "float32", shape: ["n", 3] }],
      nodes: [{ name: "r", op: "Relu", inputs: ["x"], outputs: ["pos/relu:0"] }, { name: "m", op: "Neg", inputs: ["x"], outputs: ["neg"] }],
    }), file);
    const xFile = path.join(dir, "x3.csv");
    writeFileSync(xFile, "a,b,c\n1,-2,3\n-4,5,-6\n");
    const folder = path.join(dir, "results");
    const r1 = await cli(["run", file, "--input", xFile, "--out", folder]);
    assert.equal(r1.code, 0, r1.stderr);
    assert.deepEqual(readdirSync(folder).sort(), ["neg.npy", "pos_relu_0.npy"]);
    assert.deepEqual(Array.from(decodeNpy(readFileSync(path.join(folder, "pos_relu_0.npy"))).data as NumericArray), [1, 0, 3, 0, 5, 0]);
    const npz = path.join(dir, "results.npz");
    const r2 = await cli(["run", file, "--input", xFile, "--out", npz, "--batch-size", "1"]);
    assert.equal(r2.code, 0, r2.stderr);
    const arrays = decodeNpz(readFileSync(npz));
    assert.deepEqual(Array.from(arrays.get("neg")!.data as NumericArray), [-1, 2, -3, 4, -5, 6]);
    const r3 = await cli(["run", file, "--input", xFile, "--out", path.join(dir, "one.npy")]);
    assert.equal(r3.code, 2);
    assert.match(r3.stderr, /has 2 outputs .* use --out results\.npz or --out results\//);
    assert.equal(existsSync(path.join(dir, "one.npy")), false);
  });

  // The interpreter on three real models; onnxruntime on the first (its engine path is also run on the example above).
  const corpusRuns: [string, string[]][] = [
    ["sum_mlp_velardo_lesson9", ["interp", "ort"]],
    ["mnist_cnn_pytorch_ort", ["interp"]],
    ["mnist_mlp_batchnorm_pytorch", ["interp"]],
  ];
  for (const [name, engines] of corpusRuns) {
    it(`matches the corpus expected output for ${name} (${engines.join(", ")}; test data read from .pb)`, async (t) => {
      const c = corpusDir();
      if (!c) return t.skip(NO_CORPUS);
      const caseDir = path.join(c, "models", name);
      const expected = readTensorFile(path.join(caseDir, "test_data_set_0/output_0.pb")).tensor;
      for (const engine of engines) {
        const out = path.join(dir, `${name}-${engine}.npy`);
        const r = await cli(["run", path.join(caseDir, "model.onnx"), "--input", path.join(caseDir, "test_data_set_0/input_0.pb"), "--out", out, "--engine", engine]);
        assert.equal(r.code, 0, `${engine}: ${r.stderr}`);
        assert.equal(mismatch(decodeNpy(readFileSync(out)), expected, 1e-3, 1e-5), undefined, engine);
      }
    });
  }
});
