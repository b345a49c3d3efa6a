// The dense ops on onnx's older backend cases (../shared/corpus/onnx-backend-extra): PyTorch-converted
// Conv/ConvTranspose/pool/Linear models at opsets 6-12, and one full CNN (SqueezeNet) end to end.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { runModel } from "../../../src/run/interp.ts";
import { mismatch } from "../../helpers/allclose.ts";
import { corpusDir, loadCase, NO_CORPUS } from "../../helpers/corpus.ts";

const DENSE = /^(Gemm|MatMul|Conv|ConvTranspose|MaxPool|AveragePool|GlobalAveragePool|GlobalMaxPool|MaxUnpool|ConvInteger|MatMulInteger)$/;

function cases(): string[] {
  const root = corpusDir();
  if (!root) return [];
  const dirs: string[] = [];
  for (const sub of ["pytorch-converted", "pytorch-operator"]) {
    const d = path.join(root, "onnx-backend-extra", sub);
    if (existsSync(d)) for (const t of readdirSync(d).sort()) dirs.push(path.join(d, t));
  }
  dirs.push(path.join(root, "onnx-backend-extra", "light", "light_squeezenet"));
  return dirs.filter((d) => existsSync(path.join(d, "model.onnx")));
}

describe("onnx-backend-extra cases using dense ops", () => {
  const dirs = cases();
  if (dirs.length === 0) {
    it("corpus", (t) => t.skip(NO_CORPUS));
    return;
  }
  for (const dir of dirs) {
    const name = path.relative(path.join(dir, "../.."), dir);
    it(name, (t) => {
      const c = loadCase(dir);
      if (!c.model.graph.nodes.some((n) => DENSE.test(n.op))) {
        t.skip("no dense op in this case");
        return;
      }
      const got = runModel(c.model, c.inputs, { outputs: Object.keys(c.outputs) });
      for (const [k, want] of Object.entries(c.outputs)) assert.equal(mismatch(got[k], want, 1e-3, 1e-5), undefined, k);
    });
  }
});
