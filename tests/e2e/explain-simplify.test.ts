// explain's simplify stage from the command line: --exact on a disguised zoo network brings its hidden units to
// the reference program's and says so pass by pass in report.md; bad --tolerance / --min-agreement values are
// one-line errors with exit 2.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { writeModel } from "../../src/onnx/write.ts";
import { parseProgram } from "../../src/program/json.ts";
import { CASES } from "../../zoo/cases/index.ts";
import { generateCase } from "../../zoo/generate.ts";
import { cli, tmp } from "../cli/helpers.ts";

const dir = tmp();
const modelFile = path.join(dir, "max4.onnx");
writeModel(generateCase(CASES.find((c) => c.name === "max4")!, 1, ["split", "dead", "rescale", "permute"]).model, modelFile);

describe("explain --exact / --tolerance / --min-agreement", { concurrency: 3 }, () => {
  it("--exact simplifies a disguised max4 to its three max units, reported per pass", async () => {
    const out = path.join(dir, "out");
    const r = await cli(["explain", modelFile, "--domain", "box:-1,1", "--exact", "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    const report = readFileSync(path.join(out, "report.md"), "utf8");
    assert.match(report, /\| simplify \| hidden units 17 -> 3, .*exact passes only \(--exact\)/);
    for (const p of ["dead-units", "constant-units", "merge-parallel", "always-on", "linear-pairs", "fuse-affine", "canonical-scale", "canonical-order"]) {
      assert.match(report, new RegExp(`\\| simplify/${p} \\(exact\\) \\| .*units \\d+ -> \\d+, weights \\d+ -> \\d+; held-out maxAbsErr`));
    }
    const prog = parseProgram(readFileSync(path.join(out, "program.json"), "utf8"), "program.json");
    assert.ok(prog.fidelity && prog.fidelity.relErr < 1e-5);
    // The program describes the simplified Net (fc1 keeps 2 of its units), and its slices name the lowered Net's
    // units they stand for; show opens a statement of it.
    const entries = prog.functions.flatMap((f) => f.body.flatMap((s) => (s.kind === "prim" || s.slice ? (s.kind === "prim" ? s.prim.slice : s.slice!).layers : [])));
    const fc1 = entries.filter((l) => l.id === "fc1" || l.id === "relu1");
    assert.ok(fc1.length > 0 && fc1.every((l) => l.units === null || l.units.every((u) => u < 2)), JSON.stringify(fc1));
    assert.ok(fc1.some((l) => (l.origin ?? []).some((o) => /^fc1:\d+$/.test(o))), JSON.stringify(fc1));
    const first = prog.functions[0].body.find((s) => s.kind === "prim");
    const show = await cli(["show", out, `main/${first && first.kind === "prim" ? first.out.name : "y"}`]);
    assert.equal(show.code, 0, show.stderr);
  });

  for (const [flag, value, re] of [
    ["--tolerance", "-1", /--tolerance.*non-negative number/],
    ["--min-agreement", "1.5", /--min-agreement.*fraction in \[0, 1\]/],
    ["--agreement-rule", "bogus", /--agreement-rule.*margin, binomial, count/],
  ] as const) {
    it(`${flag} ${value} is a one-line error with exit 2`, async () => {
      const out = path.join(dir, `bad${flag}`);
      const r = await cli(["explain", modelFile, "--domain", "box:-1,1", flag, value, "--out", out]);
      const lines = r.stderr.split("\n").filter((l) => l.trim());
      assert.equal(r.code, 2, r.stderr);
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], re);
      assert.equal(existsSync(out), false);
    });
  }

  it("--agreement-rule reaches the budgeted passes of a classifier, and report.md names it", async () => {
    const file = path.join(dir, "argmax4.onnx");
    writeModel(generateCase(CASES.find((c) => c.name === "argmax4")!, 1, []).model, file);
    for (const rule of ["binomial", "count"]) {
      const out = path.join(dir, `rule-${rule}`);
      const r = await cli(["explain", file, "--domain", "box:-1,1", "--agreement-rule", rule, "--out", out]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(readFileSync(path.join(out, "report.md"), "utf8"), new RegExp(`min top-1 agreement 99\\.9% by the ${rule} rule`));
    }
  });
});
