// The ONNX conformance cases of this op family, beyond what tests/conformance runs: every case whose ops are
// all elementwise-family ops must (1) infer exactly the dtype and shape of each expected output, from the data's
// input shapes, (2) infer without error from the file's declared (possibly symbolic) shapes, and (3) compute
// the expected outputs, string Equal included.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { inferShapes } from "../../../src/graph/infer.ts";
import { readModel } from "../../../src/onnx/read.ts";
import { ops } from "../../../src/ops/_elementwise.ts";
import { runModel } from "../../../src/run/interp.ts";
import { mismatch } from "../../helpers/allclose.ts";
import { listNodeTests, loadData, NO_CORPUS } from "../../helpers/corpus.ts";

const mine = new Set(ops.map((o) => o.name));
/** Cases whose tensors have dtypes our Tensor cannot hold (read fails by design). */
const EXOTIC = /BFLOAT16|FLOAT8|E8M0|FLOAT4E2M1|_U?INT[24](_|$)/;

describe("elementwise family on the ONNX conformance cases", () => {
  const dirs = listNodeTests().filter((d) => !EXOTIC.test(path.basename(d)));
  if (dirs.length === 0) {
    it("corpus", (t) => t.skip(NO_CORPUS));
    return;
  }
  let covered = 0;
  for (const dir of dirs) {
    const name = path.basename(dir);
    const model = readModel(path.join(dir, "model.onnx"));
    if (!model.graph.nodes.every((n) => n.domain === "" && mine.has(n.op))) continue;
    covered++;
    it(name, () => {
      const { inputs, outputs } = loadData(model, dir);
      const actual = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, { dtype: t.dtype, shape: [...t.shape] }]));
      const inferred = inferShapes(model, { inputs: actual });
      for (const [out, want] of Object.entries(outputs)) {
        const got = inferred.get(out);
        assert.deepEqual({ dtype: got?.dtype, shape: got?.shape }, { dtype: want.dtype, shape: want.shape }, `inferred type of '${out}'`);
      }
      inferShapes(model);
      const got = runModel(model, inputs, { outputs: Object.keys(outputs) });
      for (const [out, want] of Object.entries(outputs)) assert.equal(mismatch(got[out], want), undefined, `output '${out}'`);
    });
  }
  it("covers the family's cases", () => assert.ok(covered >= 300, `only ${covered} cases`));
});
