// One measurement of `npm run bench:scale` (bench/scale.ts), in its own process so its peak memory is its own:
// explain one model on `samples` rows of the normal domain into a temp folder, then run onnxruntime on the same rows
// (the reference). Prints one JSON line: times (wall and this process's CPU time), peak resident memory, sizes, the
// ONNX ops left opaque, fidelity.
// Usage: node --import tsx bench/scale-child.ts MODEL.onnx SAMPLES OUTDIR
import { readModel } from "../src/onnx/read.ts";
import { sizeOf } from "../src/graph/tensor.ts";
import { runExplain } from "../src/pipeline/explain.ts";
import { writeOutputDir } from "../src/pipeline/output-dir.ts";
import { sampleDomain } from "../src/pipeline/domain.ts";
import { ortOutputs } from "../src/verify/reference.ts";

const [file, samplesArg, out] = process.argv.slice(2);
const samples = Number(samplesArg);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const model = readModel(file);
const state = await runExplain({ model, domain: "normal", samples, seed: 0, source: file, outDir: out });
writeOutputDir(out, state.files!);
const explainMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0); // explain's CPU time (every thread of this process): load stretches wall time, not this
const rss = process.resourceUsage().maxRSS; // KiB, the peak so far: explain's
const rows = sampleDomain({ kind: "normal" }, model.graph.inputs, samples, 0).tensors;
const t1 = performance.now();
let ortMs: number | undefined, ortError: string | undefined;
try {
  await ortOutputs(model, rows);
  ortMs = performance.now() - t1;
} catch (e) {
  // onnxruntime refuses some of these files (light ResNet-50: an initializer it expects a NodeArg for); explain
  // checked itself against our interpreter then. The run is kept, without the ratio.
  ortError = e instanceof Error ? e.message.slice(0, 200) : String(e);
}
const params = [...state.normalized!.graph.initializers.values()].reduce((a, t) => a + sizeOf(t.shape), 0);
const body = state.program!.functions.flatMap((f) => f.body);
console.log(JSON.stringify({
  explainMs: Math.round(explainMs), explainCpuMs: Math.round((cpu.user + cpu.system) / 1000), ortMs: ortMs === undefined ? undefined : Math.round(ortMs), ortError, peakRssMiB: Math.round(rss / 1024), params,
  statements: body.length, opaque: body.filter((s) => s.kind === "prim" && s.prim.kind === "opaque").length,
  opaqueOps: [...new Set(body.flatMap((s) => (s.kind === "prim" && s.prim.kind === "opaque" ? s.prim.params.ops : [])))].sort(),
  relErr: state.fidelity!.relErr, passMs: Object.fromEntries(state.reports.filter((r) => r.ms !== undefined).map((r) => [r.pass, Math.round(r.ms!)])),
}));
