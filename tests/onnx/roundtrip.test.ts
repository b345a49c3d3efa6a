// The writer is the reader's inverse: decode(encode(m)) deep-equals m for every corpus model and node test,
// and a written file runs in onnxruntime with exactly the outputs of the original file.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, readdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Model } from "../../src/graph/graph.ts";
import type { Tensor } from "../../src/graph/tensor.ts";
import { decodeModel, readModel } from "../../src/onnx/read.ts";
import { UnsupportedTypeError } from "../../src/onnx/dtype.ts";
import { encodeModel, writeModel } from "../../src/onnx/write.ts";
import { fromOrt, ortSession, toOrt } from "../../src/run/ort.ts";
import { mismatch } from "../helpers/allclose.ts";
import { corpusDir, listCorpusModels, listNodeTests, loadData, NO_CORPUS } from "../helpers/corpus.ts";
import { skipReason } from "../conformance/skip.ts";

/** A model using every attribute kind, a subgraph, symbolic dims and metadata. */
function everythingModel(): Model {
  const sub: Model["graph"] = {
    name: "body",
    inputs: [],
    outputs: [{ name: "z", dtype: "float32", shape: [2] }],
    nodes: [{ name: "n", op: "Neg", domain: "", inputs: ["x"], outputs: ["z"], attrs: {} }],
    initializers: new Map(),
    valueInfo: [],
  };
  return {
    graph: {
      name: "main",
      inputs: [{ name: "x", dtype: "float32", shape: ["batch", 2] }, { name: "c", dtype: "bool", shape: [] }],
      outputs: [{ name: "y", dtype: "float32", shape: [null, 2] }],
      nodes: [
        {
          name: "k",
          op: "Custom",
          domain: "com.example",
          inputs: ["x", "", "w"],
          outputs: ["y", ""],
          attrs: {
            f: { kind: "float", value: Math.fround(0.1) },
            i: { kind: "int", value: -(2 ** 40) },
            s: { kind: "string", value: "ünïcode" },
            t: { kind: "tensor", value: { dtype: "int64", shape: [2], data: new Float64Array([1, -1]) } },
            g: { kind: "graph", value: sub },
            fs: { kind: "floats", value: [0.5, -0.25] },
            is: { kind: "ints", value: [] },
            ss: { kind: "strings", value: ["a", ""] },
            ts: { kind: "tensors", value: [{ dtype: "string", shape: [1], data: ["s"] }] },
            gs: { kind: "graphs", value: [sub, sub] },
          },
        },
      ],
      initializers: new Map<string, Tensor>([["w", { dtype: "float16", shape: [2, 1], data: new Float32Array([0.5, -3]) }]]),
      valueInfo: [{ name: "h", dtype: "int32", shape: [1, "n"] }],
    },
    opset: new Map([["", 17], ["com.example", 1]]),
    irVersion: 8,
    producerName: "pseudonet",
    producerVersion: "0.1",
    docString: "doc",
    metadata: { a: "1", b: "2" },
  };
}

describe("round trip: decode(encode(m)) equals m", () => {
  it("a model using every attribute kind", () => {
    const m = everythingModel();
    assert.deepStrictEqual(decodeModel(encodeModel(m)), m);
  });

  it("every corpus model and every readable node test", (t) => {
    const dirs = [...listCorpusModels(), ...listNodeTests()];
    if (dirs.length === 0) return t.skip(NO_CORPUS);
    let done = 0;
    const unsupported: string[] = [];
    for (const dir of dirs) {
      let m: Model;
      try {
        m = readModel(path.join(dir, "model.onnx"));
      } catch (e) {
        // Only the cases skipped on purpose (exotic types, sequences) may refuse to load; anything else is a reader bug.
        assert.ok(e instanceof UnsupportedTypeError, `${path.basename(dir)}: ${(e as Error).message}`);
        assert.ok(skipReason(path.basename(dir)), `${path.basename(dir)} is not in the skip list: ${(e as Error).message}`);
        unsupported.push(path.basename(dir));
        continue;
      }
      assert.deepStrictEqual(decodeModel(encodeModel(m)), m, path.basename(dir));
      done++;
    }
    t.diagnostic(`${done} models round-tripped, ${unsupported.length} hold unsupported types`);
  });
});

/** Run ModelProto bytes in onnxruntime on named inputs. */
async function runBytes(bytes: Uint8Array, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const s = await ortSession(bytes);
  const res = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, toOrt(v, k)])));
  return Object.fromEntries(Object.entries(res).map(([k, v]) => [k, fromOrt(v, k)]));
}

describe("written files run in onnxruntime like the originals", () => {
  let dir = "";
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "pseudonet-rt-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const models = listCorpusModels();
  if (models.length === 0) it("corpus", (t) => t.skip(NO_CORPUS));
  for (const mdir of models) {
    it(path.basename(mdir), async () => {
      const src = path.join(mdir, "model.onnx");
      const m = readModel(src);
      const out = path.join(dir, `${path.basename(mdir)}.onnx`);
      writeModel(m, out);
      const { inputs } = loadData(m, mdir);
      const want = await runBytes(readFileSync(src), inputs);
      const got = await runBytes(readFileSync(out), inputs);
      assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
      for (const k of Object.keys(want)) assert.equal(mismatch(got[k], want[k], 0, 0), undefined, k);
    });
  }

  it("every 10th node test that onnxruntime passes, rewritten, still matches its vectors", async (t) => {
    const c = corpusDir();
    const manifestFile = c && path.join(c, "onnx-node-tests", "manifest.json");
    if (!manifestFile || !existsSync(manifestFile)) return t.skip(NO_CORPUS);
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as { test: string; onnxruntime_1_30_check: string }[];
    const pass = new Set(manifest.filter((e) => e.onnxruntime_1_30_check === "PASS").map((e) => e.test));
    let n = 0;
    // A sample keeps this to about a second (a session costs ~15 ms); the deep-equality test above covers all.
    const names = readdirSync(path.join(c!, "onnx-node-tests")).filter((d) => pass.has(d)).sort();
    for (const name of names.filter((_, i) => i % 10 === 0)) {
      const cdir = path.join(c!, "onnx-node-tests", name);
      const m = readModel(path.join(cdir, "model.onnx"));
      const { inputs, outputs } = loadData(m, cdir);
      const got = await runBytes(encodeModel(m), inputs);
      for (const [k, v] of Object.entries(outputs)) {
        assert.equal(mismatch(got[k], v, 1e-3, 1e-5), undefined, `${name} output ${k}`);
      }
      n++;
    }
    assert.ok(n > 50, `only ${n} node tests ran`);
  });
});
