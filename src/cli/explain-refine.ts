// explain --refine: refine the model on the explain data first (same seed and held-out fraction, so refine never
// trains on, or chooses by, the rows explain measures fidelity on), then explain the refined copy with one more
// pass that measures the program against the original too.
import type { Model } from "../graph/graph.ts";
import type { Tensor } from "../graph/tensor.ts";
import { UserError } from "../errors.ts";
import { explainPasses, type ExplainPass } from "../pipeline/explain.ts";
import { refinedFidelityPass } from "../pipeline/refine-pass.ts";
import type { AgreementRule } from "../passes/agreement-bound.ts";
import { Progress } from "./progress.ts";
import { refineOptions } from "./refine.ts";

export interface ExplainRefineOptions {
  refineObjective?: string;
  refineEpochs?: number;
  refineRounds?: number;
  minAgreement?: number;
  /** explain's --agreement-rule: refine's floor on its validation rows uses the same rule. */
  agreementRule?: AgreementRule;
  seed: number;
  holdout?: number;
}

/** Refine first: the model to explain, the pipeline (with the refined-fidelity pass after verify), and the files refine adds. */
export async function refineFirst(model: Model, data: readonly Tensor[], opts: ExplainRefineOptions): Promise<{ model: Model; passes: ExplainPass[]; files: Map<string, string | Uint8Array> }> {
  if (data.length !== 1) throw new UserError(`explain --refine handles models with one input (this one has ${data.length})`);
  const ro = refineOptions({ objective: opts.refineObjective, minAgreement: opts.minAgreement, agreementRule: opts.agreementRule, epochs: opts.refineEpochs, rounds: opts.refineRounds, seed: opts.seed });
  const { refine, reportJson, reportMarkdown } = await import("../refine/index.ts");
  const { encodeModel } = await import("../onnx/write.ts");
  let bar: Progress | undefined;
  const r = refine(model, data[0], { ...ro, ...(opts.holdout !== undefined ? { holdout: opts.holdout } : {}) }, {
    onEpoch: (_row, _done, total) => {
      bar ??= new Progress("refine", total, { unit: "epochs" });
      bar.tick();
    },
  });
  bar?.done();
  const passes = [...explainPasses];
  const at = passes.findIndex((p) => p.name === "verify");
  passes.splice(at + 1, 0, refinedFidelityPass(model, { objectives: [...r.options.objectives], weightsBefore: r.before.weights, weightsAfter: r.after.weights }));
  const files = new Map<string, string | Uint8Array>([
    ["refined.onnx", encodeModel(r.model)],
    ["refine.md", reportMarkdown(r, "the original model")],
    ["refine.json", `${JSON.stringify(reportJson(r, "the original model"), null, 1)}\n`],
  ]);
  return { model: r.model, passes, files };
}
