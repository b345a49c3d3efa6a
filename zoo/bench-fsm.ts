// The machine reading on nets it was not developed on: every recurrent task of the zoo trained again with each cell
// (tanh RNN, GRU, LSTM) at hidden 16 and other seeds (`python3 zoo/trained/train_seq.py --variants DIR`), explained
// up to the machines pass, scored as the zoo scores its recurrent cases (truth's states, >= 99% of held-out steps).
//   node --import tsx zoo/bench-fsm.ts DIR [--results bench/results/fsm-variants.json]
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { loadData } from "../src/data/load.ts";
import { readModel } from "../src/onnx/read.ts";
import { runExplain } from "../src/pipeline/explain.ts";
import { table } from "../src/cli/table.ts";
import { readTruth } from "./truth.ts";
import { MACHINE_AGREEMENT } from "./score.ts";

interface Row {
  case: string;
  /** The network's own held-out step accuracy on its task. */
  netAccuracy: number;
  truthStates: number;
  states: number | null;
  heldOutAgreement: number | null;
  implemented: boolean;
  recovered: boolean;
  loop: string | null;
  note?: string;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { results: { type: "string", default: "bench/results/fsm-variants.json" } } });
  const root = positionals[0];
  if (!root || !existsSync(root)) throw new Error("usage: bench-fsm.ts DIR (written by train_seq.py --variants DIR)");
  const rows: Row[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (!existsSync(join(dir, "truth.json"))) continue;
    const truth = readTruth(join(dir, "truth.json"));
    const model = readModel(join(dir, "model.onnx"));
    const data = [loadData(join(dir, "data.npy"), model.graph.inputs[0]).tensor];
    const s = await runExplain({ model, source: name, exact: true, data, dataLabel: "data.npy" }, { until: "machines" });
    const m = s.program?.machines?.[0];
    const note = m ? undefined : s.reports.find((r) => r.pass === "machines")?.summary;
    const agree = m?.agreement.heldOut.stepAgreement ?? null;
    rows.push({
      case: name, netAccuracy: truth.accuracy!.heldOutSteps, truthStates: truth.machine!.states, states: m?.minimalStates ?? null, heldOutAgreement: agree,
      implemented: !!m?.implemented, recovered: !!m && m.minimalStates === truth.machine!.states && (agree ?? 0) >= MACHINE_AGREEMENT, loop: m?.loop ?? null, ...(note ? { note } : {}),
    });
    process.stderr.write(`${name}: ${m ? `${m.minimalStates} states, ${agree}` : note}\n`);
  }
  const pct = (v: number | null) => (v === null ? "-" : `${(100 * v).toFixed(2)}%`);
  const text = table([["case", "net acc", "states/truth", "held-out agree", "program", "recovered", "loop"], ...rows.map((r) => [
    r.case, pct(r.netAccuracy), `${r.states ?? "-"}/${r.truthStates}`, pct(r.heldOutAgreement), r.implemented ? "machine" : "cell", r.recovered ? "yes" : "no", (r.loop ?? r.note ?? "").slice(0, 90),
  ])]).join("\n");
  const ok = rows.filter((r) => r.recovered).length, good = rows.filter((r) => r.netAccuracy >= 0.999);
  const summary = { nets: rows.length, recovered: ok, netsAbove999: good.length, recoveredOfThose: good.filter((r) => r.recovered).length, implemented: rows.filter((r) => r.implemented).length };
  process.stdout.write(`${text}\n${ok}/${rows.length} recovered (${summary.recoveredOfThose}/${good.length} of the nets with >= 99.9% held-out accuracy); ${summary.implemented} run as machines\n`);
  mkdirSync(dirname(values.results!), { recursive: true });
  writeFileSync(values.results!, JSON.stringify({ date: new Date().toISOString().slice(0, 10), summary, rows }, null, 1) + "\n");
}

await main();
