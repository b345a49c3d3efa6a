// Every dense op against onnxruntime on seeded random inputs over many attribute combinations; each case
// also checks that the op's shape rule predicts the shapes its kernel produces.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Attr } from "../../../src/graph/graph.ts";
import type { Tensor } from "../../../src/graph/tensor.ts";
import { a, oneNode, randInt, randT, rng, shapeRuleAgrees, vsOrtMany, type NodeCase } from "./harness.ts";
import { runModel } from "../../../src/run/interp.ts";

type R = () => number;
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: R, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const rep = (n: number, f: () => number) => Array.from({ length: n }, f);

/** Check a batch of cases (one onnxruntime session for all); collect every failure so one run shows them all. */
async function expectAll(cases: NodeCase[], rtol = 1e-4, atol = 1e-4): Promise<void> {
  const bad: string[] = [];
  const label = (c: NodeCase) => `${c.op} ${JSON.stringify(Object.fromEntries(Object.entries(c.attrs ?? {}).map(([k, v]) => [k, v.value])))} inputs ${c.inputs.map((t) => (t ? `[${t.shape}]` : "-")).join(" ")}`;
  for (const c of cases) {
    const shape = shapeRuleAgrees(c);
    if (shape) bad.push(`${label(c)}: ${shape}`);
  }
  const diffs = await vsOrtMany(cases, rtol, atol);
  diffs.forEach((d, i) => d && bad.push(`${label(cases[i])}: ${d}`));
  assert.deepEqual(bad, []);
}

describe("Gemm vs onnxruntime", () => {
  it("transposes, alpha, beta and every C broadcast", async () => {
    const r = rng(101);
    const cases: NodeCase[] = [];
    for (let t = 0; t < 14; t++) {
      const m = int(r, 1, 20), k = int(r, 1, 40), n = int(r, 1, 20);
      const transA = r() < 0.5, transB = r() < 0.5;
      const cShape = pick(r, [null, [], [1], [n], [m, 1], [1, n], [m, n]] as const);
      const attrs: Record<string, Attr> = { transA: a.int(transA ? 1 : 0), transB: a.int(transB ? 1 : 0) };
      if (r() < 0.5) attrs.alpha = a.float(pick(r, [0.5, -1.5, 2]));
      if (r() < 0.5) attrs.beta = a.float(pick(r, [0, 0.5, 3]));
      cases.push({
        op: "Gemm", attrs, opset: 13,
        inputs: [randT(r, transA ? [k, m] : [m, k]), randT(r, transB ? [n, k] : [k, n]), cShape ? randT(r, [...cShape]) : undefined],
      });
    }
    cases.push({ op: "Gemm", attrs: { transB: a.int(1) }, opset: 13, inputs: [randT(r, [300, 200]), randT(r, [70, 200]), randT(r, [70])] });
    await expectAll(cases);
  });
});

describe("MatMul vs onnxruntime", () => {
  it("1-D operands, batch broadcasting, shared right operand, big inner dims", async () => {
    const r = rng(102);
    const shapes: [number[], number[]][] = [
      [[7], [7]], [[7], [3, 7, 4]], [[2, 5, 7], [7]], [[2, 1, 5, 7], [3, 7, 4]], [[5, 7], [7, 4]],
      [[1, 5, 7], [4, 7, 6]], [[3, 4, 5, 7], [7, 2]], [[64, 300], [300, 70]], [[2, 3, 1, 9], [1, 9, 33]], [[4, 1, 6], [4, 6, 1]],
    ];
    await expectAll(shapes.map(([sa, sb]) => ({ op: "MatMul", opset: 13, inputs: [randT(r, sa), randT(r, sb)] })));
  });
});

/** Random Conv attributes for n spatial axes; SAME padding only without dilation (onnxruntime refuses the mix). */
function convCase(r: R, n: number): NodeCase {
  const group = pick(r, [1, 1, 2, 3]);
  const depthwise = r() < 0.2;
  const cIn = depthwise ? group * 1 : group * int(r, 1, 3);
  const m = depthwise ? group * int(r, 1, 2) : group * int(r, 1, 3);
  const kernel = rep(n, () => int(r, 1, 3));
  const strides = rep(n, () => int(r, 1, 2));
  const dilations = rep(n, () => (r() < 0.3 ? 2 : 1));
  const spatial = rep(n, () => int(r, 5, n === 3 ? 7 : 11));
  const attrs: Record<string, Attr> = { strides: a.ints(strides) };
  if (r() < 0.5) attrs.kernel_shape = a.ints(kernel);
  if (group > 1) attrs.group = a.int(group);
  const mode = pick(r, ["pads", "pads", "SAME_UPPER", "SAME_LOWER", "VALID", "none"]);
  if (mode === "pads") attrs.pads = a.ints(rep(2 * n, () => int(r, 0, 2)));
  else if (mode !== "none" && (mode === "VALID" || dilations.every((d) => d === 1))) attrs.auto_pad = a.string(mode);
  if (!attrs.auto_pad || attrs.auto_pad.value === "VALID") attrs.dilations = a.ints(dilations);
  return {
    op: "Conv", attrs,
    inputs: [randT(r, [int(r, 1, 3), cIn, ...spatial]), randT(r, [m, cIn / group, ...kernel]), r() < 0.7 ? randT(r, [m]) : undefined],
  };
}

describe("Conv vs onnxruntime", () => {
  for (const n of [1, 2, 3]) {
    it(`${n}-D: groups, depthwise, strides, dilations, pads, auto_pad, optional bias`, async () => {
      const r = rng(200 + n);
      await expectAll(Array.from({ length: n === 2 ? 24 : 12 }, () => convCase(r, n)));
    });
  }

  it("shapes that batch several images per gemm, 1x1 convolutions and LeNet-sized layers", async () => {
    const r = rng(204);
    await expectAll([
      { op: "Conv", inputs: [randT(r, [9, 3, 6, 6]), randT(r, [5, 3, 3, 3]), randT(r, [5])] },
      { op: "Conv", inputs: [randT(r, [3, 16, 5, 7]), randT(r, [8, 16, 1, 1]), randT(r, [8])] },
      { op: "Conv", attrs: { group: a.int(4) }, inputs: [randT(r, [2, 8, 5, 5]), randT(r, [4, 2, 1, 1])] },
      { op: "Conv", attrs: { pads: a.ints([2, 2, 2, 2]) }, inputs: [randT(r, [20, 1, 28, 28]), randT(r, [6, 1, 5, 5]), randT(r, [6])] },
      { op: "Conv", inputs: [randT(r, [20, 6, 14, 14]), randT(r, [16, 6, 5, 5]), randT(r, [16])] },
    ]);
  });
});

describe("ConvTranspose vs onnxruntime", () => {
  it("groups, strides, dilations, pads, output_padding, output_shape, auto_pad (1-D to 3-D)", async () => {
    const r = rng(301);
    const cases: NodeCase[] = [];
    for (let t = 0; t < 24; t++) {
      const n = pick(r, [1, 2, 2, 3]);
      const group = pick(r, [1, 1, 2]);
      const c = group * int(r, 1, 3), mg = int(r, 1, 3);
      const kernel = rep(n, () => int(r, 1, 3));
      const strides = rep(n, () => int(r, 1, 3));
      const dilations = rep(n, () => (r() < 0.3 ? 2 : 1));
      const spatial = rep(n, () => int(r, 2, n === 3 ? 4 : 6));
      const attrs: Record<string, Attr> = { strides: a.ints(strides), dilations: a.ints(dilations) };
      if (group > 1) attrs.group = a.int(group);
      const mode = pick(r, ["pads", "output_padding", "output_shape", "SAME_UPPER", "SAME_LOWER", "VALID"]);
      const full = spatial.map((s, i) => (s - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1);
      if (mode === "pads") attrs.pads = a.ints(rep(2 * n, () => int(r, 0, 1)));
      else if (mode === "output_padding") attrs.output_padding = a.ints(strides.map((s) => int(r, 0, s - 1)));
      else if (mode === "output_shape") attrs.output_shape = a.ints(full.map((f) => Math.max(1, f - int(r, 0, 2))));
      else attrs.auto_pad = a.string(mode);
      cases.push({
        op: "ConvTranspose", attrs,
        inputs: [randT(r, [int(r, 1, 2), c, ...spatial]), randT(r, [c, mg, ...kernel]), r() < 0.6 ? randT(r, [mg * group]) : undefined],
      });
    }
    await expectAll(cases);
  });
});

/** Random pool attributes: pads smaller than the kernel, as onnxruntime requires. */
function poolAttrs(r: R, n: number, withDilation: boolean): Record<string, Attr> {
  const kernel = rep(n, () => int(r, 1, 3));
  const strides = rep(n, () => int(r, 1, 3));
  const attrs: Record<string, Attr> = { kernel_shape: a.ints(kernel), strides: a.ints(strides) };
  const mode = pick(r, ["pads", "pads", "SAME_UPPER", "SAME_LOWER", "VALID", "none"]);
  // onnxruntime rejects the negative padding SAME gives when a stride exceeds its kernel.
  const sameOk = strides.every((s, i) => s <= kernel[i]);
  if (mode === "pads") attrs.pads = a.ints([...kernel, ...kernel].map((k) => int(r, 0, k - 1)));
  else if (mode.startsWith("SAME") && !sameOk) attrs.pads = a.ints(rep(2 * n, () => 0));
  else if (mode !== "none") attrs.auto_pad = a.string(mode);
  if (r() < 0.4) attrs.ceil_mode = a.int(1);
  if (withDilation && !attrs.auto_pad && r() < 0.4) attrs.dilations = a.ints(rep(n, () => int(r, 1, 2)));
  return attrs;
}

describe("pools vs onnxruntime", () => {
  it("MaxPool 1-D to 3-D with dilations, ceil_mode, auto_pad, and Indices in both storage orders", async () => {
    const r = rng(401);
    const cases: NodeCase[] = [];
    for (let t = 0; t < 30; t++) {
      const n = pick(r, [1, 2, 2, 3]);
      const attrs = poolAttrs(r, n, true);
      const indices = r() < 0.5;
      if (indices && r() < 0.5) attrs.storage_order = a.int(1);
      cases.push({ op: "MaxPool", attrs, inputs: [randT(r, [int(r, 1, 2), int(r, 1, 3), ...rep(n, () => int(r, 3, n === 3 ? 5 : 8))])], outputs: indices ? ["float32", "int64"] : ["float32"] });
    }
    cases.push({ op: "MaxPool", attrs: { kernel_shape: a.ints([2, 2]), strides: a.ints([2, 2]) }, inputs: [randInt(r, "uint8", [2, 3, 6, 6], 0, 255)] });
    cases.push({ op: "MaxPool", attrs: { kernel_shape: a.ints([3]), pads: a.ints([1, 1]) }, inputs: [randInt(r, "int8", [2, 3, 7], -128, 127)] });
    await expectAll(cases);
  });

  it("AveragePool 1-D to 3-D with count_include_pad, ceil_mode, dilations and auto_pad", async () => {
    const r = rng(402);
    const cases: NodeCase[] = [];
    for (let t = 0; t < 30; t++) {
      const n = pick(r, [1, 2, 2, 3]);
      const attrs = poolAttrs(r, n, true);
      if (r() < 0.5) attrs.count_include_pad = a.int(1);
      cases.push({ op: "AveragePool", attrs, inputs: [randT(r, [int(r, 1, 2), int(r, 1, 3), ...rep(n, () => int(r, 3, n === 3 ? 5 : 8))])] });
    }
    await expectAll(cases, 1e-4, 1e-5);
  });

  it("GlobalAveragePool and GlobalMaxPool over 1 to 3 spatial axes", async () => {
    const r = rng(403);
    const cases: NodeCase[] = [];
    for (const shape of [[2, 3, 7], [2, 3, 4, 5], [1, 2, 3, 4, 5]]) {
      cases.push({ op: "GlobalAveragePool", inputs: [randT(r, shape)] }, { op: "GlobalMaxPool", inputs: [randT(r, shape)] });
    }
    await expectAll(cases);
  });

  it("MaxUnpool undoes MaxPool's Indices", async () => {
    const r = rng(404);
    const cases: NodeCase[] = [];
    for (const [shape, k, s] of [[[2, 3, 6, 6], [2, 2], [2, 2]], [[1, 2, 9], [3], [3]], [[1, 2, 4, 6], [2, 3], [2, 3]]] as const) {
      const x = randT(r, [...shape]);
      const { model, feeds } = oneNode({ op: "MaxPool", attrs: { kernel_shape: a.ints([...k]), strides: a.ints([...s]) }, inputs: [x], outputs: ["float32", "int64"] });
      const out = runModel(model, feeds);
      cases.push({ op: "MaxUnpool", attrs: { kernel_shape: a.ints([...k]), strides: a.ints([...s]) }, inputs: [out.out0, out.out1] });
    }
    await expectAll(cases);
  });
});

describe("integer ops vs onnxruntime", () => {
  it("MatMulInteger with scalar and per-column zero points, uint8 and int8", async () => {
    const r = rng(501);
    // uint8 values stay below 128: onnxruntime's u8 x s8 kernel saturates pairwise int16 sums on AVX2
    // (255 * 127 * 2 > 32767); reference.test.ts checks the full range against exact arithmetic.
    const q = (dtype: "uint8" | "int8", shape: number[]): Tensor => randInt(r, dtype, shape, dtype === "uint8" ? 0 : -128, 127);
    await expectAll([
      { op: "MatMulInteger", opset: 10, inputs: [q("uint8", [5, 7]), q("uint8", [7, 3]), q("uint8", []), q("uint8", [])], outputs: ["int32"] },
      { op: "MatMulInteger", opset: 10, inputs: [q("uint8", [2, 5, 33]), q("int8", [33, 9]), q("uint8", []), q("int8", [9])], outputs: ["int32"] },
      { op: "MatMulInteger", opset: 10, inputs: [q("int8", [4, 6]), q("int8", [6, 2])], outputs: ["int32"] },
    ], 0, 0);
  });

  it("ConvInteger with zero points and padding", async () => {
    const r = rng(502);
    const q = (shape: number[]) => randInt(r, "uint8", shape, 0, 255);
    await expectAll([
      { op: "ConvInteger", opset: 10, inputs: [q([1, 3, 7, 7]), q([4, 3, 3, 3]), q([]), q([])], outputs: ["int32"] },
      { op: "ConvInteger", opset: 10, attrs: { strides: a.ints([2, 1]) }, inputs: [q([2, 2, 6, 5]), q([3, 2, 2, 2]), q([])], outputs: ["int32"] },
    ], 0, 0);
  });
});
