// The two structural obfuscations: convolutions written out as dense layers, and side-by-side
// branches merged into shared layers with their units interleaved.
import type { ObfContext, ObfRecord } from "./obfuscate.ts";
import { mainLabel } from "./units.ts";
import { boundsBefore, convOutHW, dense, intervalLayer, type Branch, type ConvLayer, type DenseLayer, type ZooNet } from "./net.ts";

/** A conv layer as the equivalent dense layer over the flattened [c, h, w] input (Toeplitz weights). */
export function convAsDense(l: ConvLayer): DenseLayer {
  const [ic, h, w] = l.inShape;
  const [kh, kw] = l.kernel;
  const [oh, ow] = convOutHW(l);
  const nIn = ic * h * w;
  const nOut = l.outChannels * oh * ow;
  const W = new Float64Array(nOut * nIn);
  const b = new Float64Array(nOut);
  const modules: string[] = [];
  for (let o = 0; o < l.outChannels; o++) {
    for (let r = 0; r < oh; r++) {
      for (let c = 0; c < ow; c++) {
        const row = (o * oh + r) * ow + c;
        b[row] = l.bias[o];
        modules.push(l.modules[o]);
        for (let ch = 0; ch < ic; ch++) {
          for (let i = 0; i < kh; i++) {
            const y = r * l.stride - l.pad + i;
            if (y < 0 || y >= h) continue;
            for (let j = 0; j < kw; j++) {
              const x = c * l.stride - l.pad + j;
              if (x >= 0 && x < w) W[row * nIn + (ch * h + y) * w + x] = l.weight[((o * ic + ch) * kh + i) * kw + j];
            }
          }
        }
      }
    }
  }
  return { kind: "dense", nIn, nOut, W, b, relu: l.relu, modules };
}

/** Replace every conv layer by its dense equivalent (the Flatten moves to the input). */
export function convToDense(net: ZooNet): ObfRecord | null {
  const done: { branch: string; layer: number; units: number }[] = [];
  for (const br of net.branches) {
    br.layers = br.layers.map((l, k) => {
      if (l.kind !== "conv") return l;
      const d = convAsDense(l);
      done.push({ branch: br.name || "main", layer: k, units: d.nOut });
      return d;
    });
  }
  if (!done.length) return null;
  return { name: "conv2dense", summary: `${done.length} conv layer(s) written as dense layers`, params: { layers: done } };
}

/** A branch lengthened to `depth` layers: its output goes through ReLU pass-through units (two for a value that can be negative). */
function padBranch(br: Branch, depth: number, lo: Float64Array, hi: Float64Array): number {
  const m = br.layers.length;
  if (m >= depth) return 0;
  const last = br.layers[m - 1];
  if (last.kind !== "dense") throw new Error(`interleave: branch ${br.name} ends in a conv layer`);
  const { lo: l, hi: h } = boundsBefore(br, m - 1, lo, hi);
  const { preLo } = intervalLayer(last, l, h);
  const label = mainLabel(br);
  const rows: number[][] = [];
  const bias: number[] = [];
  const outRows: number[][] = [];
  for (let o = 0; o < last.nOut; o++) {
    const r = Array.from(last.W.subarray(o * last.nIn, (o + 1) * last.nIn));
    rows.push(r);
    bias.push(last.b[o]);
    outRows.push([o, 1]);
    if (preLo[o] < 0) {
      rows.push(r.map((v) => -v));
      bias.push(-last.b[o]);
      outRows.push([o, -1]);
    }
  }
  const n = rows.length;
  const layers = [...br.layers.slice(0, -1), dense(rows, bias, true, new Array(n).fill(label))];
  const eye = (k: number) => Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? 1 : 0)));
  while (layers.length < depth - 1) layers.push(dense(eye(n), new Array(n).fill(0), true, new Array(n).fill(label)));
  const outW = Array.from({ length: last.nOut }, (_, o) => outRows.map(([oo, s]) => (oo === o ? s : 0)));
  layers.push(dense(outW, new Array(last.nOut).fill(0), false, new Array(last.nOut).fill("out")));
  br.layers = layers;
  return (depth - m) * n;
}

/** Merge all branches into one stack of layers with block-diagonal weights and interleaved units. */
export function interleave(net: ZooNet, cx: ObfContext): ObfRecord | null {
  if (net.branches.length < 2) return null;
  if (net.branches.some((br) => br.layers.some((l) => l.kind === "conv"))) throw new Error("interleave: write conv layers as dense first");
  const names = net.branches.map((br) => br.name);
  const depth = Math.max(...net.branches.map((br) => br.layers.length));
  let passThrough = 0;
  for (const br of net.branches) passThrough += padBranch(br, depth, cx.lo, cx.hi);
  const nInput = net.inputShape.reduce((a, b) => a * b, 1);
  // prevPos[b][v]: where unit v of branch b's previous layer sits in the merged previous layer.
  let prevPos: number[][] = net.branches.map((br) => {
    const start = br.slice ? br.slice[0] : 0;
    const len = br.slice ? br.slice[1] - br.slice[0] : nInput;
    return Array.from({ length: len }, (_, i) => start + i);
  });
  let prevSize = nInput;
  const merged: DenseLayer[] = [];
  for (let k = 0; k < depth; k++) {
    const ls = net.branches.map((br) => br.layers[k] as DenseLayer);
    const isOut = k === depth - 1;
    // Hidden layers: round-robin over branches; the output layer keeps the concatenation order.
    const order: [number, number][] = [];
    if (isOut) ls.forEach((l, b) => { for (let u = 0; u < l.nOut; u++) order.push([b, u]); });
    else for (let u = 0; order.length < ls.reduce((s, l) => s + l.nOut, 0); u++) ls.forEach((l, b) => { if (u < l.nOut) order.push([b, u]); });
    const rows = order.map(([b, u]) => {
      const r = new Array<number>(prevSize).fill(0);
      for (let i = 0; i < ls[b].nIn; i++) r[prevPos[b][i]] = ls[b].W[u * ls[b].nIn + i];
      return r;
    });
    merged.push(dense(rows, order.map(([b, u]) => ls[b].b[u]), !isOut, order.map(([b, u]) => ls[b].modules[u])));
    prevPos = ls.map(() => []);
    order.forEach(([b, u], pos) => (prevPos[b][u] = pos));
    prevSize = order.length;
  }
  net.branches = [{ name: "", layers: merged }];
  return {
    name: "interleave",
    summary: `${names.length} submodules merged into one stack of ${depth} layers, units interleaved (${passThrough} pass-through units added)`,
    params: { branches: names, depth, passThroughUnits: passThrough },
  };
}
