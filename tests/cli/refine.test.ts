// The refine command: writes refined.onnx (runnable, same interface) and its report; bad options and inputs are
// one-line errors with exit code 2 and nothing written.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { readModel } from "../../src/onnx/read.ts";
import { decodeNpy } from "../../src/data/npy.ts";
import { runModel } from "../../src/run/interp.ts";
import { cli, tmp } from "./helpers.ts";

const dir = tmp();
after(() => rmSync(dir, { recursive: true, force: true }));
const model = "zoo/trained/sort3_trained/model.onnx", data = "zoo/trained/sort3_trained/data.npy";

test("refine writes a runnable refined.onnx with the original's interface, and its report (md + json)", async () => {
  const out = path.join(dir, "refined.onnx");
  const r = await cli(["refine", model, "--data", data, "--out", out, "--epochs", "1", "--rounds", "2", "--tolerance", "0.5", "--cluster-every", "epoch", "--boundary", "0.5", "--finish-epochs", "1", "--agreement-rule", "count"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /refined .* into .*refined\.onnx/);
  assert.match(r.stdout, /weights\s+\d+ -> \d+/);
  const m = readModel(out), orig = readModel(model);
  assert.deepEqual(m.graph.inputs.map((i) => i.name), orig.graph.inputs.map((i) => i.name));
  assert.deepEqual(m.graph.outputs.map((i) => i.name), orig.graph.outputs.map((i) => i.name));
  const x = decodeNpy(readFileSync(data));
  assert.equal(runModel(m, { x }).y.shape.join(","), runModel(orig, { x }).y.shape.join(","));
  const md = readFileSync(path.join(dir, "refined.report.md"), "utf8");
  assert.match(md, /\| round \| epoch \| loss \|/);
  const json = JSON.parse(readFileSync(path.join(dir, "refined.report.json"), "utf8"));
  assert.equal(json.format, "pseudonet.refine-report");
  assert.ok(json.epochs.length >= 1);
  assert.equal(json.options.clusterEvery, "epoch", "--cluster-every reaches refine");
  assert.equal(json.options.boundary, 0.5, "--boundary reaches refine");
  assert.equal(json.options.finishEpochs, 1, "--finish-epochs reaches refine");
  assert.equal(json.options.agreementRule, "count", "--agreement-rule reaches refine");
  assert.equal(json.epochs.filter((e: { finish?: boolean }) => e.finish).length, 1, "the finish's epoch is in the report");
});

for (const [what, args, pattern] of [
  ["an unknown objective", ["--objective", "prune,sparse"], /'sparse' is not an objective/],
  ["--min-agreement above 1", ["--min-agreement", "2"], /--min-agreement/],
  ["--epochs 0", ["--epochs", "0"], /--epochs/],
  ["--cluster-every sometimes", ["--cluster-every", "sometimes"], /--cluster-every.*round, epoch or run/],
  ["a negative --boundary", ["--boundary", "-1"], /--boundary/],
  ["an unknown --agreement-rule", ["--agreement-rule", "vote"], /--agreement-rule.*margin, binomial, count/],
  ["a fractional --finish-epochs", ["--finish-epochs", "1.5"], /--finish-epochs/],
  ["an output folder that does not exist", ["--out", "/nonexistent/dir/r.onnx"], /does not exist/],
  ["data of the wrong width", ["--data", "zoo/trained/max2_trained/data.npy"], /x|shape|column|dim/i],
] as [string, string[], RegExp][]) {
  test(`refine with ${what}: one line, exit 2, nothing written`, async () => {
    const out = path.join(dir, `bad-${what.replace(/\W+/g, "-")}.onnx`);
    const base = ["refine", model, "--data", data, "--out", out, "--epochs", "1", "--rounds", "1"];
    // Later options win: the bad one is appended.
    const r = await cli([...base, ...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.ok(!r.stderr.includes("    at "), "no stack trace");
    assert.ok(!existsSync(out));
  });
}

test("refine without --data: exit 2", async () => {
  const r = await cli(["refine", model, "--out", path.join(dir, "x.onnx")]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--data/);
});
