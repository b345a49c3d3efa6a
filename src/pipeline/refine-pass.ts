// explain --refine: the pipeline explains the refined copy of a model, and this pass (after verify) measures the
// program against the original as well, on the same held-out rows, so the cost of refining sits beside the
// program's fidelity to the network it describes (report.md, program.json's `refined`).
import type { Model } from "../graph/graph.ts";
import type { Tensor } from "../graph/tensor.ts";
import type { RefinedInfo } from "../program/program.ts";
import { runProgram } from "../program/run.ts";
import { runModel } from "../run/interp.ts";
import { chunkSize, inChunks, ortOutputs } from "../verify/reference.ts";
import { compareAll, fidelityLine } from "../verify/metrics.ts";
import { need, type ExplainPass } from "./explain.ts";

/** The pass, given the original model and what refine did. */
export function refinedFidelityPass(original: Model, info: Omit<RefinedInfo, "vsOriginal">): ExplainPass {
  return {
    name: "refined-fidelity",
    doc: "explain --refine: the program vs the original (unrefined) model on the held-out rows: the cost of refining",
    async run(s) {
      const program = need(s, "program", "refined-fidelity", "build");
      const data = need(s, "data", "refined-fidelity", "read");
      const details: string[] = [];
      let expected: Tensor[];
      try {
        expected = await ortOutputs(original, data.heldOut);
      } catch (e) {
        details.push(`onnxruntime could not run the original (${e instanceof Error ? e.message : String(e)}); compared with pseudonet's interpreter instead`);
        const names = original.graph.inputs.map((i) => i.name);
        expected = await inChunks(data.heldOut, chunkSize(original, data.heldOut[0]?.shape[0] ?? 0), (part) => {
          const r = runModel(original, Object.fromEntries(names.map((n, i) => [n, part[i]])));
          return original.graph.outputs.map((o) => r[o.name]);
        });
      }
      const got = await inChunks(data.heldOut, chunkSize(original, data.heldOut[0]?.shape[0] ?? 0), (part) => runProgram(program, part));
      const vsOriginal = compareAll(program.outputs.map((o) => o.name), expected, got, data.heldOutLabel);
      const refined: RefinedInfo = { ...info, vsOriginal };
      return {
        out: { ...s, program: { ...program, refined } },
        report: {
          pass: "refined-fidelity",
          summary: `vs the original, unrefined (${data.heldOutLabel}, ${vsOriginal.samples} samples): ${fidelityLine(vsOriginal)}; refined copy has ${info.weightsAfter} of ${info.weightsBefore} weights`,
          details, maxAbsErr: vsOriginal.maxAbsErr,
        },
      };
    },
  };
}
