// `npm run bench`: our interpreter against onnxruntime-node in one process, on seeded inputs.
// (a) MLP 784-256-256-10 and (b) LeNet-5, batch 1000, built in code; (c) the largest corpus models,
// loaded from ../shared/corpus/models. The two engines run alternately (so both see the same machine load);
// medians of several runs after warm-up are written to bench/results/run.json.
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as ort from "onnxruntime-node";
import type { Model } from "../src/graph/graph.ts";
import type { Tensor } from "../src/graph/tensor.ts";
import { UserError } from "../src/errors.ts";
import { readModel, readTensorFile } from "../src/onnx/read.ts";
import { encodeModel } from "../src/onnx/write.ts";
import { checkSupported, runModel } from "../src/run/interp.ts";
import { fromOrt, toOrt } from "../src/run/ort.ts";
import { lenet5, mlp, normals, randomTensor } from "./models.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const CORPUS_MODELS = ["genre_mlp_velardo_lesson14", "mnist_cnn_batchnorm_burn", "super_resolution_pytorch", "nnsplit_bilstm_tract"];

interface Timing {
  /** Median wall time of one run, ms. */
  medianMs: number;
  runs: number;
}

interface CaseResult {
  name: string;
  what: string;
  ours?: Timing & { loadMs?: number };
  ort?: Timing & { loadMs?: number };
  /** ours / ort on the median run time. */
  ratio?: number;
  /** Largest |ours - ort| over the outputs: the two engines must agree for the timing to mean anything. */
  maxAbsDiff?: number;
  skipped?: string;
}

/** Median times of two functions, run alternately after warm-up so both see the same machine load. */
async function timePair(a: () => unknown, b: () => unknown): Promise<[Timing, Timing]> {
  const once = async (fn: () => unknown) => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };
  const first = (await once(a)) + (await once(b));
  const warm = first > 4000 ? 0 : 2;
  for (let i = 0; i < warm; i++) {
    await once(a);
    await once(b);
  }
  const runs = Math.max(3, Math.min(25, Math.floor(6000 / Math.max(first, 1))));
  const ta: number[] = [], tb: number[] = [];
  for (let i = 0; i < runs; i++) {
    ta.push(await once(a));
    tb.push(await once(b));
  }
  const median = (ts: number[]) => ts.sort((x, y) => x - y)[Math.floor(ts.length / 2)];
  return [{ medianMs: median(ta), runs }, { medianMs: median(tb), runs }];
}

function maxAbsDiff(a: Record<string, Tensor>, b: Record<string, Tensor>): number {
  let worst = 0;
  for (const [k, t] of Object.entries(a)) {
    const u = b[k];
    if (!u || u.data.length !== t.data.length) return Infinity;
    for (let i = 0; i < t.data.length; i++) worst = Math.max(worst, Math.abs(Number(t.data[i]) - Number(u.data[i])));
  }
  return worst;
}

/** Time both engines on one model and its feeds. */
async function compare(name: string, what: string, model: Model, feeds: Record<string, Tensor>, bytes?: Uint8Array): Promise<CaseResult> {
  const tl = performance.now();
  const session = await ort.InferenceSession.create(bytes ?? encodeModel(model), { logSeverityLevel: 3 });
  const ortLoad = performance.now() - tl;
  const ortFeeds = Object.fromEntries(session.inputNames.map((n) => [n, toOrt(feeds[n], n)]));
  const outNames = model.graph.outputs.map((o) => o.name);
  const oursOut = runModel(model, feeds);
  const ortRaw = await session.run(ortFeeds);
  const ortOut = Object.fromEntries(outNames.map((n) => [n, fromOrt(ortRaw[n], n)]));
  const [ours, ref] = await timePair(() => runModel(model, feeds), () => session.run(ortFeeds));
  return {
    name, what,
    ours, ort: { ...ref, loadMs: ortLoad },
    ratio: ours.medianMs / ref.medianMs,
    maxAbsDiff: maxAbsDiff(oursOut, ortOut),
  };
}

async function synthetic(): Promise<CaseResult[]> {
  const batch = 1000;
  const rnd = normals(7);
  return [
    await compare("mlp", "MLP 784-256-256-10, batch 1000", mlp(1), { x: randomTensor(rnd, [batch, 784]) }),
    await compare("lenet5", "LeNet-5 CNN, batch 1000", lenet5(2), { x: randomTensor(rnd, [batch, 1, 28, 28]) }),
  ];
}

async function corpus(): Promise<CaseResult[]> {
  const dir = path.resolve(here, "../../shared/corpus/models");
  if (!existsSync(dir)) return [{ name: "corpus", what: "corpus models", skipped: `no corpus at ${dir}` }];
  const out: CaseResult[] = [];
  for (const name of CORPUS_MODELS) {
    const folder = path.join(dir, name);
    const file = path.join(folder, "model.onnx");
    try {
      const tl = performance.now();
      const model = readModel(file);
      const load = performance.now() - tl;
      checkSupported(model);
      const ds = path.join(folder, "test_data_set_0");
      const inputs = readdirSync(ds).filter((f) => /^input_\d+\.pb$/.test(f)).sort();
      const feeds: Record<string, Tensor> = {};
      inputs.forEach((f, i) => (feeds[model.graph.inputs[i].name] = readTensorFile(path.join(ds, f)).tensor));
      const shapes = Object.values(feeds).map((t) => `${t.dtype}[${t.shape.join(",")}]`).join(" ");
      const r = await compare(name, `corpus model, input ${shapes}`, model, feeds, readFileSync(file));
      if (r.ours) r.ours.loadMs = load;
      out.push(r);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      out.push({ name, what: "corpus model", skipped: e.message.split(". Supported ops")[0] });
    }
  }
  return out;
}

function table(rows: CaseResult[]): string {
  const f = (x: number | undefined, d = 2) => (x === undefined ? "-" : x.toFixed(d));
  const lines = ["case                          ours ms    ort ms   ratio  max|diff|  load ours/ort ms"];
  for (const r of rows) {
    if (r.skipped) {
      lines.push(`${r.name.padEnd(28)}  skipped: ${r.skipped}`);
      continue;
    }
    lines.push(
      `${r.name.padEnd(28)} ${f(r.ours?.medianMs).padStart(8)} ${f(r.ort?.medianMs).padStart(9)} ${f(r.ratio, 1).padStart(7)}` +
        `  ${(r.maxAbsDiff ?? NaN).toExponential(1).padStart(9)}  ${f(r.ours?.loadMs, 1)}/${f(r.ort?.loadMs, 1)}`,
    );
  }
  return lines.join("\n");
}

const noSimd = Boolean(process.env.PSEUDONET_NO_SIMD);
const cases = [...(await synthetic()), ...(await corpus())];
const result = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? "?", node: process.version },
  onnxruntime: `onnxruntime-node ${ort.env.versions.node ?? "?"}, default session options (all graph optimisations, default threads)`,
  loadavg: os.loadavg(),
  // PSEUDONET_NO_SIMD=1 measures the plain-TypeScript kernels; its results go to a file of their own.
  kernels: noSimd ? "plain TypeScript (PSEUDONET_NO_SIMD=1)" : "WebAssembly SIMD sgemm",
  cases,
};
const outFile = path.join(here, "results", noSimd ? "run-nosimd.json" : "run.json");
mkdirSync(path.join(here, "results"), { recursive: true });
writeFileSync(outFile, JSON.stringify(result, null, 2) + "\n");
console.log(table(cases));
console.log(`\nwrote ${path.relative(process.cwd(), outFile)}`);
