// Hand-made ReLU nets for the slice recognisers: programs compiled to dense layers by the zoo's compiler, turned
// into Net IR, optionally obfuscated the way training leaves nets (units permuted, rescaled, split into copies,
// dead units added), then explained by buildProgram with probe statistics of box samples.
import type { Tensor } from "../../src/graph/tensor.ts";
import type { Layer, Net } from "../../src/net/net.ts";
import { runNet } from "../../src/net/run.ts";
import { probe } from "../../src/passes/probe.ts";
import { buildProgram } from "../../src/program/build.ts";
import type { Program } from "../../src/program/program.ts";
import { runProgram } from "../../src/program/run.ts";
import { rng } from "../../src/util/rng.ts";
import { compileNet, type Compiler, type Lin } from "../../zoo/compile.ts";

/** Dense layers as plain arrays: y = W x + b, then relu when `relu`. */
export interface Dense {
  W: number[][];
  b: number[];
  relu: boolean;
}

/** The dense layers of a program compiled over the box [lo, hi]^n. */
export function compiled(n: number, lo: number, hi: number, body: (C: Compiler, xs: Lin[]) => Lin[]): Dense[] {
  const z = compileNet(new Array(n).fill(lo), new Array(n).fill(hi), body);
  return z.branches[0].layers.map((l) => {
    if (l.kind !== "dense") throw new Error("compiled: expected dense layers");
    return { W: Array.from({ length: l.nOut }, (_, o) => Array.from(l.W.subarray(o * l.nIn, (o + 1) * l.nIn))), b: Array.from(l.b), relu: l.relu };
  });
}

export type Obfuscation = "permute" | "rescale" | "split" | "dead";

/** Apply obfuscations to the hidden units (exact: the function is unchanged on the box [lo, hi]^n). */
export function obfuscate(layers: Dense[], kinds: readonly Obfuscation[], seed: number, lo = -1, hi = 1): Dense[] {
  const r = rng(seed);
  let ls = layers.map((l) => ({ W: l.W.map((row) => [...row]), b: [...l.b], relu: l.relu }));
  for (let k = 0; k + 1 < ls.length; k++) {
    if (!ls[k].relu) continue;
    const cur = ls[k], next = ls[k + 1];
    if (kinds.includes("split")) {
      // unit u -> copies with in-weights * a_j and out-weights * t_j / a_j, sum t_j = 1
      const n = cur.W.length;
      for (let u = 0; u < n; u++) {
        if (r() > 0.5) continue;
        const a = 0.5 + r(), t = 0.2 + 0.6 * r();
        cur.W.push(cur.W[u].map((w) => w * a));
        cur.b.push(cur.b[u] * a);
        next.W.forEach((row) => { row.push((row[u] * (1 - t)) / a); row[u] *= t; });
      }
    }
    if (kinds.includes("dead")) {
      // a unit biased below its interval maximum over the box: never active
      const nIn = cur.W[0].length;
      const w = Array.from({ length: nIn }, () => 2 * r() - 1);
      const bound = k === 0 ? w.reduce((s, v) => s + Math.abs(v) * Math.max(Math.abs(lo), Math.abs(hi)), 0) : 1e6;
      cur.W.push(k === 0 ? w : w.map(() => 0));
      cur.b.push(-bound - 0.5);
      next.W.forEach((row) => row.push(2 * r() - 1));
    }
    if (kinds.includes("rescale")) {
      cur.W.forEach((row, u) => {
        const c = Math.exp((2 * r() - 1) * Math.log(4));
        cur.W[u] = row.map((w) => w * c);
        cur.b[u] *= c;
        next.W.forEach((nrow) => (nrow[u] /= c));
      });
    }
    if (kinds.includes("permute")) {
      const n = cur.W.length;
      const p = Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [p[i], p[j]] = [p[j], p[i]]; }
      ls[k] = { W: p.map((i) => cur.W[i]), b: p.map((i) => cur.b[i]), relu: true };
      ls[k + 1] = { ...next, W: next.W.map((row) => p.map((i) => row[i])) };
    }
  }
  return ls;
}

/** The Net of dense layers over an input `x` of width n (layer ids fc1, relu1, ...). */
export function toNet(layers: Dense[], n: number): Net {
  const out: Layer[] = [];
  let prev = "x";
  layers.forEach((l, k) => {
    const nOut = l.W.length, nIn = l.W[0]?.length ?? n;
    out.push({ kind: "affine", id: `fc${k + 1}`, inputs: [prev], shape: [nOut], dtype: "float32", origin: [], W: Float32Array.from(l.W.flat()), b: Float32Array.from(l.b), inFeatures: nIn, outFeatures: nOut });
    prev = `fc${k + 1}`;
    if (l.relu) {
      out.push({ kind: "act", fn: "relu", id: `relu${k + 1}`, inputs: [prev], shape: [nOut], dtype: "float32", origin: [] });
      prev = `relu${k + 1}`;
    }
  });
  return { inputs: [{ name: "x", dtype: "float32", shape: [n], batchDim: "N" }], layers: out, outputs: [{ name: "y", from: prev }] };
}

/** Uniform samples of [lo, hi]^n (seeded), or `accept`ed ones only. */
export function boxSamples(n: number, rows: number, lo: number, hi: number, seed: number, accept?: (x: number[]) => boolean): Tensor {
  const r = rng(seed);
  const data: number[] = [];
  while (data.length < rows * n) {
    const x = Array.from({ length: n }, () => lo + (hi - lo) * r());
    if (!accept || accept(x)) data.push(...x);
  }
  return { dtype: "float32", shape: [rows, n], data: Float32Array.from(data) };
}

/** Explain a Net on box samples (probe, then build with the box known unless `dataOnly`) and measure the
 *  program against the Net on fresh samples. */
export function explainNet(net: Net, n: number, lo: number, hi: number, seed = 1, opts: { dataOnly?: boolean; accept?: (x: number[]) => boolean } = {}): { program: Program; maxErr: number } {
  const data = boxSamples(n, 400, lo, hi, seed, opts.accept);
  const { stats } = probe({ net, data: { x: data } });
  // The slice recognisers alone (the module builder, tried first by default, is tested in its own file).
  const { program } = buildProgram(net, { stats, modules: false, ...(opts.dataOnly ? {} : { box: { lo, hi } }) });
  const test = boxSamples(n, 300, lo, hi, seed + 1000, opts.accept);
  const want = runNet(net, { x: test }).outputs.y.data as Float32Array;
  const got = runProgram(program, [test])[0].data as Float32Array;
  let maxErr = 0;
  for (let i = 0; i < want.length; i++) maxErr = Math.max(maxErr, Math.abs(want[i] - got[i]));
  return { program, maxErr };
}
