// The scorer: full marks for perfect explanations, low marks for a weight dump, the same answer every time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findCase } from "../../zoo/cases/index.ts";
import { generateCase, writeCase, type Generated } from "../../zoo/generate.ts";
import { adjustedRandIndex, codeTokens, kernelMatchError, normalizedFilters } from "../../zoo/metrics.ts";
import { ORDER } from "../../zoo/obfuscate.ts";
import { programTokens, satisfied, scoreAll, scoreCase, signatures, sliceOnlyWeights } from "../../zoo/score.ts";
import { runExplain } from "../../src/pipeline/explain.ts";
import { allPrimStmts } from "../../src/program/program.ts";
import { printProgram } from "../../src/program/printer.ts";
import { formatScores, summarize } from "../../zoo/score-table.ts";
import { perfectExplanation, weightDump, writeExplanation } from "./explanations.ts";

const root = mkdtempSync(join(tmpdir(), "pseudonet-zoo-score-"));
test.after(() => rmSync(root, { recursive: true, force: true }));

function zooCase(name: string): Generated {
  const g = generateCase(findCase(name)!, 9, [...ORDER]);
  writeCase(g, join(root, "zoo"));
  return g;
}

test("adjusted Rand index: 1 for the same partition under other names, about 0 for unrelated, textbook value otherwise", () => {
  assert.equal(adjustedRandIndex(["a", "a", "b", "b"], ["x", "x", "y", "y"]), 1);
  assert.equal(adjustedRandIndex(["a", "a", "a"], ["z", "z", "z"]), 1);
  assert.ok(Math.abs(adjustedRandIndex(["a", "a", "b", "b"], ["x", "y", "x", "y"]) + 0.5) < 1e-12);
  // sklearn.metrics.adjusted_rand_score([0,0,0,1,1,1], [0,0,1,1,2,2]) = 0.24242424...
  assert.ok(Math.abs(adjustedRandIndex(["0", "0", "0", "1", "1", "1"], ["0", "0", "1", "1", "2", "2"]) - 0.242424242) < 1e-8);
});

test("token counts ignore comments, docstrings and headers", () => {
  // def f ( x : vec [ 2 ] ) - > vec [ 1 ] :  |  y = max ( a , b )  |  return y
  assert.equal(codeTokens("# header\ndef f(x: vec[2]) -> vec[1]:\n    \"\"\"doc\"\"\"\n    y = max(a, b)  # note\n    return y\n"), 17 + 8 + 2);
});

test("requirements: alternatives, exact counts, and a bare kind met by its detailed signatures", () => {
  const counts = new Map([["logic:maj", 1], ["affine", 2]]);
  assert.ok(satisfied("threshold|logic", counts));
  assert.ok(!satisfied("logic:xor", counts));
  assert.ok(satisfied("affine=2", counts));
  assert.ok(!satisfied("affine=1", counts));
  assert.ok(!satisfied("threshold", counts));
  const prim = (coefs: number[], bias: number) => ({ kind: "lincomb" as const, params: { coefs, bias }, id: "p1", slice: { layers: [], weights: [] }, error: 0 });
  assert.deepEqual(signatures(prim([1], 0)), ["lincomb", "act:identity"]);
  assert.deepEqual(signatures(prim([1, 1], 0)), ["lincomb"]);
});

test("kernel match is free of channel order, scale and sign", () => {
  const k = [1, 0, -1, 0, 1, 0];
  assert.equal(kernelMatchError(normalizedFilters(k, 2), normalizedFilters([0, -3, 0, 2, 0, -2], 2)), 0);
  assert.ok(kernelMatchError(normalizedFilters(k, 2), normalizedFilters([1, 1, 1, 1, 1, 1], 2)) > 0.9);
});

test("a perfect explanation of modules2 (interleaved sort3 + xor) gets full marks", async () => {
  const g = zooCase("modules2");
  const p = await perfectExplanation(g, { s: "sort3", z: "xor" });
  const s = scoreCase(join(root, "zoo", "modules2"), writeExplanation(join(root, "perfect", "modules2"), p));
  assert.equal(s.error, undefined);
  assert.equal(s.primitives!.recall, 1);
  assert.deepEqual(s.primitives!.extra, []);
  assert.equal(s.modules!.ari, 1);
  assert.equal(s.modules!.coverage, 1);
  assert.equal(s.size!.vsReference, 1);
  assert.ok(s.size!.vsDump < 0.2, `size vs dump ${s.size!.vsDump}`);
  assert.ok(s.fidelity!.maxAbsErr <= g.fidelity.maxAbsErr + 1e-5);
});

test("a perfect explanation of edge (a conv hidden in a dense layer) gets full marks", async () => {
  const g = zooCase("edge");
  const p = await perfectExplanation(g, { g: null });
  const s = scoreCase(join(root, "zoo", "edge"), writeExplanation(join(root, "perfect", "edge"), p));
  assert.equal(s.primitives!.recall, 1);
  assert.equal(s.modules!.coverage, 1);
  assert.deepEqual(s.conv, { found: true, kernelMaxErr: 0, strideOk: true, paddingOk: true });
  assert.equal(s.size!.vsReference, 1);
  assert.ok(s.size!.vsDump < 0.01);
});

test("the reference program of repeat4 finds its repeated function", async () => {
  const g = zooCase("repeat4");
  const p = await perfectExplanation(g, {});
  const s = scoreCase(join(root, "zoo", "repeat4"), writeExplanation(join(root, "perfect", "repeat4"), p));
  assert.deepEqual(s.repeats, { fn: "ce", times: 4, bestCalls: 4, ok: true });
  assert.equal(s.primitives!.recall, 1);
});

test("a weight dump gets low marks: no primitives, modules not separated, conv missed, chain not fused, much bigger than the reference", async () => {
  for (const name of ["modules2", "edge", "max4", "linchain"]) {
    const g = zooCase(name);
    const s = scoreCase(join(root, "zoo", name), writeExplanation(join(root, "dump", name), await weightDump(g)));
    assert.equal(s.primitives!.recall, 0, name);
    if (s.modules!.ari !== null) assert.ok(s.modules!.ari < 0.3, `${name}: ARI ${s.modules!.ari}`);
    if (s.conv) assert.equal(s.conv.found, false);
    assert.ok(s.size!.vsReference! > 2, `${name}: size vs reference ${s.size!.vsReference}`);
    assert.ok(s.size!.vsDump > 0.9, `${name}: size vs dump ${s.size!.vsDump}`);
    assert.ok(s.fidelity!.maxAbsErr < 1e-5, "the dump is exact");
  }
});

test("scoring is deterministic, and a missing explanation is reported, not fatal", async () => {
  zooCase("xor");
  const a = scoreAll(join(root, "zoo"), join(root, "dump"), ["modules2", "edge", "max4", "xor"]);
  const b = scoreAll(join(root, "zoo"), join(root, "dump"), ["modules2", "edge", "max4", "xor"]);
  assert.equal(JSON.stringify(a), JSON.stringify(b));
  assert.match(a[3].error!, /no program\.json/);
  assert.equal(formatScores(a), formatScores(b));
  assert.equal(summarize(a).scored, 3);
});

test("slices that name the lowered Net's units by origin (after simplify renumbered them) score the same", async () => {
  const g = zooCase("modules2");
  const p = await perfectExplanation(g, { s: "sort3", z: "xor" });
  const size = (id: string) => g.truth.modules.find((m) => m.ids.includes(id))?.labels.length;
  // Every slice entry moves to a layer id the truth does not know, with its units named only by origin.
  for (const f of p.functions) {
    for (const st of f.body) {
      if (st.kind !== "prim") continue;
      st.prim.slice.layers = st.prim.slice.layers.map((l) => {
        const n = size(l.id);
        const units = l.units ?? (n === undefined ? [] : Array.from({ length: n }, (_, i) => i));
        return { id: `simplified.${l.id}`, units: units.map((_, k) => k), origin: units.map((u) => `${l.id}:${u}`) };
      });
    }
  }
  const s = scoreCase(join(root, "zoo", "modules2"), writeExplanation(join(root, "origin", "modules2"), p));
  assert.equal(s.modules!.ari, 1);
  assert.equal(s.modules!.coverage, 1);
});

test("size counts the weights a program computes with; a named primitive's slice (show's provenance) is reported apart", async () => {
  const g = generateCase(findCase("max2")!, 3, []);
  const s = await runExplain({ model: g.model, name: "max2", exact: true, domain: "box:-1,1" }, { until: "verify" });
  const p = s.program!;
  const named = allPrimStmts(p).filter(({ stmt }) => stmt.prim.kind === "max");
  assert.ok(named.length > 0, "max2 without obfuscation is named max");
  const sliceValues = named.reduce((n, { stmt }) => n + stmt.prim.slice.weights.reduce((m, w) => m + [...w.data].filter((v) => v !== 0).length, 0), 0);
  assert.ok(sliceValues > 0, "the named max keeps its units' weights for show");
  assert.equal(sliceOnlyWeights(p), sliceValues);
  // the program computes with no weights: its size is its code alone
  assert.equal(programTokens(p), codeTokens(printProgram(p)));
});
