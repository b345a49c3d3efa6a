// Dense ops against slow, obviously-correct loops, for what onnxruntime cannot check: dilated SAME
// convolutions (it refuses them), float64 and float16, integer MatMul, the full uint8 x int8 range
// (its AVX2 kernel saturates), per-channel ConvInteger zero points, MaxUnpool with a larger output_shape,
// and the scalar (non-SIMD) gemm path.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Attr, Node } from "../../../src/graph/graph.ts";
import { roundTo, sizeOf, stridesOf, tensor, type DType, type NumericArray, type Tensor } from "../../../src/graph/tensor.ts";
import { OpError } from "../../../src/errors.ts";
import { findOp } from "../../../src/ops/registry.ts";
import { setSimd, simdActive } from "../../../src/ops/util/gemm.ts";
import { mismatch } from "../../helpers/allclose.ts";
import { a, randInt, randT, rng } from "./harness.ts";

function run(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, Attr> = {}, opset = 22): Tensor[] {
  const node: Node = { name: `${op}_ref`, op, domain: "", inputs: inputs.map((t, i) => (t ? `in${i}` : "")), outputs: ["out0"], attrs };
  return findOp(op)!.run(inputs, { node, opset });
}

interface ConvGeom {
  group: number;
  strides: number[];
  dilations: number[];
  padBegin: number[];
  out: number[];
}

/** Direct N-D convolution: y[n, m, o] = b[m] + sum over (c in m's group, taps t) x[n, c, o*s - p + t*d] * w[m, c, t]. */
function refConv(x: Tensor, w: Tensor, b: Tensor | undefined, g: ConvGeom): { shape: number[]; data: Float64Array } {
  const [N, C] = x.shape, M = w.shape[0], cg = C / g.group, mg = M / g.group;
  const sp = x.shape.slice(2), ks = w.shape.slice(2);
  const shape = [N, M, ...g.out];
  const y = new Float64Array(sizeOf(shape));
  const xs = stridesOf(x.shape), ws = stridesOf(w.shape), ys = stridesOf(shape);
  const xd = x.data as NumericArray, wd = w.data as NumericArray;
  const outIdx = (k: number) => g.out.map((_, i) => Math.floor(k / stridesOf(g.out)[i]) % g.out[i]);
  const tapIdx = (k: number) => ks.map((_, i) => Math.floor(k / stridesOf(ks)[i]) % ks[i]);
  for (let n = 0; n < N; n++) for (let m = 0; m < M; m++) for (let o = 0; o < sizeOf(g.out); o++) {
    const oi = outIdx(o);
    let s = b ? (b.data as NumericArray)[m] : 0;
    for (let c = 0; c < cg; c++) for (let t = 0; t < sizeOf(ks); t++) {
      const ti = tapIdx(t);
      const pos = oi.map((v, i) => v * g.strides[i] - g.padBegin[i] + ti[i] * g.dilations[i]);
      if (pos.some((p, i) => p < 0 || p >= sp[i])) continue;
      const cin = Math.floor(m / mg) * cg + c;
      const xo = n * xs[0] + cin * xs[1] + pos.reduce((acc, p, i) => acc + p * xs[i + 2], 0);
      const wo = m * ws[0] + c * ws[1] + ti.reduce((acc, p, i) => acc + p * ws[i + 2], 0);
      s += xd[xo] * wd[wo];
    }
    y[n * ys[0] + m * ys[1] + o] = s;
  }
  return { shape, data: y };
}

/** SAME padding as the ONNX spec defines it, dilated kernel included. */
function samePads(inSize: number, k: number, s: number, d: number, upper: boolean): { begin: number; out: number } {
  const out = Math.ceil(inSize / s);
  const total = Math.max(0, (out - 1) * s + (k - 1) * d + 1 - inSize);
  return { begin: upper ? Math.floor(total / 2) : total - Math.floor(total / 2), out };
}

function close(got: Tensor, shape: number[], want: ArrayLike<number>, dtype: DType, rtol: number, atol: number): string | undefined {
  return mismatch(got, tensor(dtype, shape, Array.from(want)), rtol, atol);
}

const simdInitially = simdActive();
after(() => setSimd(simdInitially));

describe("dense ops vs naive loops", () => {
  it("Conv with dilations under SAME_UPPER / SAME_LOWER (1-D and 2-D)", () => {
    const r = rng(601);
    for (const upper of [true, false]) {
      for (const spatial of [[11], [9, 10]]) {
        const n = spatial.length;
        const k = n === 1 ? [3] : [3, 2], s = n === 1 ? [2] : [1, 2], d = n === 1 ? [2] : [2, 3];
        const x = randT(r, [2, 4, ...spatial]), w = randT(r, [6, 2, ...k]), b = randT(r, [6]);
        const same = spatial.map((v, i) => samePads(v, k[i], s[i], d[i], upper));
        const attrs = { auto_pad: a.string(upper ? "SAME_UPPER" : "SAME_LOWER"), strides: a.ints(s), dilations: a.ints(d), group: a.int(2) };
        const want = refConv(x, w, b, { group: 2, strides: s, dilations: d, padBegin: same.map((p) => p.begin), out: same.map((p) => p.out) });
        assert.equal(close(run("Conv", [x, w, b], attrs)[0], want.shape, want.data, "float32", 1e-4, 1e-5), undefined);
      }
    }
  });

  it("Conv, Gemm and MatMul in float64 and float16, and on the scalar gemm path", () => {
    const r = rng(602);
    for (const simd of [true, false]) {
      setSimd(simd);
      for (const dtype of ["float32", "float64", "float16"] as const) {
        const cast = (t: Tensor): Tensor => {
          const data = dtype === "float64" ? Float64Array.from(t.data as Float32Array) : Float32Array.from(t.data as Float32Array);
          roundTo(dtype, data);
          return { dtype, shape: t.shape, data };
        };
        const [rt, at] = dtype === "float16" ? [1e-2, 1e-2] : [1e-5, 1e-6];
        const x = cast(randT(r, [3, 4, 7, 6])), w = cast(randT(r, [5, 4, 3, 3])), b = cast(randT(r, [5]));
        const want = refConv(x, w, b, { group: 1, strides: [2, 1], dilations: [1, 1], padBegin: [1, 0], out: [3, 5] });
        const conv = run("Conv", [x, w, b], { strides: a.ints([2, 1]), pads: a.ints([1, 0, 0, 1]) })[0];
        assert.equal(close(conv, want.shape, want.data, dtype, rt, at), undefined, `Conv ${dtype} simd=${simd}`);

        const A = cast(randT(r, [2, 6, 9])), B = cast(randT(r, [9, 5]));
        const mm = new Float64Array(60);
        for (let i = 0; i < 12; i++) for (let j = 0; j < 5; j++) for (let p = 0; p < 9; p++) mm[i * 5 + j] += (A.data as NumericArray)[i * 9 + p] * (B.data as NumericArray)[p * 5 + j];
        assert.equal(close(run("MatMul", [A, B])[0], [2, 6, 5], mm, dtype, rt, at), undefined, `MatMul ${dtype}`);
        const A2 = { ...A, shape: [12, 9] };
        const C = cast(randT(r, [5]));
        const gm = mm.map((v, i) => 2 * v + 0.5 * (C.data as NumericArray)[i % 5]);
        const g = run("Gemm", [A2, B, C], { alpha: a.float(2), beta: a.float(0.5) })[0];
        assert.equal(close(g, [12, 5], gm, dtype, rt, at), undefined, `Gemm ${dtype}`);
      }
    }
  });

  it("integer MatMul and Gemm are exact (int64 beyond float32 precision, int32)", () => {
    const A = tensor("int64", [2, 2], [3_000_000, 7, -5, 1]);
    const B = tensor("int64", [2, 1], [1_000_003, -2]);
    assert.deepEqual([...run("MatMul", [A, B])[0].data as Float64Array], [3_000_009_000_000 - 14, -5_000_015 - 2]);
    const I = tensor("int32", [1, 3], [1, 2, 3]);
    const g = run("Gemm", [I, tensor("int32", [3, 1], [4, 5, 6]), tensor("int32", [1], [10])])[0];
    assert.equal(g.dtype, "int32");
    assert.deepEqual([...g.data as Int32Array], [42]);
  });

  it("MatMulInteger over the full uint8 x int8 range, with per-row and per-column zero points", () => {
    const r = rng(603);
    const A = randInt(r, "uint8", [2, 3, 40], 0, 255), B = randInt(r, "int8", [40, 4], -128, 127);
    const az = randInt(r, "uint8", [3], 0, 255), bz = randInt(r, "int8", [4], -128, 127);
    const y = run("MatMulInteger", [A, B, az, bz], {}, 10)[0];
    const want: number[] = [];
    const ad = A.data as Uint8Array, bd = B.data as Int8Array, azd = az.data as Uint8Array, bzd = bz.data as Int8Array;
    for (let bt = 0; bt < 2; bt++) for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) {
      let s = 0;
      for (let p = 0; p < 40; p++) s += (ad[(bt * 3 + i) * 40 + p] - azd[i]) * (bd[p * 4 + j] - bzd[j]);
      want.push(s);
    }
    assert.equal(y.dtype, "int32");
    assert.deepEqual(y.shape, [2, 3, 4]);
    assert.deepEqual([...y.data as Int32Array], want);
  });

  it("ConvInteger with a per-output-channel weight zero point pads with the input zero point", () => {
    const r = rng(604);
    const x = randInt(r, "uint8", [1, 2, 5, 5], 0, 255), w = randInt(r, "uint8", [3, 2, 3, 3], 0, 255);
    const xz = tensor("uint8", [], [100]), wz = tensor("uint8", [3], [0, 128, 255]);
    const shift = (t: Tensor, f: (v: number, i: number) => number): Tensor => ({ dtype: "float64", shape: t.shape, data: Float64Array.from(t.data as Uint8Array, f) });
    const want = refConv(shift(x, (v) => v - 100), shift(w, (v, i) => v - [0, 128, 255][Math.floor(i / 18)]), undefined,
      { group: 1, strides: [1, 1], dilations: [1, 1], padBegin: [1, 1], out: [5, 5] });
    const y = run("ConvInteger", [x, w, xz, wz], { pads: a.ints([1, 1, 1, 1]) }, 10)[0];
    assert.equal(y.dtype, "int32");
    assert.deepEqual([...y.data as Int32Array], [...want.data]);
  });

  it("MaxUnpool keeps coordinates when output_shape is larger, and rejects bad indices", () => {
    const x = tensor("float32", [1, 1, 2, 2], [5, 6, 7, 8]);
    const idx = tensor("int64", [1, 1, 2, 2], [5, 7, 13, 15]);
    const attrs = { kernel_shape: a.ints([2, 2]), strides: a.ints([2, 2]) };
    const y = run("MaxUnpool", [x, idx, tensor("int64", [4], [1, 1, 5, 5])], attrs)[0];
    const want = new Array<number>(25).fill(0);
    [[1, 1, 5], [1, 3, 6], [3, 1, 7], [3, 3, 8]].forEach(([i, j, v]) => (want[i * 5 + j] = v));
    assert.deepEqual([...y.data as Float32Array], want);
    assert.throws(() => run("MaxUnpool", [x, tensor("int64", [1, 1, 2, 2], [0, 1, 2, 16])], attrs), (e) => e instanceof OpError && /outside/.test(e.message));
  });
});
