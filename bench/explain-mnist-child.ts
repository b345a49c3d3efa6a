// One run of `npm run bench:explain-mnist` (bench/explain-mnist.ts), in its own process so its CPU time is its own:
// `pseudonet explain` of the trained MNIST MLP on the given .npy through the CLI's own function, then one JSON line:
// the process's CPU time (user + system, every thread; from process start: module loading included), explain's,
// timings.json's per-pass CPU and wall times, and the reference: one forward pass over the same rows.
// Usage: node --import tsx bench/explain-mnist-child.ts MODEL.onnx DATA.npy OUTDIR
import { readFileSync } from "node:fs";
import path from "node:path";
import { explainCommand } from "../src/cli/explain.ts";
import { readModel } from "../src/onnx/read.ts";
import { decodeNpy } from "../src/data/npy.ts";
import { runModel } from "../src/run/interp.ts";

const [model, data, out] = process.argv.slice(2);
const t0 = performance.now(), c0 = process.cpuUsage();
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = () => true; // the command's summary; this process prints one JSON line
await explainCommand(model, { out, data: [data], seed: 0, samples: 1000, weightsFile: "auto" });
process.stdout.write = write;
const c = process.cpuUsage(c0), all = process.cpuUsage();
// The reference in the same process: one forward pass of the model over the same rows (our interpreter, SIMD gemm).
const m = readModel(model), x = decodeNpy(readFileSync(data));
const r0 = process.cpuUsage();
runModel(m, { [m.graph.inputs[0].name]: x });
const r = process.cpuUsage(r0);
const timings = JSON.parse(readFileSync(path.join(out, "timings.json"), "utf8")) as { passes: { pass: string; ms: number; cpuMs?: number }[]; totalCpuMs: number; totalMs: number };
console.log(JSON.stringify({
  explainMs: Math.round(performance.now() - t0), explainCpuMs: Math.round((c.user + c.system) / 1000), processCpuMs: Math.round((all.user + all.system) / 1000),
  forwardCpuMs: Math.round((r.user + r.system) / 1000),
  timings, programTxt: readFileSync(path.join(out, "program.txt"), "utf8").split(out).join("OUT"), // (it names its folder)
}));
