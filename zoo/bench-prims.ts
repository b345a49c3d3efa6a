// Primitive recall and fidelity of the cases whose primitives the slice recognisers name (src/recover/rules-*.ts),
// on each obfuscation alone and on all together: node --import tsx zoo/bench-prims.ts [--exact]
// (--exact: simplify with its exact passes only). Writes bench/results/prims-obfuscations[-exact].json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readModel } from "../src/onnx/read.ts";
import { loadData } from "../src/data/load.ts";
import { runExplain } from "../src/pipeline/explain.ts";
import { writeOutputDir } from "../src/pipeline/output-dir.ts";
import { parseObfuscations } from "./obfuscate.ts";
import { writeZoo } from "./zoo.ts";
import { scoreCase } from "./score.ts";
import { readTruth } from "./truth.ts";
const CASES = ["abs", "max2", "max4", "sort3", "median3", "argmax4", "clamp", "edge", "modules2", "repeat4", "min4"];
const OBF = ["all", "none", "conv2dense", "interleave", "split", "dead", "rescale", "permute", "nearzero", "noise"];
const exact = process.argv[2] === "--exact";
const root = mkdtempSync(join(tmpdir(), "prims-obf-"));
const rows: string[] = [];
const out: Record<string, Record<string, { recall: number | null; maxAbsErr: number | null; relErr: number | null }>> = {};
for (const o of OBF) {
  out[o] = {};
  for (const c of CASES) {
    const zdir = join(root, o, "zoo");
    const [e] = writeZoo(zdir, { seed: 1, only: c, obfuscations: parseObfuscations(o) });
    const truth = readTruth(join(e.dir, "truth.json"));
    const file = join(e.dir, "model.onnx");
    const model = readModel(file);
    const useDomain = truth.domainFlag;
    const data = useDomain ? undefined : [loadData(join(e.dir, truth.data!), model.graph.inputs[0]).tensor];
    const exp = join(root, o, "ex", c);
    mkdirSync(exp, { recursive: true });
    const st = await runExplain({ model, source: file, outDir: exp, ...(exact ? { exact } : {}), ...(data ? { data, dataLabel: truth.data! } : { domain: truth.domainFlag! }) });
    writeOutputDir(exp, st.files!);
    const s = scoreCase(e.dir, exp);
    out[o][c] = { recall: s.primitives?.recall ?? null, maxAbsErr: s.fidelity?.maxAbsErr ?? null, relErr: s.fidelity?.relErr ?? null };
  }
  rows.push(`${o.padEnd(11)} ${CASES.map((c) => `${c}:${out[o][c].recall?.toFixed(2)}/${out[o][c].relErr?.toExponential(0)}`).join(" ")}`);
  process.stdout.write(rows[rows.length - 1] + "\n");
}
rmSync(root, { recursive: true, force: true });
writeFileSync(`bench/results/prims-obfuscations${exact ? "-exact" : ""}.json`, JSON.stringify({ seed: 1, exact, cases: CASES, byObfuscation: out }, null, 1) + "\n");
