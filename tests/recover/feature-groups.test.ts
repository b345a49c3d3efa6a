// Feature groups (src/recover/feature-groups.ts) on hand-made nets with planted groups: hidden units in G groups,
// each group reading its own pair of inputs; each sample turns one pair on. The finder must return G groups
// whose units are the planted ones (whatever the width, group count and unit order), top inputs where that pair
// is on, and leave narrow or signed statements alone.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Tensor } from "../../src/graph/tensor.ts";
import { probe } from "../../src/passes/probe.ts";
import { buildProgram } from "../../src/program/build.ts";
import { findFeatureGroups } from "../../src/recover/feature-groups.ts";
import { rng } from "../../src/util/rng.ts";
import { toNet, type Dense } from "./slice-nets.ts";
import { featuresPass } from "../../src/pipeline/features-pass.ts";
import { applyLabels } from "../../src/program/apply-labels.ts";
import { LABELS_FORMAT } from "../../src/program/labels.ts";
import { printProgram } from "../../src/program/printer.ts";
import type { ExplainState } from "../../src/pipeline/explain.ts";

/** A net n = 2G inputs -> width ReLU units (unit u in group owner[u], units permuted) -> 3 outputs; and data. */
function planted(G: number, width: number, rows: number, seed: number) {
  const r = rng(seed);
  const n = 2 * G;
  const perm = Array.from({ length: width }, (_, i) => i);
  for (let i = width - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  const owner = perm.map((p) => p % G);
  const W = owner.map((g) => Array.from({ length: n }, (_, i) => (i === 2 * g || i === 2 * g + 1 ? 0.5 + r() : 0.05 * (r() - 0.5))));
  const hidden: Dense = { W, b: owner.map(() => -0.05 * r()), relu: true };
  const out: Dense = { W: Array.from({ length: 3 }, () => Array.from({ length: width }, () => r() - 0.5)), b: [0, 0, 0], relu: false };
  const on: number[] = [];
  const x = new Float32Array(rows * n);
  for (let k = 0; k < rows; k++) {
    const g = Math.floor(r() * G);
    on.push(g);
    for (let i = 0; i < n; i++) x[k * n + i] = i === 2 * g || i === 2 * g + 1 ? 0.3 + 0.7 * r() : 0.1 * r();
  }
  const data: Tensor = { dtype: "float32", shape: [rows, n], data: x };
  return { net: toNet([hidden, out], n), data, owner, on };
}

describe("feature groups on planted nets", () => {
  for (const [G, width, seed] of [[3, 24, 1], [5, 40, 2], [4, 64, 3]] as const) {
    it(`${G} groups of ${width} units (seed ${seed})`, () => {
      const { net, data, owner, on } = planted(G, width, 600, seed);
      const { stats } = probe({ net, data: { x: data } });
      const { program } = buildProgram(net, { stats, modules: false });
      const h = program.functions[0].body.find((s) => s.kind === "prim" && s.prim.kind === "affine" && s.prim.params.act?.fn === "relu");
      assert.ok(h, "the hidden layer stays an affine + relu statement (nothing names it)");
      const rowIndex = Array.from({ length: 600 }, (_, i) => 1000 + 2 * i); // rows of a larger data set
      const f = findFeatureGroups(program, net, [data], rowIndex, { seed: 0 });
      assert.equal(f.analysis.layers.length, 1);
      assert.equal(f.analysis.layers[0].chosenBy, "knee");
      assert.equal(f.analysis.groups.length, G, `k = ${f.analysis.layers[0].k}, curve ${f.analysis.layers[0].explained}`);
      const seen = new Set<number>();
      let shares = 0;
      for (const g of f.analysis.groups) {
        // Every unit of a group is planted in the same group, and no unit is listed twice.
        const planted = new Set(g.units.map((u) => owner[u.index]));
        assert.equal(planted.size, 1, `${g.name} mixes planted groups ${[...planted]}`);
        for (const u of g.units) assert.ok(!seen.has(u.index)), seen.add(u.index);
        assert.equal(Math.max(...g.units.map((u) => u.loading)), 1);
        // Its top inputs are rows where its planted pair is on, numbered as rows of the data given.
        assert.equal(g.top.length, 8);
        for (const t of g.top) assert.equal(on[(t.row - 1000) / 2], [...planted][0], `${g.name}: row ${t.row}`);
        shares += g.share;
      }
      assert.equal(seen.size, width, "every unit is in a group");
      assert.ok(shares > 0.9 && shares < 1.1, `shares add up to ${shares}`);
      for (let i = 1; i < f.analysis.groups.length; i++) assert.ok(f.analysis.groups[i - 1].share >= f.analysis.groups[i].share, "largest share first");
      assert.deepEqual(f.analysis.groups.map((g) => g.name), Array.from({ length: G }, (_, i) => `feature_${i + 1}`));
    });
  }

  it("a budget fixes k; the same seed gives the same groups", () => {
    const { net, data } = planted(4, 32, 300, 4);
    const { stats } = probe({ net, data: { x: data } });
    const { program } = buildProgram(net, { stats, modules: false });
    const a = findFeatureGroups(program, net, [data], undefined, { groups: 2 });
    assert.equal(a.analysis.groups.length, 2);
    assert.equal(a.analysis.layers[0].chosenBy, "budget");
    assert.deepEqual(findFeatureGroups(program, net, [data], undefined, { groups: 2 }).analysis, a.analysis);
  });

  it("leaves narrow layers out, and says why", () => {
    const { net, data } = planted(2, 8, 200, 5);
    const { stats } = probe({ net, data: { x: data } });
    const { program } = buildProgram(net, { stats, modules: false });
    const f = findFeatureGroups(program, net, [data], undefined);
    assert.equal(f.analysis.groups.length, 0);
    if (f.analysis.skipped.length) assert.match(f.analysis.skipped[0].reason, /narrow/);
  });
});

describe("the features pass", () => {
  it("on vector inputs: the top examples carry their inputs (the explorer's table), no pictures; the comment names the groups", async () => {
    const { net, data } = planted(3, 24, 400, 6);
    const { stats } = probe({ net, data: { x: data } });
    const { program } = buildProgram(net, { stats, modules: false });
    const state: ExplainState = {
      input: { model: "m.onnx", seed: 0 }, source: "m.onnx", net, program, reports: [],
      data: { analysis: [data], heldOut: [data], note: "", heldOutLabel: "", bits: false, oneSample: false, analysisRows: Array.from({ length: 400 }, (_, i) => i + 7) },
    };
    const r = await featuresPass.run(state);
    const a = r.out.program!.features!;
    assert.equal(a.groups.length, 3);
    assert.equal(r.out.extraFiles, undefined, "no pictures for vector inputs");
    const x = data.data as Float32Array;
    for (const g of a.groups) {
      for (const t of g.top) {
        assert.equal(t.input!.length, 6);
        t.input!.forEach((v, k) => assert.ok(Math.abs(v - x[(t.row - 7) * 6 + k]) < 1e-3, `${g.name} row ${t.row}`));
      }
    }
    const h = r.out.program!.functions[0].body.find((s) => s.kind === "prim" && s.prim.kind === "affine" && s.prim.params.act);
    assert.match(h!.comment ?? "", /feature groups feature_1, feature_2, feature_3 \(report\.md\)/);
    assert.match(r.report.summary, /3 groups in 1 statement/);
    // A person names a group in the explorer: program.txt's comment and the analysis read the name.
    const named = applyLabels(r.out.program!, { format: LABELS_FORMAT, version: 1, items: { feature_2: { name: "second pair" } } });
    assert.match(printProgram(named), /# .*feature groups feature_1, second_pair, feature_3 \(report\.md\)/);
    assert.deepEqual(named.features!.groups.map((g) => g.name), ["feature_1", "second_pair", "feature_3"]);
    const off = await featuresPass.run({ ...state, input: { ...state.input, featureGroups: 0 } });
    assert.equal(off.out.program!.features, undefined);
  });
});
