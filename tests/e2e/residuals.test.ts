// The residuals pass end to end: a zoo max2 net with weight noise is `max(x0, x1) + r` (r: the noise). Budgeted
// (plain explain), r fits --tolerance and is dropped: the program is max alone, its cost stated in program.json,
// program.txt, report.md and show, verify measures that cost against the original, and reconstructed.onnx,
// program.ts and program.py compute the same program (without r). Under --exact, or with a tolerance below r's
// size, r stays and the program equals the network.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { findCase } from "../../zoo/cases/index.ts";
import { generateCase } from "../../zoo/generate.ts";
import { f32 } from "../../src/graph/tensor.ts";
import { readProgramDir } from "../../src/program/load.ts";
import { expand } from "../../src/program/expand.ts";
import { residualSites } from "../../src/program/drop-residual.ts";
import { verifyDir } from "../../src/verify/verify.ts";
import { BUDGET_SHARE } from "../../src/passes/budget.ts";
import { explainInto } from "./helpers.ts";

const g = generateCase(findCase("max2")!, 1, ["noise"]);
const data = [f32([g.points.length, 2], g.points.flat())];

test("budgeted: max2 under weight noise drops its residual, states the cost, and every artifact computes the program", async (t) => {
  const { dir, state } = await explainInto(g.model, { exact: false, domain: "box:-1,1" }, "resid");
  const p = state.program!;
  assert.equal(p.droppedResiduals?.length, 1, JSON.stringify(state.reports.find((r) => r.pass === "residuals")));
  const d = p.droppedResiduals![0];
  assert.equal(d.value, "y");
  assert.ok(d.cost.analysis > 1e-6, `the noise costs something: ${d.cost.analysis}`);
  assert.ok(d.cost.analysis <= d.budget && d.budget === BUDGET_SHARE.residuals * state.simplify!.budget.tolerance, JSON.stringify(d));
  assert.ok(d.cost.box !== undefined && d.cost.box <= state.simplify!.budget.tolerance, `checked on fresh box points: ${JSON.stringify(d.cost)}`);
  assert.equal(residualSites(p).length, 0);
  assert.ok(!p.functions.some((f) => /residual/.test(f.name)), "the residual function is gone");
  // The held-out fidelity shows the cost, within the budget.
  assert.ok(p.fidelity!.maxAbsErr > 1e-6 && p.fidelity!.maxAbsErr <= state.simplify!.budget.tolerance, JSON.stringify(p.fidelity));
  const text = readFileSync(path.join(dir, "program.txt"), "utf8");
  assert.match(text, /y = max\(x\[0\], x\[1\]\) +# residual_1 dropped \(within --tolerance\): program vs original \S+ on the data/, text);
  assert.match(text, /# residual main\/y: residual_1 dropped \(\d+ units, \d+ weights; stated max \|r\| /, text);
  assert.match(readFileSync(path.join(dir, "report.md"), "utf8"), /Residuals dropped within --tolerance[^\n]*\n\n- main\/y: residual_1 dropped/);
  // program.json keeps the record; show tells what was dropped.
  const back = readProgramDir(dir);
  assert.deepEqual(back.droppedResiduals, p.droppedResiduals);
  assert.match(expand(back, "main/y"), /residual main\/y: residual_1 dropped/);
  // Every artifact computes the program (without r): the same error against the original as the interpreter's.
  const r = await verifyDir(dir, g.model, data, { tolerance: 1e-2 });
  const ref = r.rows.find((x) => x.artifact === "program.json")!.fidelity!.maxAbsErr;
  assert.ok(ref > 1e-6, `the program differs from the original by r: ${ref}`);
  for (const row of r.rows) {
    if (row.status === "skipped") {
      t.diagnostic(`${row.artifact} skipped: ${row.note}`);
      continue;
    }
    assert.equal(row.status, "ok", `${row.artifact}: ${row.status} ${row.note ?? ""}`);
    assert.ok(Math.abs(row.fidelity!.maxAbsErr - ref) <= 1e-5, `${row.artifact} maxAbsErr ${row.fidelity!.maxAbsErr} vs the program's ${ref}`);
  }
});

test("--exact keeps the residual, and so does a tolerance below its size", async () => {
  for (const input of [{ exact: true }, { exact: false, tolerance: 1e-6 }]) {
    const { state } = await explainInto(g.model, { ...input, domain: "box:-1,1" }, "resid-kept");
    const p = state.program!;
    assert.equal(p.droppedResiduals, undefined, JSON.stringify(input));
    assert.equal(residualSites(p).length, 1, JSON.stringify(input));
    assert.ok(p.fidelity!.maxAbsErr < 1e-5, `${JSON.stringify(input)}: the program equals the network (${p.fidelity!.maxAbsErr})`);
    const rep = state.reports.find((x) => x.pass === "residuals")!;
    assert.match(rep.summary, input.exact ? /kept \(--exact\)/ : /kept: none fits the budget/);
  }
});

test("bit outputs judged as class scores: a named program whose bits tie ([1, 1, 0]) agrees with any tied class, so adder2's residual drops", async () => {
  const a = generateCase(findCase("adder2")!, 1, ["nearzero"]);
  const { state } = await explainInto(a.model, { exact: false, domain: "bits" }, "resid-bits");
  const p = state.program!;
  assert.equal(p.droppedResiduals?.length, 1, JSON.stringify(state.reports.find((r) => r.pass === "residuals")));
  assert.ok(p.droppedResiduals![0].cost.analysis < 1e-3, JSON.stringify(p.droppedResiduals));
  assert.ok(p.fidelity!.maxAbsErr < 1e-3, JSON.stringify(p.fidelity));
});

test("every point of the domain: the residual may use the whole tolerance (no unseen point to keep a margin for), and verify's top-1 counts ties", async () => {
  // adder2 with every obfuscation: its noise moves the bits by 8.2e-3, above 0.8 x 1e-2 but within 1e-2, and the
  // rows are all 16 points of {0,1}^4, so the max measured is the max.
  const a = generateCase(findCase("adder2")!, 1, ["conv2dense", "interleave", "split", "dead", "rescale", "permute", "nearzero", "noise"]);
  const { state } = await explainInto(a.model, { exact: false, domain: "bits", tolerance: 0.01 }, "resid-whole");
  const p = state.program!;
  assert.equal(p.droppedResiduals?.length, 1, JSON.stringify(state.reports.find((r) => r.pass === "residuals")));
  const d = p.droppedResiduals![0];
  assert.equal(d.budget, 0.01);
  assert.ok(d.cost.analysis > BUDGET_SHARE.residuals * 0.01 && d.cost.analysis <= 0.01, JSON.stringify(d));
  // Measured at every point: the fidelity is the drop's cost, and the program's exact ties agree with the net's top-1.
  assert.ok(Math.abs(p.fidelity!.maxAbsErr - d.cost.analysis) <= 1e-6, JSON.stringify(p.fidelity));
  // verify's top-1 is strict: 0 + 0 gives the exact bits [0, 0, 0], a row with no top-1 (a row of zeros decides
  // nothing), so it disagrees there and only there; the budget counted it as a tie within its error limit.
  assert.equal(p.fidelity!.top1Agreement, 15 / 16);
  // A box domain keeps the margin: max2 under noise is judged against 0.8 x --tolerance (the test above).
});
