// The dense ops on onnx's older backend cases (../shared/corpus/onnx-backend-extra): PyTorch-converted
// Conv/ConvTranspose/pool/Linear models at opsets 6-12, and one full CNN (SqueezeNet) end to end.
import { describe, it } from "node:test";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { runModel } from "../../../src/run/interp.ts";
import { assertOutputs } from "../../helpers/allclose.ts";
import { corpusDir, loadCase, NO_CORPUS } from "../../helpers/corpus.ts";

const DENSE = /^(Gemm|MatMul|Conv|ConvTranspose|MaxPool|AveragePool|GlobalAveragePool|GlobalMaxPool|MaxUnpool|ConvInteger|MatMulInteger)$/;

interface ManifestEntry {
  test: string;
  ops: string[];
}

/** Case folders whose model uses a dense op (per the corpus manifest): the PyTorch ones plus SqueezeNet. */
function cases(): string[] {
  const root = corpusDir();
  const extra = root && path.join(root, "onnx-backend-extra");
  if (!extra || !existsSync(path.join(extra, "manifest.json"))) return [];
  const manifest = JSON.parse(readFileSync(path.join(extra, "manifest.json"), "utf8")) as ManifestEntry[];
  return manifest
    .filter((e) => /^pytorch-/.test(e.test) || e.test === "light/light_squeezenet")
    .filter((e) => e.ops.some((op) => DENSE.test(op)))
    .map((e) => path.join(extra, e.test))
    .filter((d) => existsSync(path.join(d, "model.onnx")));
}

describe("onnx-backend-extra cases using dense ops", () => {
  const dirs = cases();
  if (dirs.length === 0) {
    it("corpus", (t) => t.skip(NO_CORPUS));
    return;
  }
  for (const dir of dirs) {
    const name = path.relative(path.join(dir, "../.."), dir);
    it(name, () => {
      const c = loadCase(dir);
      const got = runModel(c.model, c.inputs, { outputs: Object.keys(c.outputs) });
      assertOutputs(got, c.outputs, 1e-3, 1e-5);
    });
  }
});
