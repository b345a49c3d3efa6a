// Exporter sweep: every compiled zoo case (no obfuscation, and all of them), the seven small trained cases whose
// truth names primitives and the MNIST MLP and CNN (as trained and exported by zoo/trained/train.py; MNIST explained on
// its box domain), written in every exporter style of
// zoo/exporter-styles.ts and by real torch.onnx.export at opsets 9, 11 and 17 (bench/exporters_torch.py, Debian's
// /usr/bin/python3 with torch 1.13), explained as zoo/each.ts does (the case's domain, default budget), and compared
// with the zoo's own Gemm export: primitive recall and max |program - model| must be the same. Each rewritten model
// is also run against the original on the case's points (`styleErr`: the rewrite itself, 0 up to float32 rounding).
//   node --import tsx bench/exporters.ts [CASE...] [--styles a,b] [--obfuscate none|all|both] [--no-torch] [--exact] [--results FILE]
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { rng } from "../src/util/rng.ts";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import { f32, tensor, type Tensor } from "../src/graph/tensor.ts";
import type { Model } from "../src/graph/graph.ts";
import { readModel } from "../src/onnx/read.ts";
import { writeModel } from "../src/onnx/write.ts";
import { runModel } from "../src/run/interp.ts";
import { runExplain } from "../src/pipeline/explain.ts";
import { allPrimStmts } from "../src/program/program.ts";
import { domainFlag, type Domain, type OutputKind } from "../zoo/case.ts";
import { decodeNpy } from "../src/data/npy.ts";
import { TRAINED_DIR } from "../zoo/zoo.ts";
import { CASES, findCase } from "../zoo/cases/index.ts";
import { generateCase } from "../zoo/generate.ts";
import { ORDER } from "../zoo/obfuscate.ts";
import { PLUMBING, satisfied, signatures } from "../zoo/score.ts";
import { STYLES, type ExporterStyle } from "../zoo/exporter-styles.ts";

/** One explained (case, obfuscation, style) cell. */
interface Cell {
  style: string;
  recall: number | null;
  maxAbsErr: number | null;
  /** max |rewritten model - original model| on the case's points (the rewrite's own error). */
  styleErr: number | null;
  /** Recall and opaque layers equal to the gemm export's and error within max(2x, + styleErr + 1e-6 x output scale) of it. */
  same: boolean | null;
  opaque: number | null;
  /** The primitive signatures the program names, with counts, plumbing left out (for cases whose truth requires none:
   *  must equal the Gemm export's). */
  found?: string;
  /** Held-out top-1 agreement with the model, for classifiers. */
  top1?: number | null;
  error?: string;
}

/** One network to sweep: a compiled case (no obfuscation or all of them) or a trained one, with what scoring needs. */
interface Subject {
  name: string;
  obf: "none" | "all" | "trained";
  model: Model;
  /** Rows of the flattened input: the case's domain samples, or the trained case's data. */
  points: number[][];
  domain: Domain;
  inputShape: number[];
  output: OutputKind;
  primitives: string[];
  /** The outputs' scale (at least 1), for the rounding allowance. */
  scale: number;
}

/** The small trained cases whose truth names primitives (flat input, one Gemm chain), and the MNIST MLP and CNN (no
 *  primitive asked for: the kinds their programs name, plumbing left out, must be the Gemm export's). */
const TRAINED = ["abs_trained", "max2_trained", "clamp_trained", "and3_trained", "xor_trained", "parity4_trained", "sort3_trained", "mnist_mlp", "mnist_cnn"];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    styles: { type: "string" }, obfuscate: { type: "string", default: "both" }, seed: { type: "string", default: "1" },
    "no-torch": { type: "boolean", default: false }, exact: { type: "boolean", default: false }, results: { type: "string", default: "bench/results/exporters.json" },
  },
});
const seed = Number(values.seed);
const names = positionals.length ? positionals : [...CASES.map((c) => c.name), ...TRAINED];
const wantStyles = values.styles?.split(",");
const styles = STYLES.filter((s) => !wantStyles || wantStyles.includes(s.name));
const torchOpsets = values["no-torch"] ? [] : [9, 11, 17].filter((o) => !wantStyles || wantStyles.includes(`torch-opset${o}`));
const obfSets = values.obfuscate === "both" ? [[], [...ORDER]] : values.obfuscate === "all" ? [[...ORDER]] : [[]];

/** Input rows as the model expects them: [n, ...shape], permuted to the style's layout, in the input's dtype. */
function inputTensor(g: Subject, model: Model, perm?: number[]): Tensor {
  const shape = g.inputShape;
  let rows = g.points;
  let dims = [...shape];
  if (perm) {
    dims = perm.map((p) => shape[p]);
    const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
    rows = g.points.map((r) => {
      const out: number[] = [];
      const idx = new Array<number>(dims.length).fill(0);
      for (let k = 0; k < r.length; k++) {
        out.push(r[idx.reduce((a, v, i) => a + v * strides[perm[i]], 0)]);
        for (let d = dims.length - 1; d >= 0 && ++idx[d] === dims[d]; d--) idx[d] = 0;
      }
      return out;
    });
  }
  const dtype = model.graph.inputs[0].dtype;
  return dtype === "float32" ? f32([rows.length, ...dims], rows.flat()) : tensor(dtype, [rows.length, ...dims], rows.flat());
}

/** max |a - b| over the first output of two models on the same rows. */
function modelDiff(a: Model, ta: Tensor, b: Model, tb: Tensor): number {
  const ya = runModel(a, { [a.graph.inputs[0].name]: ta })[a.graph.outputs[0].name].data as ArrayLike<number>;
  const yb = runModel(b, { [b.graph.inputs[0].name]: tb })[b.graph.outputs[0].name].data as ArrayLike<number>;
  let m = 0;
  for (let i = 0; i < ya.length; i++) m = Math.max(m, Math.abs(ya[i] - yb[i]));
  return m;
}

/** Explain a model as zoo/each.ts does; recall against the truth's primitives. */
async function explainCell(g: Subject, model: Model, style: string, base: Model, perm?: number[]): Promise<Cell> {
  const flag = domainFlag(g.domain);
  try {
    const x = inputTensor(g, model, perm);
    const s = await runExplain({ model, name: g.name, ...(values.exact ? { exact: true } : {}), ...(flag ? { domain: flag } : { data: [x], dataLabel: "points" }) }, { until: "verify" });
    const counts = new Map<string, number>();
    for (const { stmt } of allPrimStmts(s.program!)) for (const sig of signatures(stmt.prim)) counts.set(sig, (counts.get(sig) ?? 0) + 1);
    const req = g.primitives;
    const styleErr = modelDiff(base, inputTensor(g, base), model, x);
    return {
      style, recall: req.length ? req.filter((r) => satisfied(r, counts)).length / req.length : 1, maxAbsErr: s.fidelity!.maxAbsErr, styleErr, same: null,
      found: [...counts].filter(([k]) => !PLUMBING.has(k)).sort().map(([k, v]) => `${k}x${v}`).join(" "), top1: s.fidelity!.top1Agreement ?? null,
      opaque: s.net!.layers.filter((l) => l.kind === "opaque").length,
    };
  } catch (e) {
    return { style, recall: null, maxAbsErr: null, styleErr: null, same: false, opaque: null, error: (e as Error).message };
  }
}

/** Real torch.onnx.export of every generated model at each opset, through one python process. */
function torchExports(gens: Subject[], dir: string): Map<string, Model> {
  const out = new Map<string, Model>();
  if (!torchOpsets.length) return out;
  const jobs = gens.map((g, k) => {
    const src = join(dir, `${k}.onnx`);
    writeModel(g.model, src);
    return { src, outs: torchOpsets.map((o) => ({ opset: o, path: join(dir, `${k}.torch${o}.onnx`) })) };
  });
  writeFileSync(join(dir, "jobs.json"), JSON.stringify(jobs));
  execFileSync("/usr/bin/python3", ["bench/exporters_torch.py", join(dir, "jobs.json")], { stdio: ["ignore", "ignore", "inherit"] });
  jobs.forEach((j, k) => j.outs.forEach((o) => out.set(`${k}:${o.opset}`, readModel(o.path))));
  return out;
}

/** A trained case from zoo/trained/NAME: its model, truth and data. */
function trainedSubject(name: string): Subject {
  const dir = join(TRAINED_DIR, name);
  const truth = JSON.parse(readFileSync(join(dir, "truth.json"), "utf8"));
  const model = readModel(join(dir, "model.onnx"));
  const shape: number[] = truth.input.shape;
  const width = shape.reduce((a, b) => a * b, 1);
  // MNIST's data.npy is written by `pseudonet zoo`; without it, seeded points of the case's box.
  const u = rng(seed);
  const data = existsSync(join(dir, "data.npy")) ? decodeNpy(readFileSync(join(dir, "data.npy")))
    : f32([256, ...shape], Float64Array.from({ length: 256 * width }, (_, i) => truth.domain.lo[i % width] + u() * (truth.domain.hi[i % width] - truth.domain.lo[i % width])));
  const flat = Array.from(data.data as ArrayLike<number>);
  const points = Array.from({ length: data.shape[0] }, (_, i) => flat.slice(i * width, (i + 1) * width));
  const y = runModel(model, { [model.graph.inputs[0].name]: f32(data.shape, flat) })[model.graph.outputs[0].name].data as ArrayLike<number>;
  return {
    name, obf: "trained", model, points, domain: truth.domain, inputShape: truth.input.shape, output: truth.output.kind, primitives: truth.primitives,
    scale: Math.max(1, ...Array.from(y, Math.abs)),
  };
}

const gens: Subject[] = [];
for (const name of names) {
  if (TRAINED.includes(name) || existsSync(join(TRAINED_DIR, name, "truth.json"))) {
    gens.push(trainedSubject(name));
    continue;
  }
  const def = findCase(name);
  if (!def) throw new Error(`no compiled zoo case '${name}' (or small trained case: ${TRAINED.join(", ")})`);
  for (const obf of obfSets) {
    const g = generateCase(def, seed, obf);
    gens.push({
      name, obf: obf.length ? "all" : "none", model: g.model, points: g.points, domain: def.domain, inputShape: def.inputShape, output: def.output,
      primitives: g.truth.primitives, scale: Math.max(1, ...g.points.flatMap((r) => def.reference(r).map(Math.abs))),
    });
  }
}
const tmp = mkdtempSync(join(tmpdir(), "exporters-"));
const torch = torchExports(gens, tmp);
rmSync(tmp, { recursive: true, force: true });

const rows: { case: string; obfuscations: string; cells: Cell[] }[] = [];
for (const [k, g] of gens.entries()) {
  const obf = g.obf;
  const cells: Cell[] = [];
  const all: [ExporterStyle | string, Model | undefined][] = [...styles.map((s) => [s, undefined] as [ExporterStyle, undefined]), ...torchOpsets.map((o) => [`torch-opset${o}`, torch.get(`${k}:${o}`)] as [string, Model])];
  for (const [st, tm] of all) {
    if (typeof st !== "string" && st.applies && !st.applies(g.model, g.output)) continue;
    const name = typeof st === "string" ? st : st.name;
    let model: Model;
    try {
      model = tm ?? (st as ExporterStyle).rewrite(g.model, seed);
    } catch (e) {
      cells.push({ style: name, recall: null, maxAbsErr: null, styleErr: null, same: false, opaque: null, error: `rewrite: ${(e as Error).message}` });
      continue;
    }
    const perm = typeof st === "string" ? undefined : st.inputPerm?.(g.inputShape);
    if (typeof st !== "string" && st.unsupportedNode) {
      // Expected to fail: one line naming the node (and no explanation of a model pseudonet cannot run).
      const c = await explainCell(g, model, name, g.model, perm);
      c.same = !!c.error && c.error.includes(st.unsupportedNode) && !c.error.includes("\n");
      cells.push(c);
      continue;
    }
    cells.push(await explainCell(g, model, name, g.model, perm));
  }
  const base = cells.find((c) => c.style === "gemm");
  // Signatures a style adds on purpose (softmax-output's softmax) are left out of the comparison.
  const adds = (c: Cell) => STYLES.find((st) => st.name === c.style)?.adds ?? [];
  const foundOf = (c: Cell) => (c.found ?? "").split(" ").filter((f) => f && !adds(c).some((a) => f.startsWith(`${a}x`))).join(" ");
  const scale = g.scale;
  for (const c of cells) {
    if (!base || c.recall === null || base.recall === null || c.error) continue;
    // Rounding level: within 2x of the gemm export's error, or its error plus the rewrite's own float32 rounding.
    c.same = c.recall === base.recall && c.opaque === base.opaque && (g.primitives.length > 0 || foundOf(c) === foundOf(base)) && c.maxAbsErr! <= Math.max(2 * base.maxAbsErr!, base.maxAbsErr! + (c.styleErr ?? 0) + 1e-6 * scale);
  }
  rows.push({ case: g.name, obfuscations: obf, cells });
  const line = cells.map((c) => `${c.style}=${c.error ? "ERR" : `${c.recall!.toFixed(2)}/${c.maxAbsErr!.toExponential(1)}${c.same ? "" : "!"}`}`).join(" ");
  process.stdout.write(`${g.name.padEnd(10)} ${obf.padEnd(5)} ${line}\n`);
  for (const c of cells) if (c.error) process.stdout.write(`   ${c.style}: ${c.error.split("\n")[0].slice(0, 160)}\n`);
}
const differ = rows.flatMap((r) => r.cells.filter((c) => !c.same).map((c) => `${r.case}/${r.obfuscations}/${c.style}`));
process.stdout.write(`\n${rows.reduce((a, r) => a + r.cells.length, 0)} cells, ${differ.length} differ from the gemm export${differ.length ? `: ${differ.join(", ")}` : ""}\n`);
mkdirSync(dirname(values.results!), { recursive: true });
writeFileSync(values.results!, JSON.stringify({ seed, exact: values.exact, styles: [...styles.map((s) => ({ name: s.name, doc: s.doc })), ...torchOpsets.map((o) => ({ name: `torch-opset${o}`, doc: `torch.onnx.export (torch 1.13) at opset ${o}, dynamic batch axis` }))], cases: rows }, null, 1) + "\n");
process.stdout.write(`wrote ${values.results}\n`);

