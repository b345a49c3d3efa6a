// The trained recognisers on nets they were not written against: the zoo's small trained functions (xor, parity4,
// and3, max2, min2, abs, clamp, sort3, and [clamp(x0), max(x1, x2)] in one net) trained again at other seeds and
// hidden widths (8, 16, 32 units in one layer; 16-16 in two; 8-8-8 in three) by bench/trained_variants.py (PyTorch 1.13, torch.onnx.export), each explained from its data as
// `npm run zoo:score` explains the trained cases (--exact, the data file; bits cases: all 2^n points). Per net: the
// primitive the function should be named by (zoo/score.ts signatures), whether it is, the named statement and its
// stated error (the residual's max |r|), and program vs model on the held-out rows; written to
// bench/results/trained-variants.json.
//   node --import tsx bench/trained-variants.ts [--dir tmp/trained-variants] [--seeds 10,11,12] [--only FN,...] [--budgeted] [--results FILE]
// Trains what --dir lacks first (one thread, seeded: the same nets every run; a few minutes of CPU for all 135).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { decodeNpy } from "../src/data/npy.ts";
import { readModel } from "../src/onnx/read.ts";
import { runExplain } from "../src/pipeline/explain.ts";
import { allPrimStmts } from "../src/program/program.ts";
import { primText } from "../src/program/printer.ts";
import { runModel } from "../src/run/interp.ts";
import { satisfied, signatures } from "../zoo/score.ts";

/** What bench/trained_variants.py writes beside each model. */
interface Meta {
  function: string;
  arch: string;
  hidden: number[];
  seed: number;
  /** The primitive signatures to find, each "a|b" = either (one string in older runs). */
  expect: string | string[];
  domain: "bits" | { lo: number; hi: number };
  train: { heldOutMaxAbsErr: number; heldOutMeanAbsErr: number; samples: number; allInputsRight?: number; targetRange?: number };
}

/** One net's row in the results. */
interface Row {
  net: string;
  function: string;
  arch: string;
  seed: number;
  expect: string[];
  /** Net vs its function on PyTorch's held-out rows: how well it learned (a net that did not learn its function
   *  cannot be named by it): ok when every bit is right, or the max error is within 5% of the function's range on
   *  those rows (the largest error with which the fitted readings name a function, rules-fit.ts FIT_FRACTION). */
  learned: { maxAbsErr: number; ok: boolean };
  /** Every expected primitive is named. */
  named: boolean;
  /** Expected primitives named / expected. */
  recall: number;
  /** Statements of the expected kinds, as program.txt prints them, with their stated error (max |residual|). */
  statements: { text: string; error: number }[];
  /** Every primitive signature found. */
  found: string[];
  /** The largest stated error of the expected statements over max |y| on the data. */
  nameRelErr: number | null;
  fidelity: { maxAbsErr: number; relErr: number; samples: number };
  error?: string;
}

const { values } = parseArgs({ options: {
  dir: { type: "string", default: "tmp/trained-variants" }, seeds: { type: "string", default: "10,11,12" }, only: { type: "string" },
  budgeted: { type: "boolean", default: false }, results: { type: "string", default: "bench/results/trained-variants.json" },
} });
const dir = values.dir!;
mkdirSync(dir, { recursive: true });
execFileSync("/usr/bin/python3", ["bench/trained_variants.py", dir, "--seeds", values.seeds!, ...(values.only ? ["--only", values.only] : [])], { stdio: ["ignore", "inherit", "ignore"] });
const only = values.only ? new Set(values.only.split(",")) : undefined;
const seeds = new Set(values.seeds!.split(",").map(Number));
const rows: Row[] = [];
for (const name of readdirSync(dir).sort()) {
  const metaFile = join(dir, name, "meta.json");
  if (!existsSync(metaFile)) continue;
  const meta = JSON.parse(readFileSync(metaFile, "utf8")) as Meta;
  if ((only && !only.has(meta.function)) || !seeds.has(meta.seed)) continue;
  rows.push(await explainOne(name, meta));
  const r = rows.at(-1)!;
  process.stderr.write(`${name}: ${r.error ?? `${r.named ? "named" : "NOT named"} ${r.statements.map((s) => `${s.text} (${s.error.toExponential(1)})`).join("; ")}; program vs model ${r.fidelity.maxAbsErr.toExponential(1)}`}\n`);
}

/** Explain one trained net from its data, as zoo/bench.ts explains the zoo's trained cases. */
async function explainOne(name: string, meta: Meta): Promise<Row> {
  const model = readModel(join(dir, name, "model.onnx"));
  const data = decodeNpy(readFileSync(join(dir, name, "data.npy")));
  const range = meta.train.targetRange ?? (meta.domain === "bits" ? 1 : meta.domain.hi - meta.domain.lo);
  const learned = { maxAbsErr: meta.train.heldOutMaxAbsErr, ok: meta.domain === "bits" ? meta.train.allInputsRight === 1 : meta.train.heldOutMaxAbsErr <= 0.05 * range };
  const expect = typeof meta.expect === "string" ? [meta.expect] : meta.expect;
  const base = { net: name, function: meta.function, arch: meta.arch, seed: meta.seed, expect, learned };
  try {
    const s = await runExplain({ model, name, data: [data], dataLabel: "data.npy", ...(values.budgeted ? {} : { exact: true }) }, { until: "verify" });
    const prog = s.program!;
    const counts = new Map<string, number>();
    const stmts = allPrimStmts(prog);
    for (const { stmt } of stmts) for (const sig of signatures(stmt.prim)) counts.set(sig, (counts.get(sig) ?? 0) + 1);
    const wanted = expect.flatMap((e) => e.split("|"));
    const hits = stmts.filter(({ stmt }) => signatures(stmt.prim).some((sig) => wanted.some((w) => satisfied(w, new Map([[sig, 1]])))));
    const y = Object.values(runModel(model, { [model.graph.inputs[0].name]: data }))[0].data;
    let maxY = 0;
    for (const v of y) maxY = Math.max(maxY, Math.abs(Number(v)));
    const nameErr = hits.length ? Math.max(...hits.map((h) => h.stmt.prim.error)) : null;
    return {
      ...base, named: expect.every((e) => satisfied(e, counts)), recall: expect.filter((e) => satisfied(e, counts)).length / expect.length, statements: hits.map(({ stmt }) => ({ text: `${stmt.out.name} = ${primText(stmt)}`, error: stmt.prim.error })),
      found: [...counts.keys()].sort(), nameRelErr: nameErr === null ? null : nameErr / (maxY || 1),
      fidelity: { maxAbsErr: prog.fidelity!.maxAbsErr, relErr: prog.fidelity!.relErr, samples: prog.fidelity!.samples },
    };
  } catch (e) {
    return { ...base, named: false, recall: 0, statements: [], found: [], nameRelErr: null, fidelity: { maxAbsErr: NaN, relErr: NaN, samples: 0 }, error: (e as Error).message };
  }
}

// Per function and architecture: nets named / nets (of those that learned their function).
const table = new Map<string, Map<string, Row[]>>();
for (const r of rows) {
  if (!table.has(r.function)) table.set(r.function, new Map());
  const t = table.get(r.function)!;
  if (!t.has(r.arch)) t.set(r.arch, []);
  t.get(r.arch)!.push(r);
}
const archs = [...new Set(rows.map((r) => r.arch))];
process.stdout.write(`named / learned nets (of all nets; ${values.budgeted ? "default budget" : "--exact"}), seeds ${values.seeds}\n${"function".padEnd(10)} ${archs.map((a) => a.padEnd(12)).join(" ")}  worst name error / max|y|   worst max |program - model|\n`);
for (const [fn, t] of table) {
  const all = [...t.values()].flat();
  const cellText = (rs: Row[] | undefined) => (rs ? `${rs.filter((r) => r.named && r.learned.ok).length}/${rs.filter((r) => r.learned.ok).length} (${rs.length})` : "-");
  const worstName = Math.max(...all.filter((r) => r.named && r.nameRelErr !== null).map((r) => r.nameRelErr!), 0);
  const worstFid = Math.max(...all.map((r) => r.fidelity.maxAbsErr));
  process.stdout.write(`${fn.padEnd(10)} ${archs.map((a) => cellText(t.get(a)).padEnd(12)).join(" ")}  ${worstName.toExponential(1).padEnd(26)} ${worstFid.toExponential(1)}\n`);
}
const learned = rows.filter((r) => r.learned.ok);
const summary = { nets: rows.length, learned: learned.length, namedOfLearned: learned.filter((r) => r.named).length, namedOfAll: rows.filter((r) => r.named).length, errors: rows.filter((r) => r.error).length };
process.stdout.write(`named ${summary.namedOfLearned} of ${summary.learned} nets that learned their function (${summary.namedOfAll} of ${summary.nets} in all)\n`);
mkdirSync(dirname(values.results!), { recursive: true });
writeFileSync(values.results!, JSON.stringify({ mode: values.budgeted ? "default budget" : "exact", seeds: [...seeds], archs, summary, nets: rows }, null, 1) + "\n");
process.stdout.write(`wrote ${values.results}\n`);
