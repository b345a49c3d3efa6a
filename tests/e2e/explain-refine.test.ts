// explain --refine: refine first, explain the refined copy, and report fidelity to both side by side. The figure
// against the original is checked independently: the original and the written program on explain's held-out rows.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { decodeNpy } from "../../src/data/npy.ts";
import { readModel } from "../../src/onnx/read.ts";
import { runModel } from "../../src/run/interp.ts";
import { splitData } from "../../src/pipeline/domain.ts";
import { readProgramDir } from "../../src/program/load.ts";
import { runProgram } from "../../src/program/run.ts";
import { top1Agreement, maxAbsErr } from "../../src/verify/metrics.ts";
import { cli, tmp } from "../cli/helpers.ts";

const dir = tmp();
after(() => rmSync(dir, { recursive: true, force: true }));

test("explain --refine: report.md and program.json give fidelity to the refined network and to the original, and both are what the files do", async () => {
  const model = "zoo/trained/modadd13/model.onnx", data = "zoo/trained/modadd13/data.npy";
  const out = path.join(dir, "ex");
  const r = await cli(["explain", model, "--data", data, "--out", out, "--refine", "--refine-epochs", "2", "--refine-rounds", "2", "--min-agreement", "0.95"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /fidelity vs the refined network/);
  assert.match(r.stdout, /fidelity vs original \(cost of refining\)/);
  const md = readFileSync(path.join(out, "report.md"), "utf8");
  assert.match(md, /vs the refined network: maxAbsErr \| top-1 \| vs the original \(cost of refining\)/);
  const p = readProgramDir(out);
  assert.ok(p.fidelity && p.refined, "program.json has both fidelities");
  const held = splitData([decodeNpy(readFileSync(data))], 0.2, 0).heldOut[0];
  const got = runProgram(p, [held])[0];
  const original = runModel(readModel(model), { x: held }).y;
  const refined = runModel(readModel(path.join(out, "refined.onnx")), { x: held }).y;
  assert.equal(p.refined.vsOriginal.top1Agreement, top1Agreement(original, got));
  assert.ok(Math.abs(p.refined.vsOriginal.maxAbsErr - maxAbsErr(original.data as Float32Array, got.data as Float32Array)) < 1e-5);
  assert.ok(Math.abs(p.fidelity.maxAbsErr - maxAbsErr(refined.data as Float32Array, got.data as Float32Array)) < 1e-4);
  assert.ok(p.refined.weightsAfter <= p.refined.weightsBefore);
  assert.match(readFileSync(path.join(out, "refine.md"), "utf8"), /\| round \| epoch \|/);
});

test("explain --refine without --data: one line, exit 2", async () => {
  const r = await cli(["explain", "zoo/trained/modadd13/model.onnx", "--domain", "bits", "--out", path.join(dir, "no"), "--refine"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--refine needs --data/);
});
