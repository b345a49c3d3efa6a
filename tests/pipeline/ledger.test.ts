// One budget for the whole explain (src/pipeline/ledger.ts): every budgeted step is judged by the whole Net or
// program after it against the ORIGINAL Net, so two steps that each fit alone cannot both spend the budget; each
// step's cost is recorded (program.json `budget`, report.md); --exact spends nothing. On the zoo's edge detector
// with every obfuscation (the builder's conv abs pairs are a budgeted step there).
import { test } from "node:test";
import assert from "node:assert/strict";
import { explainPasses, runExplain, type ExplainInput, type ExplainPass } from "../../src/pipeline/explain.ts";
import { budgetLines, judgeNet, ledgerOf, record } from "../../src/pipeline/ledger.ts";
import { runProgram } from "../../src/program/run.ts";
import { parseProgram, stringifyProgram } from "../../src/program/json.ts";
import type { Net } from "../../src/net/net.ts";
import { domainFlag } from "../../zoo/case.ts";
import { findCase } from "../../zoo/cases/index.ts";
import { generateCase } from "../../zoo/generate.ts";
import { ORDER } from "../../zoo/obfuscate.ts";

const def = findCase("edge")!;
const model = generateCase(def, 1, [...ORDER]).model;
// (No simplify: its budgeted merge would spend first; the test is about the two steps below.)
const base: ExplainInput = { model, name: "edge", domain: domainFlag(def.domain)!, simplify: false };

/** A budgeted step for the test: every output shifted by delta (the output layer's bias), judged and recorded. */
function spender(delta: number): ExplainPass {
  return {
    name: "spend", doc: "test: shift every output by delta, within the run's budget",
    run(s) {
      const net = s.net!;
      const out = net.outputs[0].from;
      const shifted: Net = { ...net, layers: net.layers.map((l) => (l.id === out && l.kind === "affine" ? { ...l, b: l.b.map((v) => v + delta) } : l)) };
      let ledger = ledgerOf(s);
      const v = judgeNet(ledger, shifted);
      assert.ok(v.ok, `the shift alone fits: ${JSON.stringify(v)} (limit ${ledger.limit})`);
      ledger = record(ledger, "spend", `every output shifted by ${delta}`, v);
      return { out: { ...s, net: shifted, ledger }, report: { pass: "spend", summary: "shifted", details: [] } };
    },
  };
}

test("two budgeted steps that each fit alone but not together: the second is refused; each step's cost recorded", async () => {
  // (Under what dropping carve's fit residual costs here, 1.6e-2 on the analysis rows: the residual stays, and the
  // abs reading of the noisy channel pairs beside it is the step that spends. At 0.05 carve drops it and the
  // reading is then exact.)
  const tolerance = 0.015;
  const alone = await runExplain({ ...base, tolerance }, { until: "emit" });
  const b = alone.program!.budget!;
  const abs = b.steps.find((e) => e.step === "conv-abs");
  assert.ok(abs && abs.added > 1e-3 && abs.total <= b.limit, `conv-abs spends within the budget alone: ${JSON.stringify(b.steps)}`);
  for (const e of b.steps) assert.ok(e.total <= b.limit && (e.box ?? 0) <= b.boxLimit!, JSON.stringify(e));
  // Recorded in program.json (round trip) and report.md.
  assert.deepEqual(parseProgram(stringifyProgram(alone.program!)).budget, JSON.parse(JSON.stringify(b)));
  const report = String(alone.files!.get("report.md"));
  assert.match(report, /### Budget/);
  assert.match(report, /conv-abs: conv \S+: \d+ channel pair/);
  // A step before build that spends the budget but for half of what conv-abs's reading costs, in the direction of
  // its largest error: alone it fits, conv-abs alone fits, together they do not.
  const led = alone.ledger!;
  const got = runProgram(alone.program!, led.analysis.inputs)[0].data as Float32Array, ref = led.analysis.ref[0].data as Float32Array;
  let at = 0;
  for (let i = 0; i < got.length; i++) if (Math.abs(got[i] - ref[i]) > Math.abs(got[at] - ref[at])) at = i;
  const e = got[at] - ref[at];
  const delta = Math.sign(e) * (b.limit - 0.5 * Math.abs(e));
  const passes = [...explainPasses];
  passes.splice(passes.findIndex((p) => p.name === "build"), 0, spender(delta));
  const both = await runExplain({ ...base, tolerance }, { until: "verify", passes });
  const steps = both.program!.budget!.steps;
  assert.ok(steps.some((x) => x.step === "spend"));
  const abs2 = steps.find((x) => x.step === "conv-abs");
  // conv-abs takes its exact reading (the pairs' mismatches kept as relu), which costs rounding level, or none.
  assert.ok(!abs2 || abs2.added < 1e-4, `conv-abs must not spend what the earlier step spent: ${JSON.stringify(steps)}`);
  const rep = both.build!.convAbs ?? [];
  for (const c of rep) assert.ok(c.change < 1e-4, JSON.stringify(c));
  for (const x of steps) assert.ok(x.total <= b.limit, JSON.stringify(x));
  assert.ok(both.fidelity!.maxAbsErr <= tolerance, `held-out ${both.fidelity!.maxAbsErr}`);
});

test("--exact spends nothing: every step's total at rounding level, nothing dropped", async () => {
  const s = await runExplain({ ...base, simplify: true, exact: true }, { until: "verify" });
  const b = s.program!.budget!;
  assert.equal(b.exact, true);
  assert.ok(b.limit < 1e-4, `rounding level: ${b.limit}`);
  assert.ok(b.steps.length > 0);
  for (const e of b.steps) assert.ok(e.total <= b.limit && e.added <= b.limit, JSON.stringify(e));
  assert.equal(s.program!.droppedResiduals, undefined);
  assert.ok(s.fidelity!.maxAbsErr <= b.limit);
});

test("budgetLines: a classifier whose simplification moved the scores past the limit says so instead of claiming the bound", () => {
  const base = { tolerance: 0.076, exact: false, limit: 0.061, rows: 8000 };
  const steps = [{ step: "simplify", what: "budgeted passes", total: 1.8, added: 1.8 }, { step: "build", what: "the program as built", total: 1.8, added: 0 }];
  const cls = budgetLines({ ...base, minAgreement: 0.999, steps }).join("\n");
  assert.match(cls, /judged by top-1 agreement alone: after simplify the scores are 1\.8e\+0 from the original's/);
  // Within the limit, or not a classifier: no such note.
  assert.doesNotMatch(budgetLines({ ...base, minAgreement: 0.999, steps: [{ ...steps[0], total: 0.01, added: 0.01 }] }).join("\n"), /alone/);
  assert.doesNotMatch(budgetLines({ ...base, steps }).join("\n"), /alone/);
});
