// Explanations written by hand for the scorer tests: a perfect one (the truth program, each statement
// tied to the units of its module, fidelity measured) and a plain weight dump (one affine per layer).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { f32 } from "../../src/graph/tensor.ts";
import { compareAll } from "../../src/verify/metrics.ts";
import { ortRun } from "../../src/run/ort.ts";
import { programFromJson, stringifyProgram } from "../../src/program/json.ts";
import { printProgram } from "../../src/program/printer.ts";
import { runProgram } from "../../src/program/run.ts";
import type { Fn, NetSlice, Program, Stmt, Weight } from "../../src/program/program.ts";
import type { Generated } from "../../zoo/generate.ts";
import { DEAD } from "../../zoo/units.ts";

/** Slice covering the live units of one module label (or every live unit when label is undefined). */
export function moduleSlice(g: Generated, label?: string): NetSlice {
  const layers: NetSlice["layers"] = [];
  for (const m of g.truth.modules) {
    const units = m.labels.flatMap((l, i) => (l !== DEAD && (label === undefined || l === label) ? [i] : []));
    if (units.length) for (const id of m.ids) layers.push({ id, units });
  }
  return { layers, weights: [] };
}

/** Measure a program against the model with onnxruntime on the case's domain samples. */
async function withFidelity(g: Generated, p: Program): Promise<Program> {
  const x = f32([g.points.length, ...g.def.inputShape], g.points.flat());
  const want = (await ortRun(g.model, { x })).y;
  const [got] = runProgram(p, [x]);
  return { ...p, fidelity: compareAll(["y"], [want], [got], "domain samples") };
}

/** The truth program with the statements named in `slices` tied to their modules' units. */
export async function perfectExplanation(g: Generated, slices: Record<string, string | null>): Promise<Program> {
  const p = programFromJson(g.truth.program);
  const entry = p.functions.find((f) => f.name === p.entry)!;
  for (const s of entry.body) {
    if (s.kind === "prim" && s.out.name in slices) {
      const label = slices[s.out.name];
      s.prim.slice = moduleSlice(g, label ?? undefined);
    }
  }
  return withFidelity(g, p);
}

/** A weight dump: `h_k = relu(W_k @ h_{k-1} + b_k)` for every layer of the (single-branch) network. */
export async function weightDump(g: Generated): Promise<Program> {
  const br = g.net.branches[0];
  const body: Stmt[] = [];
  let prev = "x";
  if (g.def.inputShape.length > 1) {
    body.push({ kind: "prim", out: { name: "xf", type: { kind: "vec", n: g.def.inputShape.reduce((a, b) => a * b, 1) } }, args: ["x"], prim: { kind: "reshape", params: { shape: [g.def.inputShape.reduce((a, b) => a * b, 1)] }, id: "p0", slice: { layers: [], weights: [] }, error: 0 } });
    prev = "xf";
  }
  br.layers.forEach((l, k) => {
    if (l.kind !== "dense") throw new Error("weightDump: dense layers only");
    const W: Weight = { name: `W${k + 1}`, shape: [l.nOut, l.nIn], data: Float32Array.from(l.W) };
    const b: Weight = { name: `b${k + 1}`, shape: [l.nOut], data: Float32Array.from(l.b) };
    const m = g.truth.modules[k];
    const out = k === br.layers.length - 1 ? "y" : `h${k + 1}`;
    body.push({
      kind: "prim", out: { name: out, type: { kind: "vec", n: l.nOut } }, args: [prev],
      prim: { kind: "affine", params: { W, b, ...(l.relu ? { act: { fn: "relu" } } : {}) }, id: `p${k + 1}`, slice: { layers: m ? m.ids.map((id) => ({ id, units: null })) : [], weights: [W, b] }, error: 0 },
    });
    prev = out;
  });
  const main: Fn = { name: "main", params: [{ name: "x", type: g.def.inputShape.length === 3 ? { kind: "image", c: g.def.inputShape[0], h: g.def.inputShape[1], w: g.def.inputShape[2] } : { kind: "vec", n: g.def.inputShape[0] } }], body, returns: ["y"] };
  const p: Program = {
    name: g.def.name, entry: "main", functions: [main],
    inputs: [{ name: "x", dtype: "float32", shape: [...g.def.inputShape], batchDim: "batch" }],
    outputs: [{ name: "y", dtype: "float32", shape: [g.def.outputSize], batchDim: "batch" }],
  };
  return withFidelity(g, p);
}

/** Write a program as an explanation folder (program.json and program.txt). */
export function writeExplanation(dir: string, p: Program): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "program.json"), stringifyProgram(p));
  writeFileSync(join(dir, "program.txt"), printProgram(p));
  return dir;
}
