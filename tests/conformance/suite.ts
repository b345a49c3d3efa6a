// One conformance suite over a list of corpus cases: each case whose ops all have a kernel must reproduce its
// expected outputs; cases needing an op without a kernel are "unsupported"; skip.ts cases are out of scope.
// Prints `<label>: N passed, M failed, K unsupported`, then the unsupported cases by op.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { readModel } from "../../src/onnx/read.ts";
import { runModel } from "../../src/run/interp.ts";
import { assertOutputs } from "../helpers/allclose.ts";
import { listDataSets, loadData } from "../helpers/corpus.ts";
import { missingOps, Tally, type CaseDir } from "./cases.ts";
import { skipReason } from "./skip.ts";

export interface SuiteOptions {
  /** Upstream's tolerance unless a case needs looser (justify it where the suite is declared). */
  rtol: number;
  atol: number;
  /** Per-case time limit in ms. */
  timeout(name: string): number;
  /** Cases whose run time is reported in the summary (the slow ones). */
  timed?(name: string): boolean;
  /** Shown (as a skipped test) when there are no cases, e.g. the corpus is absent. */
  whenEmpty: string;
}

/** Declare a describe() block with one test per case, and print the tally after it. */
export function conformanceSuite(title: string, label: string, cases: CaseDir[], opts: SuiteOptions): void {
  const tally = new Tally();
  const timings: [string, number][] = [];
  describe(title, () => {
    if (cases.length === 0) {
      it("cases", (t) => t.skip(opts.whenEmpty));
      return;
    }
    for (const { name, dir } of cases) {
      it(name, { timeout: opts.timeout(name) }, (t) => {
        const skip = skipReason(name);
        if (skip) {
          tally.skip(name, skip);
          t.skip(skip);
          return;
        }
        const start = performance.now();
        try {
          const model = readModel(path.join(dir, "model.onnx"));
          const missing = [...missingOps(model.graph)].sort();
          if (missing.length) {
            tally.unsupportedCase(name, missing);
            t.skip(`no kernel yet for ${missing.join(", ")}`);
            return;
          }
          const sets = listDataSets(dir);
          assert.ok(sets.length > 0, `${name} has no test_data_set_N folder`);
          for (const set of sets) {
            const { inputs, outputs } = loadData(model, dir, set);
            assert.ok(Object.keys(outputs).length > 0, `${name}/${set} has no expected outputs`);
            const got = runModel(model, inputs, { outputs: Object.keys(outputs) });
            assertOutputs(got, outputs, opts.rtol, opts.atol, `${set} `);
          }
        } catch (e) {
          tally.failed.push(name);
          throw e;
        }
        tally.passed.push(name);
        if (opts.timed?.(name)) timings.push([name, performance.now() - start]);
      });
    }

    after(() => {
      if (timings.length) {
        const total = timings.reduce((s, [, ms]) => s + ms, 0);
        const each = timings.map(([n, ms]) => `${path.basename(n)} ${(ms / 1000).toFixed(1)}s`).join(", ");
        tally.notes.push(`timings (${(total / 1000).toFixed(1)} s in all): ${each}`);
      }
      console.log(tally.summary(label));
    });
  });
}
