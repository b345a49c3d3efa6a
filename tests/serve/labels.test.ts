// Labels a person gives in the explorer: checked on the way in, kept in labels.json across re-explains, and
// read by program.txt, show and the emitted code from then on (which still run and agree with the model).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { UserError } from "../../src/errors.ts";
import { applyLabels } from "../../src/program/apply-labels.ts";
import { checkLabelEdit, readLabels, writeLabel, type Labels } from "../../src/program/labels.ts";
import { runExplain } from "../../src/pipeline/explain.ts";
import { writeOutputDir } from "../../src/pipeline/output-dir.ts";
import { runProgram } from "../../src/program/run.ts";
import { showText } from "../../src/cli/show.ts";
import { sampleDomain } from "../../src/pipeline/domain.ts";
import { rng } from "../../src/util/rng.ts";
import { randomMLP } from "../helpers/nets.ts";
import { assertFaithful, explainInto } from "../e2e/helpers.ts";

const labels = (items: Labels["items"]): Labels => ({ format: "pseudonet.labels", version: 1, items });

describe("labels", () => {
  it("accept identifiers only, and null to remove", () => {
    assert.deepEqual(checkLabelEdit({ id: "p1", name: "edge_left", description: "d" }), { id: "p1", label: { name: "edge_left", description: "d" } });
    assert.deepEqual(checkLabelEdit({ id: "p1", name: null }), { id: "p1", label: null });
    for (const bad of [{ id: "p1", name: "2x" }, { id: "p1", name: "a b" }, { id: "", name: "a" }, { id: "p1", name: "ok", description: 3 }, "x", null]) {
      assert.throws(() => checkLabelEdit(bad), UserError, JSON.stringify(bad));
    }
  });

  it("rename a statement's value and a function everywhere, and skip names that would clash", async () => {
    const { state } = await explainInto(randomMLP(rng(5), [3, 5, 5, 2]), { domain: "box:-1,1", samples: 40 }, "labels");
    const p = state.program!;
    const main = p.functions[0];
    const first = main.body[0];
    assert.equal(first.kind, "prim");
    const clash = main.body[1].kind === "prim" ? main.body[1].out.name : "y";
    const named = applyLabels(p, labels({
      [first.kind === "prim" ? first.prim.id : ""]: { name: "hidden_features", description: "the first layer" },
      [`main/${clash}`]: { name: first.kind === "prim" ? first.out.name : "x" }, // already taken: not renamed
      main: { name: "classify" },
    }));
    const f = named.functions[0];
    assert.equal(f.name, "classify");
    assert.equal(named.entry, "classify");
    assert.equal(f.body[0].kind === "prim" && f.body[0].out.name, "hidden_features");
    assert.ok(f.body.slice(1).some((s) => s.args.includes("hidden_features")), "uses follow the rename");
    assert.equal(f.body[1].kind === "prim" && f.body[1].out.name, clash);
    // Renaming changes nothing the program computes.
    const x = sampleDomain({ kind: "box", lo: -1, hi: 1 }, [{ name: "x", dtype: "float32", shape: ["N", 3] }], 7, 2).tensors;
    assert.deepEqual(runProgram(named, x)[0].data, runProgram(p, x)[0].data);
  });

  it("survive a re-explain and name things in program.txt, show, program.ts and program.py", async (t) => {
    const model = randomMLP(rng(6), [3, 4, 2]);
    const { dir, state } = await explainInto(model, { domain: "box:-1,1", samples: 40 }, "labels2");
    const first = state.program!.functions[0].body[0];
    assert.equal(first.kind, "prim");
    writeLabel(dir, first.kind === "prim" ? first.prim.id : "", { name: "detects_corner", description: "fires on corners" });
    assert.match(showText(dir), /detects_corner = /, "show prints labels given after explain");
    assert.match(showText(dir, "main/detects_corner"), /detects_corner/);
    const again = await runExplain({ model, exact: true, domain: "box:-1,1", samples: 40, outDir: dir });
    writeOutputDir(dir, again.files!);
    assert.equal(readLabels(dir).items[first.kind === "prim" ? first.prim.id : ""].name, "detects_corner", "labels.json kept");
    assert.match(readFileSync(path.join(dir, "program.txt"), "utf8"), /detects_corner = /);
    assert.match(readFileSync(path.join(dir, "program.ts"), "utf8"), /detects_corner/);
    assert.match(readFileSync(path.join(dir, "program.py"), "utf8"), /detects_corner/);
    // program.json stays as built, so label ids keep pointing at the same statements.
    assert.doesNotMatch(readFileSync(path.join(dir, "program.json"), "utf8"), /detects_corner/);
    const data = sampleDomain({ kind: "box", lo: -1, hi: 1 }, model.graph.inputs, 9, 4).tensors;
    await assertFaithful(t, dir, model, data);
  });
});
