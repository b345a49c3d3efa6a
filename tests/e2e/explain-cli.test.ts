// The explain / verify / show commands: files written, one-screen summary, exit codes (0 ok, 2 bad input,
// 3 verify tolerance exceeded), and bad input leaving nothing half-written.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { encodeNpy } from "../../src/data/npy.ts";
import { writeModel } from "../../src/onnx/write.ts";
import { sampleDomain } from "../../src/pipeline/domain.ts";
import { OUTPUT_FILES } from "../../src/pipeline/output-dir.ts";
import { f32 } from "../../src/graph/tensor.ts";
import { randomMLP } from "../helpers/nets.ts";
import { rng } from "../helpers/rng.ts";
import { cli, tmp } from "../cli/helpers.ts";

const dir = tmp();
const modelFile = path.join(dir, "mlp.onnx");
const xFile = path.join(dir, "x.npy");
const x2File = path.join(dir, "x_test.npy");
const model = randomMLP(rng(5), [6, 10, 3], { softmax: "softmax" });

writeModel(model, modelFile);
writeFileSync(xFile, encodeNpy(sampleDomain({ kind: "normal" }, model.graph.inputs, 50, 1).tensors[0]));
writeFileSync(x2File, encodeNpy(sampleDomain({ kind: "normal" }, model.graph.inputs, 20, 2).tensors[0]));

/** The bad-input contract: exit 2, one line on stderr naming the problem, and `out` not created. */
async function expectBadInput(args: string[], re: RegExp, out?: string): Promise<void> {
  const r = await cli(args);
  // Progress lines (a pass that took over a second, e.g. on a loaded machine) are not part of the error.
  const lines = r.stderr.split("\n").filter((l) => l.trim() && !/^pseudonet: [\w/-]+ \([\d.]+ s\): /.test(l));
  assert.equal(r.code, 2, `exit code (stderr: ${r.stderr})`);
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], re);
  if (out) assert.equal(existsSync(out), false, `${out} should not exist`);
}

describe("pseudonet explain / show / verify", { concurrency: 4 }, () => {
  it("explain writes every file and prints a summary; show and verify read the folder", async () => {
    const out = path.join(dir, "explained");
    const r = await cli(["explain", modelFile, "--data", xFile, "--out", out, "--seed", "3"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(out).sort(), [...OUTPUT_FILES].sort());
    assert.match(r.stdout, /^pseudonet: explained .*mlp\.onnx into .*explained/m);
    assert.match(r.stdout, /program\.txt +the pseudocode: 3 statements in 1 function\(s\) \(2 affine, 1 softmax\)/);
    assert.match(r.stdout, /fidelity vs original \(held-out, 10 samples\): maxAbsErr \S+, relErr \S+, top-1 agreement 100%/);
    assert.match(r.stdout, /opaque parts: none/);
    assert.ok(r.stdout.split("\n").length <= 24, "fits one screen");
    assert.match(readFileSync(path.join(out, "program.txt"), "utf8"), /^# pseudonet program: mlp \(from mlp\.onnx\)/);

    const show = await cli(["show", out, "main/h1"]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /^main: h1 = relu\(W1 @ x \+ b1\)/);
    assert.match(show.stdout, /W1: \[10, 6\], 60 values/);
    const whole = await cli(["show", out]);
    assert.equal(whole.code, 0, whole.stderr);
    assert.match(whole.stdout, /^def main\(x: vec\[6\]\) -> vec\[3\]:$/m);

    const v = await cli(["verify", out, modelFile, "--data", x2File]);
    assert.equal(v.code, 0, v.stderr + v.stdout);
    for (const a of ["program.json", "reconstructed.onnx", "program.ts", "program.py"]) assert.match(v.stdout, new RegExp(`^ +${a.replace(".", "\\.")} .* (ok|skipped)$`, "m"));
    assert.match(v.stdout, /on 20 samples, tolerance relErr <= 1e-5/);

    // A changed weight is caught: exit 3, the table says which artifact exceeds the tolerance.
    const pj = path.join(out, "program.json");
    const j = JSON.parse(readFileSync(pj, "utf8"));
    const w = Buffer.from(j.weights.W2.data, "base64");
    w.writeFloatLE(w.readFloatLE(0) + 0.5, 0);
    j.weights.W2.data = w.toString("base64");
    writeFileSync(pj, JSON.stringify(j));
    const bad = await cli(["verify", out, modelFile, "--data", x2File, "--tolerance", "1e-4"]);
    assert.equal(bad.code, 3, bad.stderr);
    assert.match(bad.stdout, /^ +program\.json .* EXCEEDS 1e-4$/m);
    assert.match(bad.stdout, /^ +reconstructed\.onnx .* ok$/m);
    assert.match(bad.stderr, /^pseudonet: verify failed: program\.json exceeded\n$/);
  });

  it("a previous output folder is replaced", async () => {
    const out = path.join(dir, "again");
    assert.equal((await cli(["explain", modelFile, "--domain", "normal", "--samples", "30", "--out", out])).code, 0);
    const r = await cli(["explain", modelFile, "--domain", "box:-2,2", "--samples", "40", "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\(held-out, 8 samples\)/);
    assert.deepEqual(readdirSync(out).sort(), [...OUTPUT_FILES].sort());
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith(".again")), [], "no temp folder left behind");
  });

  it("--domain bits enumerates all 2^n inputs of a small model", async () => {
    const small = path.join(dir, "bits.onnx");
    writeModel(randomMLP(rng(7), [4, 5, 2]), small);
    const out = path.join(dir, "bits");
    const r = await cli(["explain", small, "--domain", "bits", "--holdout", "0.25", "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\(held-out, 4 samples\)/);
    assert.match(readFileSync(path.join(out, "report.md"), "utf8"), /16 inputs all 2\^4 bit patterns/);
    assert.match(readFileSync(path.join(out, "program.txt"), "utf8"), /^def main\(x: bits\[4\]\)/m);
  });

  it("--domain bits without --holdout analyses and measures every point of the domain", async () => {
    const small = path.join(dir, "bits-whole.onnx");
    writeModel(randomMLP(rng(8), [3, 5, 2]), small);
    const out = path.join(dir, "bits-whole");
    const r = await cli(["explain", small, "--domain", "bits", "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\(every point of the domain, 8 samples\)/);
    assert.match(readFileSync(path.join(out, "report.md"), "utf8"), /the whole domain \(8 points\) used for analysis and fidelity alike/);
  });

  it("without --data or --domain: says what it needs", () =>
    expectBadInput(["explain", modelFile, "--out", path.join(dir, "none")], /explain needs inputs to analyse: give --data FILE .* or --domain DOMAIN \(box:LO,HI/, path.join(dir, "none")));

  it("both --data and --domain: asks for one", () =>
    expectBadInput(["explain", modelFile, "--data", xFile, "--domain", "bits", "--out", path.join(dir, "both")], /either --data or --domain/, path.join(dir, "both")));

  it("an unknown domain", () =>
    expectBadInput(["explain", modelFile, "--domain", "box:1,-1", "--out", path.join(dir, "box")], /LO < HI/, path.join(dir, "box")));

  it("data of the wrong shape names the input and both shapes", () => {
    const wrong = path.join(dir, "wrong.npy");
    writeFileSync(wrong, encodeNpy(f32([3, 5], new Float32Array(15))));
    return expectBadInput(["explain", modelFile, "--data", wrong, "--out", path.join(dir, "wrong")], /wrong\.npy has shape \[3, 5\] but model input 'input' expects \[batch, 6\]/, path.join(dir, "wrong"));
  });

  it("an output folder holding something else is left alone", async () => {
    const out = path.join(dir, "mine");
    mkdirSync(out);
    writeFileSync(path.join(out, "notes.txt"), "my notes");
    await expectBadInput(["explain", modelFile, "--data", xFile, "--out", out], /--out .*mine already exists and holds notes\.txt, which is not a previous pseudonet output/);
    assert.deepEqual(readdirSync(out), ["notes.txt"]);
    assert.equal(readFileSync(path.join(out, "notes.txt"), "utf8"), "my notes");
  });

  it("a bad --expand path fails before anything is written", () =>
    expectBadInput(["explain", modelFile, "--data", xFile, "--out", path.join(dir, "exp"), "--expand", "main/h9"], /no statement 'h9' in function 'main' \(path 'main\/h9'\)/, path.join(dir, "exp")));

  it("verify and show on a folder that is not an explanation", async () => {
    await expectBadInput(["verify", dir, modelFile, "--data", x2File], /holds no program\.json: is it the output folder of pseudonet explain\?/);
    await expectBadInput(["show", path.join(dir, "nowhere")], /does not exist/);
  });
});
