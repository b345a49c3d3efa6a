// certifiedMaxErr in explain's outputs: with a box domain, program.json's fidelity and report.md state a certified
// bound on |simplified Net - original Net| over the whole box (rounding level after exact passes on a disguised
// zoo network); with data only there is no box and no such claim. program.json round-trips it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { writeModel } from "../../src/onnx/write.ts";
import { parseProgram, stringifyProgram } from "../../src/program/json.ts";
import { encodeNpy } from "../../src/data/npy.ts";
import { f32 } from "../../src/graph/tensor.ts";
import { CASES } from "../../zoo/cases/index.ts";
import { generateCase } from "../../zoo/generate.ts";
import { rng } from "../helpers/rng.ts";
import { cli, tmp } from "../cli/helpers.ts";

const dir = tmp();
const modelFile = path.join(dir, "max4.onnx");
writeModel(generateCase(CASES.find((c) => c.name === "max4")!, 1, ["split", "dead", "rescale", "permute"]).model, modelFile);

describe("certifiedMaxErr in explain's fidelity", { concurrency: 2 }, () => {
  it("box domain, --exact: certified at rounding level, in program.json and report.md", async () => {
    const out = path.join(dir, "box");
    const r = await cli(["explain", modelFile, "--domain", "box:-1,1", "--exact", "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(path.join(out, "program.json"), "utf8");
    const prog = parseProgram(text, "program.json");
    const c = prog.fidelity?.certifiedMaxErr;
    assert.ok(c !== undefined && c <= 1e-5, `certifiedMaxErr ${c}`);
    assert.match(prog.fidelity!.certifiedMethod!, /CROWN|unchanged/);
    assert.equal(parseProgram(stringifyProgram(prog), "again").fidelity?.certifiedMaxErr, c);
    assert.match(readFileSync(path.join(out, "report.md"), "utf8"), /Over the whole box domain: max \|simplified Net - original Net\| <= \S+, certified/);
  });

  it("data only: no box, no certified claim", async () => {
    const out = path.join(dir, "data");
    const r0 = rng(4);
    const xFile = path.join(dir, "x.npy");
    const n = CASES.find((c) => c.name === "max4")!;
    const width = generateCase(n, 1, []).model.graph.inputs[0].shape!.at(-1) as number;
    writeFileSync(xFile, encodeNpy(f32([300, width], Array.from({ length: 300 * width }, () => 2 * r0() - 1))));
    const r = await cli(["explain", modelFile, "--data", xFile, "--exact", "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    const prog = parseProgram(readFileSync(path.join(out, "program.json"), "utf8"), "program.json");
    assert.equal(prog.fidelity?.certifiedMaxErr, undefined);
  });
});
