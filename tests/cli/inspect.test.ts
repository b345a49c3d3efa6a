// `pseudonet inspect`: totals against the corpus manifest for every real model, the text and JSON reports, the
// progress bar's drawing rules.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { formatInspect, inspectModel, type InspectReport } from "../../src/cli/inspect.ts";
import { openModel } from "../../src/cli/model.ts";
import { Progress } from "../../src/cli/progress.ts";
import { corpusDir, listCorpusModels, NO_CORPUS, repoRoot } from "../helpers/corpus.ts";
import { cli } from "./helpers.ts";

const example = path.join(repoRoot, "examples/mlp/model.onnx");

interface ManifestEntry {
  name: string;
  node_count: number;
  ops: Record<string, number>;
  param_count: number;
  opset: Record<string, number>;
  inputs: { name: string }[];
  outputs: { name: string }[];
}

describe("pseudonet inspect", () => {
  it("agrees with the corpus manifest on every real model: nodes, parameters, opsets, inputs, outputs", (t) => {
    const c = corpusDir();
    if (!c) return t.skip(NO_CORPUS);
    const manifest = JSON.parse(readFileSync(path.join(c, "models/manifest.json"), "utf8")) as ManifestEntry[];
    const dirs = listCorpusModels();
    assert.ok(dirs.length >= 19);
    for (const d of dirs) {
      const m = manifest.find((e) => e.name === path.basename(d))!;
      const r = inspectModel(openModel(path.join(d, "model.onnx")), d);
      // The reader keeps one of several Constant nodes writing the same value (as onnxruntime does), so only
      // Constant counts may be lower than the file's.
      const { Constant: constants = 0, ...rest } = r.ops;
      const { Constant: fileConstants = 0, ...fileRest } = m.ops;
      assert.deepEqual(rest, fileRest, `${m.name} ops`);
      assert.ok(constants <= fileConstants, `${m.name} Constant nodes`);
      assert.equal(r.totals.nodes, m.node_count - (fileConstants - constants), `${m.name} nodes`);
      assert.equal(r.totals.parameters, m.param_count, `${m.name} parameters`);
      assert.equal(r.layers.length, r.totals.nodes);
      const opsets = Object.fromEntries(Object.entries(m.opset).map(([k, v]) => [k === "" || k === "ai.onnx" ? "ai.onnx" : k, v]));
      assert.deepEqual(r.opsets, opsets, `${m.name} opsets`);
      // Initialisers that old exporters also list as inputs are not real inputs.
      assert.deepEqual(r.inputs.map((i) => i.name), m.inputs.map((i) => i.name).filter((n) => r.inputs.some((i) => i.name === n)), `${m.name} inputs`);
      assert.ok(r.inputs.length >= 1, `${m.name} has inputs`);
      assert.deepEqual(r.outputs.map((o) => o.name), m.outputs.map((o) => o.name), `${m.name} outputs`);
      const text = formatInspect(r);
      assert.ok(text.includes(`\n${r.totals.nodes.toLocaleString("en-US")} nodes (`), `${m.name} totals line`);
    }
  });

  it("prints I/O, a per-layer table with inferred shapes and parameter counts, and totals", async () => {
    const r = await cli(["inspect", example]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /producer\s+pseudonet examples\/mlp\/make\.ts/);
    assert.match(r.stdout, /ONNX IR version 8, opset ai\.onnx 13/);
    assert.match(r.stdout, /^\s+x\s+float32\s+\[batch, 4\]$/m);
    assert.match(r.stdout, /^0\s+fc1\s+Gemm\s+\[batch, 5\]\s+25$/m);
    assert.match(r.stdout, /^1\s+relu\s+Relu\s+\[batch, 5\]\s+-$/m);
    assert.match(r.stdout, /^2\s+fc2\s+Gemm\s+\[batch, 2\]\s+12$/m);
    assert.match(r.stdout, /^3 nodes \(Gemm 2, Relu 1\)$/m);
    assert.match(r.stdout, /^37 parameters, 148 B$/m);
  });

  it("--json gives the same report as data", async () => {
    const r = await cli(["inspect", example, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as InspectReport;
    assert.deepEqual(rep.totals, { nodes: 3, parameters: 37, bytes: 148 });
    assert.deepEqual(rep.layers.map((l) => [l.name, l.op, l.params, l.outputs[0].shape]), [
      ["fc1", "Gemm", 25, ["batch", 5]],
      ["relu", "Relu", 0, ["batch", 5]],
      ["fc2", "Gemm", 12, ["batch", 2]],
    ]);
    assert.deepEqual(rep.opsets, { "ai.onnx": 13 });
    assert.deepEqual(rep.unsupported, []);
  });
});

describe("progress bar", () => {
  function fakeStream(isTTY: boolean) {
    const s = { isTTY, columns: 80, out: "", write: (x: string) => (s.out += x) };
    return s;
  }

  it("stays silent on a terminal for work under the delay, and when stderr is not a terminal", () => {
    let now = 0;
    for (const [tty, step] of [[true, 100], [false, 5000]] as const) {
      const s = fakeStream(tty);
      const p = new Progress("run", 5, { stream: s, now: () => now });
      for (let i = 0; i < 5; i++) {
        now += step;
        p.tick();
      }
      p.done();
      assert.equal(s.out, "", `tty=${tty}`);
    }
  });

  it("draws on a terminal after the delay and ends with one summary line", () => {
    let now = 0;
    const s = fakeStream(true);
    const p = new Progress("run", 4, { stream: s, now: () => now, unit: "batches" });
    now = 1500;
    p.tick();
    assert.match(s.out, /^\rrun \[#+-+\] 1\/4 batches, 1\.5 s, ETA 4\.5 s\x1b\[K$/);
    now = 3000;
    p.tick(3);
    p.done();
    const last = s.out.split("\r").pop()!;
    assert.equal(last, "\x1b[Krun: 4/4 batches in 3.0 s\n");
    assert.ok(p.line(3000).length <= 80);
  });
});
