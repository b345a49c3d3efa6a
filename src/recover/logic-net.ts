// Whole boolean networks: a Net with one bits input whose every output entry is within a quarter of 0 or 1 at
// every point of {0,1}^n (n <= 16; beyond, at every analysis sample) computes a boolean function, whatever its layers look like (ReLU slices,
// or the skips and concatenations simplification leaves). Its truth tables, read by running the Net on all 2^n
// points, are minimised to gates over the input bits (logic-min.ts):
//   net(x) = formula(x) + r(x) for every x in {0,1}^n, r = what the units compute beyond 0/1
// The tables cover the whole domain, so the formula is the Net's function there; r (the Net's own layers minus
// the gates, a residual function) is kept unless it is at rounding level, its size measured at every point.
// More than 16 bits: only a parity is fitted (Gaussian elimination over GF(2)) and checked on the samples,
// and the program says so.
import type { Tensor } from "../graph/tensor.ts";
import { runNet } from "../net/run.ts";
import type { Formula } from "./logic-formula.ts";
import { fitParity, MAX_TABLE_INPUTS, minimiseTable } from "./logic-min.ts";
import { BIT_TOL, buildFormula } from "./logic.ts";
import { SymView, type Lin } from "./symbolic.ts";
import { emitWhole, type WholeNetBuilt, type WholeNetCtx } from "./whole-net.ts";

/** The Net's single vector input when it is bits (declared, or every analysis sample 0/1). */
function bitsInput(ctx: WholeNetCtx): { name: string; n: number } | undefined {
  const { net } = ctx;
  if (net.inputs.length !== 1 || net.outputs.length !== 1) return undefined;
  const inp = net.inputs[0];
  if (inp.shape.length !== 1 || inp.shape[0] < 1 || inp.dtype !== "float32") return undefined;
  if (!ctx.bits) {
    const t = ctx.stats?.sample.inputs[inp.name];
    if (!t || !(t.data as Float32Array).every((x) => x === 0 || x === 1)) return undefined;
  }
  return { name: inp.name, n: inp.shape[0] };
}

/** The points the function is read on: every point of {0,1}^n (n <= 16), else the analysis samples. */
function points(inp: { name: string; n: number }, ctx: WholeNetCtx): { x: Float32Array; rows: number; where: string } | undefined {
  if (inp.n <= MAX_TABLE_INPUTS) {
    const P = 1 << inp.n;
    const x = new Float32Array(P * inp.n);
    for (let p = 0; p < P; p++) for (let i = 0; i < inp.n; i++) x[p * inp.n + i] = (p >>> i) & 1;
    return { x, rows: P, where: `all ${P} points of {0,1}^${inp.n}` };
  }
  const t = ctx.stats?.sample.inputs[inp.name];
  if (!t) return undefined;
  const rows = t.shape[0];
  return { x: t.data as Float32Array, rows, where: `the ${rows} analysis samples only (2^${inp.n} points are too many to list)` };
}

/** Build the whole Net as gates over its input bits, the output named `outName`; undefined when it is not boolean.
 *  Up to 16 bits the truth tables are complete and minimised; beyond, a parity is fitted on the samples. */
export function buildLogicNet(ctx: WholeNetCtx, outName: string, residualIndex: () => number): WholeNetBuilt | undefined {
  const inp = bitsInput(ctx);
  const net = ctx.net;
  const outLayer = net.layers.find((l) => l.id === net.outputs[0].from);
  if (!inp || !outLayer || outLayer.shape.length !== 1 || outLayer.dtype !== "float32" || !net.layers.some((l) => l.kind === "act")) return undefined;
  const pts = points(inp, ctx);
  if (!pts) return undefined;
  const m = outLayer.shape[0];
  const feed: Tensor = { dtype: "float32", shape: [pts.rows, inp.n], data: pts.x };
  const y = runNet(net, { [inp.name]: feed }).outputs[net.outputs[0].name].data as Float32Array;
  const formulas: Formula[] = [];
  let error = 0, scale = 0;
  for (let j = 0; j < m; j++) {
    const values = new Uint8Array(pts.rows);
    for (let p = 0; p < pts.rows; p++) {
      const v = y[p * m + j];
      const b = v > 0.5 ? 1 : 0;
      if (!(Math.abs(v - b) <= BIT_TOL)) return undefined;
      values[p] = b;
      error = Math.max(error, Math.abs(v - b));
      scale = Math.max(scale, Math.abs(v));
    }
    const f = inp.n <= MAX_TABLE_INPUTS
      ? minimiseTable({ n: inp.n, values })
      : pts.rows >= 2 * inp.n ? fitParity(inp.n, Array.from({ length: pts.rows }, (_, r) => Uint8Array.from(pts.x.subarray(r * inp.n, (r + 1) * inp.n))), [...values]) : undefined;
    if (!f) return undefined;
    formulas.push(f);
  }
  const view = new SymView();
  const srcs = Array.from({ length: inp.n }, (_, i) => view.atom("src", [], [], { src: { value: inp.name, index: i }, lo: 0, hi: 1 }).id);
  const outs: Lin[] = formulas.map((f) => buildFormula(f, srcs, view));
  return emitWhole(ctx, view, outs, outName, error, scale, pts.where, residualIndex);
}
