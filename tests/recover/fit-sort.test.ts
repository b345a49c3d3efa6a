// sort fitted on the data (src/recover/rules-fit-sort.ts): compare-exchange networks whose weights were perturbed
// (0.5%: beyond what the symbolic rules match, as training leaves them) are read as sort(...) + a stated residual,
// at other widths, output orders and seeds; nets that do not sort are not; zoo sort3_trained is named sort.
import { test } from "node:test";
import assert from "node:assert/strict";
import { allPrimStmts } from "../../src/program/program.ts";
import { rng } from "../../src/util/rng.ts";
import { compareExchange, max2, type Compiler, type Lin } from "../../zoo/compile.ts";
import { compiled, explainNet, obfuscate, toNet, type Dense } from "./slice-nets.ts";

/** Bubble sort by compare-exchange of n values; outputs in the order `order` (indices into the sorted list). */
function sorter(n: number, order: number[]) {
  return (C: Compiler, xs: Lin[]) => {
    const v = [...xs];
    for (let i = 0; i < n; i++) for (let j = 0; j + 1 < n - i; j++) [v[j], v[j + 1]] = compareExchange(C, v[j], v[j + 1]);
    return order.map((k) => v[k]);
  };
}

/** Every weight and bias times (1 + 0.5% noise), seeded: no longer an exact compare-exchange network. */
function perturb(layers: Dense[], seed: number): Dense[] {
  const r = rng(seed);
  const e = () => 1 + 0.005 * (2 * r() - 1);
  return layers.map((l) => ({ ...l, W: l.W.map((row) => row.map((w) => w * e())), b: l.b.map((b) => b * e()) }));
}

const sorts = (p: ReturnType<typeof explainNet>["program"]) => allPrimStmts(p).filter(({ stmt }) => stmt.prim.kind === "sort");

for (const [n, order, seed] of [[3, [0, 1, 2], 1], [4, [3, 2, 1, 0], 2], [3, [1, 0, 2], 3], [4, [0, 1, 2, 3], 4]] as const) {
  test(`perturbed sort of ${n} (outputs ${order.join(",")}, seed ${seed}): sort(...) + residual, faithful`, () => {
    const layers = perturb(obfuscate(compiled(n, -1, 1, sorter(n, [...order])), ["permute", "rescale"], seed), seed);
    const { program, maxErr } = explainNet(toNet(layers, n), n, -1, 1, seed, { dataOnly: true });
    const s = sorts(program);
    assert.equal(s.length, 1, JSON.stringify(allPrimStmts(program).map((x) => x.stmt.prim.kind)));
    assert.equal(s[0].stmt.args.length, n);
    assert.ok(program.functions.some((f) => f.name.startsWith("residual")), "the residual is kept");
    assert.ok(maxErr < 1e-5, `program vs net ${maxErr}`);
  });
}

test("a net computing [max(x0, x1), x2] (x2 is no order statistic) is not read as sort", () => {
  const layers = perturb(compiled(3, -1, 1, (C, [a, b, c]) => [max2(C, a, b), C.lift(c, 2)]), 5);
  const { program } = explainNet(toNet(layers, 3), 3, -1, 1, 5, { dataOnly: true });
  assert.equal(sorts(program).length, 0);
});

test("zoo sort3_trained: sort(x0, x1, x2) with its residual stated", async () => {
  const { existsSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { loadData } = await import("../../src/data/load.ts");
  const { readModel } = await import("../../src/onnx/read.ts");
  const { runExplain } = await import("../../src/pipeline/explain.ts");
  const dir = join(import.meta.dirname, "../../zoo/trained/sort3_trained");
  const file = join(dir, "model.onnx");
  if (!existsSync(file)) return; // the trained models are committed; a checkout without them has nothing to check
  const model = readModel(file);
  const data = [loadData(join(dir, "data.npy"), model.graph.inputs[0]).tensor];
  const s = await runExplain({ model, data, dataLabel: "data.npy", exact: true }, { until: "verify" });
  const st = allPrimStmts(s.program!).find(({ stmt }) => stmt.prim.kind === "sort");
  assert.ok(st, "named sort");
  assert.ok(st.stmt.prim.error > 0 && st.stmt.prim.error < 0.05, `error ${st.stmt.prim.error}`);
  assert.ok(s.fidelity!.maxAbsErr < 1e-5);
});
