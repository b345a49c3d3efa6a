// The ONNX conformance cases of this op family, beyond what tests/conformance runs: every case whose ops are
// all elementwise-family ops must (1) infer exactly the dtype and shape of each expected output, from the data's
// input shapes, (2) infer without error from the file's declared (possibly symbolic) shapes, and (3) compute
// the expected outputs, string Equal included.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { inferShapes } from "../../../src/graph/infer.ts";
import { readModel } from "../../../src/onnx/read.ts";
import { ops } from "../../../src/ops/_elementwise.ts";
import { runModel } from "../../../src/run/interp.ts";
import { assertOutputs } from "../../helpers/allclose.ts";
import { corpusDir, loadData, NO_CORPUS } from "../../helpers/corpus.ts";

const mine = new Set(ops.map((o) => o.name));
/** Cases whose tensors have dtypes our Tensor cannot hold (reading fails by design). */
const EXOTIC = /BFLOAT16|FLOAT8|E8M0|FLOAT4E2M1|_U?INT[24](_|$)/;

/** Node-test folders whose ops (per the corpus manifest) are all elementwise-family ops. */
function familyCases(root: string): string[] {
  const manifest = JSON.parse(readFileSync(path.join(root, "manifest.json"), "utf8")) as { test: string; ops: string[] }[];
  return manifest.filter((e) => e.ops.every((op) => mine.has(op)) && !EXOTIC.test(e.test)).map((e) => path.join(root, e.test));
}

describe("elementwise family on the ONNX conformance cases", () => {
  const root = corpusDir();
  if (!root) {
    it("corpus", (t) => t.skip(NO_CORPUS));
    return;
  }
  const dirs = familyCases(path.join(root, "onnx-node-tests"));
  for (const dir of dirs) {
    const name = path.basename(dir);
    it(name, () => {
      const model = readModel(path.join(dir, "model.onnx"));
      const { inputs, outputs } = loadData(model, dir);
      const actual = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, { dtype: t.dtype, shape: [...t.shape] }]));
      const inferred = inferShapes(model, { inputs: actual });
      for (const [out, want] of Object.entries(outputs)) {
        const got = inferred.get(out);
        assert.deepEqual({ dtype: got?.dtype, shape: got?.shape }, { dtype: want.dtype, shape: want.shape }, `inferred type of '${out}'`);
      }
      inferShapes(model);
      const got = runModel(model, inputs, { outputs: Object.keys(outputs) });
      assertOutputs(got, outputs, 1e-3, 1e-7);
    });
  }
  it("covers the family's cases", () => assert.ok(dirs.length >= 300, `only ${dirs.length} cases`));
});
