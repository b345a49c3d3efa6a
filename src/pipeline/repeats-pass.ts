// The `repeats` explain pass: the same code with the same weights over different inputs becomes one function
// called once per input (src/program/repeat-calls.ts). The rewrite is exact by construction; it is also checked:
// the program before and after run on the analysis rows must agree to float rounding, else it is not applied.
import { runProgram } from "../program/run.ts";
import { foldRepeatedCalls } from "../program/repeat-calls.ts";
import { sliceRows } from "../data/batch.ts";
import type { ExplainPass } from "./explain.ts";

/** Rows compared before and after. */
const CHECK_ROWS = 256;

export const repeatsPass: ExplainPass = {
  name: "repeats",
  doc: "repeated windows of the same code and weights over different inputs become one function called once per input",
  run(s) {
    const program = s.program;
    if (!program || !s.data) return { out: s, report: { pass: "repeats", summary: "no program", details: [] } };
    const r = foldRepeatedCalls(program);
    if (!r.report.folded.length) return { out: s, report: { pass: "repeats", summary: "no repeated code over different inputs", details: [] } };
    const rows = s.data.analysis.map((t) => (s.data!.oneSample ? t : sliceRows(t, 0, Math.min(CHECK_ROWS, t.shape[0]))));
    const a = runProgram(program, rows), b = runProgram(r.program, rows);
    let err = 0, top = 0;
    a.forEach((t, i) => { for (let j = 0; j < t.data.length; j++) { err = Math.max(err, Math.abs(Number(t.data[j]) - Number(b[i].data[j]))); top = Math.max(top, Math.abs(Number(t.data[j]))); } });
    if (!(err <= 1e-6 * (1 + top))) return { out: s, report: { pass: "repeats", summary: `not applied: the folded program differs by ${err.toExponential(1)} on the analysis rows`, details: [] } };
    const lines = r.report.folded.map((f) => `${f.fn}: ${f.width} statements, called ${f.calls} times`);
    return { out: { ...s, program: r.program }, report: { pass: "repeats", summary: lines.join("; "), details: [`checked: max |difference| ${err.toExponential(1)} on the analysis rows`] } };
  },
};
