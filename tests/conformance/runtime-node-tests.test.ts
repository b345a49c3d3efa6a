// The emitted runtimes (program.ts, program.py) against the ONNX conformance node tests: every case whose ops the
// interpreter runs becomes an opaque part exactly as explain emits one (emit-opaque.ts), one per graph output, run
// by TypeScript (one generated module) and by Python (one python3 process), and must reproduce the expected
// outputs (upstream's tolerance). A case the runtime refuses at explain time (FragmentCode.missing: the reason is
// named) is counted, not run; a refused case must name its reason, and a runtime failure is a test failure.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { Graph } from "../../src/graph/graph.ts";
import type { Tensor } from "../../src/graph/tensor.ts";
import { readModel } from "../../src/onnx/read.ts";
import { fragmentCode } from "../../src/program/emit-opaque.ts";
import { findPython } from "../../src/verify/artifacts.ts";
import { mismatch } from "../helpers/allclose.ts";
import { listDataSets, loadData, NO_CORPUS } from "../helpers/corpus.ts";
import { runFragmentsPy, runFragmentsTs, type FragmentResult, type FragmentRun } from "../helpers/run-fragments.ts";
import { listFixtureNodeTests, listNodeTestCases, missingOps, type CaseDir } from "./cases.ts";
import { skipReason } from "./skip.ts";

interface Prepared {
  name: string;
  /** One run per (data set, graph output), with the expected value. */
  runs: (FragmentRun & { expected: Tensor; label: string })[];
  refused: string[];
}

/** A case as fragments in one language (undefined when out of scope: skipped, or an op the interpreter lacks). */
function prepare({ name, dir }: CaseDir, k: number, lang: "ts" | "py"): Prepared | undefined {
  if (skipReason(name)) return undefined;
  const model = readModel(path.join(dir, "model.onnx"));
  if (missingOps(model.graph).size) return undefined;
  const runs: Prepared["runs"] = [];
  const refused = new Set<string>();
  for (const set of listDataSets(dir)) {
    const { inputs, outputs } = loadData(model, dir, set);
    model.graph.outputs.forEach((o, j) => {
      if (!outputs[o.name]) return;
      // Graph inputs with no data (optional ones) are dropped, as node tests leave them out.
      const given = model.graph.inputs.filter((v) => inputs[v.name]);
      const graph: Graph = { ...model.graph, inputs: given, outputs: [o] };
      const frag = fragmentCode(`c${k}_${set.replace("test_data_set_", "")}_${j}`, { graph, opset: model.opset, ops: [], reason: "test", perSample: false }, lang);
      if (frag.missing.length) frag.missing.forEach((m) => refused.add(m));
      else runs.push({ frag, feeds: given.map((v) => inputs[v.name]), expected: outputs[o.name], label: `${set} ${o.name}` });
    });
  }
  return { name, runs, refused: [...refused] };
}

const cases = [...listNodeTestCases(), ...listFixtureNodeTests()];

function suite(lang: "ts" | "py"): void {
  describe(`program.${lang} runtime vs the ONNX node tests`, () => {
    if (!cases.length) {
      it("cases", (t) => t.skip(NO_CORPUS));
      return;
    }
    const tally = { passed: 0, failed: [] as string[], refused: new Map<string, string[]>() };
    it("every case whose ops the interpreter runs: reproduced, or refused with the reason", async (t) => {
      let python = "";
      if (lang === "py") {
        const found = findPython();
        if (!found.python) return t.skip(`python3 with numpy missing: ${found.reason}`);
        python = found.python;
      }
      const prepared = cases.map((c, k) => prepare(c, k, lang)).filter((p): p is Prepared => !!p);
      const runs = prepared.flatMap((p) => p.runs);
      const results: FragmentResult[] = lang === "ts" ? await runFragmentsTs(runs) : runFragmentsPy(python, runs);
      let at = 0;
      for (const p of prepared) {
        const bad: string[] = [];
        for (const r of p.runs) {
          const got = results[at++];
          const why = "error" in got ? got.error : mismatch(got.value, r.expected, 1e-3, 1e-7);
          if (why) bad.push(`${r.label}: ${why}`);
        }
        if (p.refused.length) {
          for (const m of p.refused) tally.refused.set(m, [...(tally.refused.get(m) ?? []), p.name]);
        } else if (bad.length) tally.failed.push(`${p.name}: ${bad.join("; ")}`);
        else tally.passed++;
      }
      assert.equal(tally.failed.length, 0, `program.${lang} differs from the node tests:\n${tally.failed.join("\n")}`);
    });
    after(() => {
      const refusedCases = new Set([...tally.refused.values()].flat());
      const lines = [`runtime ${lang}: ${tally.passed} passed, ${tally.failed.length} failed, ${refusedCases.size} refused at explain time`];
      for (const f of tally.failed) lines.push(`  failed ${f}`);
      for (const [why, names] of tally.refused) lines.push(`  refused (${why}): ${names.join(", ")}`);
      console.log(lines.join("\n"));
    });
  });
}

suite("ts");
suite("py");
