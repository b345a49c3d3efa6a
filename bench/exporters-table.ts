// Print the exporter sweep (bench/results/exporters.json) as tables: per style, the cells whose recall and fidelity
// equal the Gemm export's, the lowest recall and the largest max |program - model|; then style x case, recall with
// no obfuscation / all of them ("!" marks a cell that differs from the Gemm export's; "E" an error).
//   node --import tsx bench/exporters-table.ts [bench/results/exporters.json] [--before FILE]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface Cell { style: string; recall: number | null; maxAbsErr: number | null; same: boolean | null; error?: string }
interface Results { cases: { case: string; obfuscations: string; cells: Cell[] }[] }

const { values, positionals } = parseArgs({ allowPositionals: true, options: { before: { type: "string" } } });
const load = (f: string): Results => JSON.parse(readFileSync(f, "utf8"));
const after = load(positionals[0] ?? "bench/results/exporters.json");
const before = values.before ? load(values.before) : undefined;

/** Per style: cells, same, min recall, max error. */
function summary(r: Results): Map<string, { n: number; same: number; minRecall: number; maxErr: number; errors: number }> {
  const m = new Map<string, { n: number; same: number; minRecall: number; maxErr: number; errors: number }>();
  for (const row of r.cases) {
    for (const c of row.cells) {
      const s = m.get(c.style) ?? { n: 0, same: 0, minRecall: 1, maxErr: 0, errors: 0 };
      s.n++;
      if (c.same) s.same++;
      if (c.error) s.errors++;
      else {
        s.minRecall = Math.min(s.minRecall, c.recall ?? 0);
        s.maxErr = Math.max(s.maxErr, c.maxAbsErr ?? 0);
      }
      m.set(c.style, s);
    }
  }
  return m;
}

const fmt = (s: ReturnType<typeof summary> extends Map<string, infer V> ? V : never) =>
  `${`${s.same}/${s.n}`.padEnd(7)} ${s.errors === s.n ? "-".padEnd(6) : s.minRecall.toFixed(2).padEnd(6)} ${s.errors === s.n ? "error" : s.maxErr.toExponential(1)}`;
const sa = summary(after);
const sb = before ? summary(before) : undefined;
process.stdout.write(`${"style".padEnd(16)} ${sb ? `${"before: same  minRec maxErr".padEnd(30)} ` : ""}after: same  minRec maxErr\n`);
for (const [style, s] of sa) process.stdout.write(`${style.padEnd(16)} ${sb ? `${sb.get(style) ? fmt(sb.get(style)!) : "-"}`.padEnd(31) : ""}${fmt(s)}\n`);

/** style x case: recall none/all, '!' when not the same as the Gemm export's. */
function grid(r: Results, title: string): void {
  const cases = [...new Set(r.cases.map((x) => x.case))];
  const styles = [...new Set(r.cases.flatMap((x) => x.cells.map((c) => c.style)))];
  process.stdout.write(`\n${title}: recall none/all per case (trained cases: one value; "!" differs from the gemm export, "E" error, "." not applicable)\n${"style".padEnd(16)} ${cases.map((c) => c.slice(0, 9).padEnd(10)).join("")}\n`);
  for (const st of styles) {
    const cell = (cs: string, obf: string) => {
      const c = r.cases.find((x) => x.case === cs && x.obfuscations === obf)?.cells.find((y) => y.style === st);
      if (!c) return ".";
      if (c.error) return "E";
      return `${(c.recall ?? 0) === 1 ? "1" : (c.recall ?? 0).toFixed(1)}${c.same ? "" : "!"}`;
    };
    const both = (cs: string) => (r.cases.some((x) => x.case === cs && x.obfuscations === "trained") ? cell(cs, "trained") : `${cell(cs, "none")}/${cell(cs, "all")}`);
    process.stdout.write(`${st.padEnd(16)} ${cases.map((cs) => both(cs).padEnd(10)).join("")}\n`);
  }
}
if (before) grid(before, "before");
grid(after, before ? "after" : "results");
