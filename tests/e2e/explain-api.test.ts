// The library API: explain / load / verify, and the pipeline as data: run a prefix, add a pass, print any IR.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { explain, explainPasses, load, printIR, runExplain, verify, type ExplainPass } from "../../src/index.ts";
import { sampleDomain } from "../../src/pipeline/domain.ts";
import { UserError } from "../../src/errors.ts";
import { randomCNN, randomMLP } from "../helpers/nets.ts";
import { rng } from "../helpers/rng.ts";
import { outDir } from "./helpers.ts";

const model = randomMLP(rng(21), [6, 8, 3], { softmax: "softmax" });
const x = sampleDomain({ kind: "normal" }, model.graph.inputs, 40, 1).tensors[0];

describe("library API", () => {
  it("explain writes the folder, load runs and prints it, verify checks it", async () => {
    const out = outDir("api");
    const r = await explain(model, { data: [x], dataLabel: "x", out });
    assert.ok(existsSync(`${out}/program.json`));
    assert.ok(r.fidelity!.relErr <= 1e-5);
    const p = load(out);
    const [y] = p.run(x);
    assert.deepEqual(y.shape, [40, 3]);
    assert.match(p.text(), /^def main\(x: vec\[6\]\) -> vec\[3\]:$/m);
    assert.match(p.show("main/h1"), /W1: \[8, 6\], 48 values/);
    const v = await verify(out, model, [x], { artifacts: ["program.json", "reconstructed.onnx"] });
    assert.equal(v.passed, true);
  });

  it("runs a prefix of the pipeline and prints each IR it reached", async () => {
    const cnn = randomCNN(rng(3), { input: [1, 6, 6], channels: [2], classes: 2 });
    const s = await runExplain({ model: cnn, domain: "normal", samples: 20 }, { until: "lower" });
    assert.deepEqual(s.reports.map((r) => r.pass), ["read", "normalize", "lower"]);
    assert.equal(s.program, undefined);
    assert.match(printIR(s), /^net /); // the latest IR
    assert.match(printIR(s, "graph"), /= Conv\(input, @/);
    assert.throws(() => printIR(s, "program"), /no Program yet: run up to the build pass/);
    await assert.rejects(runExplain({ model: cnn, domain: "normal" }, { until: "nope" }), new RegExp(`no pass named 'nope'; the passes are ${explainPasses.map((p) => p.name).join(", ")}$`));
  });

  it("takes an extra pass anywhere in the list", async () => {
    const seen: string[] = [];
    const countLayers: ExplainPass = {
      name: "count-layers", doc: "counts Net layers (a pass added by a user)",
      run: (s) => {
        seen.push(`${s.net!.layers.length} layers`);
        return { out: s, report: { pass: "count-layers", summary: `${s.net!.layers.length} layers`, details: [] } };
      },
    };
    const passes = [...explainPasses];
    passes.splice(passes.findIndex((p) => p.name === "lower") + 1, 0, countLayers);
    const s = await runExplain({ model, domain: "normal", samples: 20 }, { passes });
    assert.deepEqual(seen, ["4 layers"]); // affine, relu, affine, softmax
    assert.match(s.files!.get("report.md") as string, /\| count-layers \| 4 layers \|/);
  });

  it("a pass run without what it needs says which pass makes it", async () => {
    const [, , , probe] = explainPasses;
    await assert.rejects(runExplain({ model, domain: "normal" }, { passes: [explainPasses[0], probe] }),
      (e: unknown) => e instanceof UserError && /pass 'probe' needs the net, which pass 'lower' makes: run it first/.test(e.message));
  });
});
