// `npm run bench:simplify`: what the exact simplify passes recover, written to bench/results/simplify.json.
//   node --import tsx bench/simplify.ts [--seed N] [--only SECTION] [--case NAME] [--results FILE]
// Section "zoo": every compiled zoo case with each exact obfuscation alone and with all of them, explained by
// `explain --exact` (in process, same inputs as `npm run zoo:score`): hidden units of the simplified Net against
// the reference network's (the case compiled without obfuscations; goal: at most as many), the simplified Net's
// held-out error against the lowered Net, and, where the domain is a box, the certified bound over it.
// Sections are functions in SECTIONS; a new one (the MNIST budget curve, bench/simplify-mnist.ts) is one import
// and one entry there. The results hold no timings, so the file is the same run to run.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import type { Model } from "../src/graph/graph.ts";
import { f32 } from "../src/graph/tensor.ts";
import type { Net } from "../src/net/net.ts";
import { lower } from "../src/net/lower.ts";
import { normalizePasses } from "../src/graph/passes/index.ts";
import { runPasses } from "../src/pipeline/pass.ts";
import { runExplain } from "../src/pipeline/explain.ts";
import { hiddenNeurons, hiddenUnits } from "../src/passes/net-edit.ts";
import { certifiedMaxErr } from "../src/verify/bounds.ts";
import { CASES } from "../zoo/cases/index.ts";
import { domainBox, domainFlag, type CaseDef } from "../zoo/case.ts";
import { generateCase } from "../zoo/generate.ts";
import type { ObfuscationName } from "../zoo/obfuscate.ts";
import { mnistSection } from "./simplify-mnist.ts";

/** The exact obfuscations, each benchmarked alone and all together. */
export const EXACT_OBFUSCATIONS: readonly ObfuscationName[] = ["conv2dense", "interleave", "split", "dead", "rescale", "permute"];

export interface ZooRow {
  case: string;
  /** One obfuscation's name, or "all" (every exact obfuscation). */
  obfuscation: string;
  /** How explain got its rows: the domain flag, or the case's data samples. */
  input: string;
  /** Hidden units (conv: channels) and neurons (conv: channels x positions) of the lowered, obfuscated Net. */
  before: { units: number; neurons: number };
  after: { units: number; neurons: number };
  /** The case compiled without obfuscations, lowered. */
  reference: { units: number; neurons: number };
  /** after.neurons <= reference.neurons. */
  atMostReference: boolean;
  /** The simplified Net vs the lowered Net on the held-out rows (the simplify stage's own error). */
  maxAbsErr: number;
  /** Certified max |simplified - original| over the domain's box (null: not a box domain, or unbounded). */
  certifiedMaxErr: number | null;
  /** Set when the bound is infinite: the original has layers interval bounds cannot see through (opaque Slice). */
  certifiedUnbounded?: true;
  error?: string;
}

export interface Section {
  /** One paragraph: what the section measures and how. */
  about: string;
  rows: unknown[];
  summary: Record<string, unknown>;
  /** Markdown table for the README. */
  table: string;
}

function lowered(model: Model): Net {
  return lower(runPasses(model, normalizePasses).out).net;
}

const count = (n: Net) => ({ units: hiddenUnits(n), neurons: hiddenNeurons(n) });

/** One case with one set of obfuscations, explained with --exact. */
async function zooRow(def: CaseDef, seed: number, name: string, obf: readonly ObfuscationName[], reference: { units: number; neurons: number }): Promise<ZooRow | undefined> {
  const g = generateCase(def, seed, obf);
  if (obf.length && !g.truth.obfuscations.length) return undefined; // the obfuscation does not apply to this case
  const flag = domainFlag(def.domain);
  const input = flag ? `--domain ${flag}` : "--data data.npy";
  const data = flag ? undefined : [f32([g.points.length, ...def.inputShape], g.points.flat())];
  const base = { case: def.name, obfuscation: name, input, reference };
  try {
    const ex = { model: g.model, source: `${def.name}.onnx`, exact: true, ...(data ? { data, dataLabel: "data.npy" } : { domain: flag! }) };
    // The simplify stage alone: its Net's units, and its held-out error against the lowered Net (later passes,
    // such as recognisers that fit, add their own error, which report.md states separately).
    const s = await runExplain(ex, { until: "simplify" });
    const reps = s.simplify?.reports ?? [];
    const err = reps.length ? reps[reps.length - 1].heldOut.maxAbsErr : 0;
    const before = count(s.lowered!);
    const after = count(s.net!);
    let cert: number | null = null;
    if (def.domain.kind === "box") {
      const { lo, hi } = domainBox(def.domain);
      const inp = s.net!.inputs[0].name;
      cert = certifiedMaxErr(s.lowered!, s.net!, { [inp]: { lo: Float32Array.from(lo), hi: Float32Array.from(hi) } }).maxErr;
    }
    const unbounded = cert !== null && !Number.isFinite(cert);
    return { ...base, before, after, atMostReference: after.neurons <= reference.neurons, maxAbsErr: err, certifiedMaxErr: unbounded ? null : cert, ...(unbounded ? { certifiedUnbounded: true as const } : {}) };
  } catch (e) {
    const none = { units: -1, neurons: -1 };
    return { ...base, before: none, after: none, atMostReference: false, maxAbsErr: NaN, certifiedMaxErr: null, error: (e as Error).message };
  }
}

const sci = (x: number | null) => (x === null ? "-" : x === 0 ? "0" : Number.isNaN(x) ? "failed" : x.toExponential(1));

/** Every compiled zoo case, each exact obfuscation alone and all of them. */
export async function zooSection(opts: { seed: number; only?: string }): Promise<Section> {
  const rows: ZooRow[] = [];
  const sets: [string, ObfuscationName[]][] = [...EXACT_OBFUSCATIONS.map((o): [string, ObfuscationName[]] => [o, [o]]), ["all", [...EXACT_OBFUSCATIONS]]];
  for (const def of CASES) {
    if (opts.only && def.name !== opts.only) continue;
    const reference = count(lowered(generateCase(def, opts.seed, []).model));
    for (const [name, obf] of sets) {
      const r = await zooRow(def, opts.seed, name, obf, reference);
      if (!r) continue;
      rows.push(r);
      process.stderr.write(`${def.name} ${name}: neurons ${r.before.neurons} -> ${r.after.neurons} (reference ${reference.neurons}), err ${sci(r.maxAbsErr)}${r.error ? ` FAILED ${r.error}` : ""}\n`);
    }
  }
  const ok = rows.filter((r) => r.atMostReference).length;
  const worst = Math.max(0, ...rows.map((r) => r.maxAbsErr));
  const certs = rows.map((r) => (r.certifiedUnbounded ? Infinity : r.certifiedMaxErr)).filter((c): c is number => c !== null);
  const certRounding = certs.filter((c) => c <= 1e-5).length;
  // README table: one row per case, the "all" run in full, then every single-obfuscation run's after/reference.
  const head = ["case", "reference", ...EXACT_OBFUSCATIONS, "all: before -> after", "all: maxAbsErr", "all: certified"];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`];
  for (const def of CASES) {
    const mine = rows.filter((r) => r.case === def.name);
    if (!mine.length) continue;
    const all = mine.find((r) => r.obfuscation === "all");
    const cell = (o: string) => {
      const r = mine.find((x) => x.obfuscation === o);
      return r ? `${r.after.neurons}${r.atMostReference ? "" : " (!)"}` : "-";
    };
    lines.push(`| ${def.name} | ${mine[0].reference.neurons} | ${EXACT_OBFUSCATIONS.map(cell).join(" | ")} | ${all ? `${all.before.neurons} -> ${all.after.neurons}` : "-"} | ${sci(all?.maxAbsErr ?? null)} | ${all?.certifiedUnbounded ? "unbounded" : sci(all?.certifiedMaxErr ?? null)} |`);
  }
  return {
    about: "explain --exact on every compiled zoo case (seeded), each exact obfuscation alone and all together; hidden neurons (conv channels count once per position) of the simplified Net vs the case compiled without obfuscations",
    rows,
    summary: { runs: rows.length, atMostReference: ok, worstMaxAbsErr: worst, boxRuns: certs.length, certifiedAtRoundingLevel: certRounding, certifiedUnbounded: certs.filter((c) => c === Infinity).length, failed: rows.filter((r) => r.error).length },
    table: lines.join("\n"),
  };
}

/** The sections of bench/results/simplify.json, by name. */
export const SECTIONS: Record<string, (opts: { seed: number; only?: string }) => Promise<Section>> = {
  zoo: zooSection,
  mnist: mnistSection,
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { seed: { type: "string", default: "1" }, only: { type: "string" }, case: { type: "string" }, results: { type: "string", default: "bench/results/simplify.json" } },
  });
  const seed = Number(values.seed);
  const names = values.only ? [values.only] : Object.keys(SECTIONS);
  // Sections not run this time keep their last results.
  const old = existsSync(values.results!) ? (JSON.parse(readFileSync(values.results!, "utf8")) as { sections?: Record<string, unknown> }) : {};
  const doc: Record<string, unknown> = { date: new Date().toISOString().slice(0, 10), seed, sections: { ...(old.sections ?? {}) } };
  for (const n of names) {
    const run = SECTIONS[n];
    if (!run) throw new Error(`no section '${n}'; sections: ${Object.keys(SECTIONS).join(", ")}`);
    const sec = await run({ seed, ...(values.case ? { only: values.case } : {}) });
    (doc.sections as Record<string, unknown>)[n] = { about: sec.about, summary: sec.summary, rows: sec.rows };
    process.stdout.write(`\n## ${n}\n\n${sec.table}\n\n${JSON.stringify(sec.summary)}\n`);
  }
  mkdirSync(dirname(values.results!), { recursive: true });
  writeFileSync(values.results!, JSON.stringify(doc, null, 1) + "\n");
  process.stdout.write(`wrote ${values.results}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
