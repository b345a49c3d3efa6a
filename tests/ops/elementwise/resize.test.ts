// Resize and Upsample: agreement with onnxruntime over seeded random configurations (every mode, coordinate
// transform, nearest rule, opset 10-19 feature), plus shape rules and errors. The ONNX conformance cases are
// run by tests/conformance (node-tests-112 and shapes).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Attr } from "../../../src/graph/graph.ts";
import { tensor, type Tensor } from "../../../src/graph/tensor.ts";
import { OpError } from "../../../src/errors.ts";
import { mismatch } from "../../helpers/allclose.ts";
import { rng } from "../../helpers/rng.ts";
import { A, both, F, infer, random, run1, T, vals } from "./harness.ts";

const floats = (value: number[]): Attr => ({ kind: "floats", value });
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const i64 = (v: number[]) => T("int64", v);
const EMPTY = F([], [0]);

const COORDS = ["half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_crop_and_resize"];
const NEAREST = ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"];
const SCALES = [0.5, 0.6, 0.75, 1, 1.5, 2, 2.5, 3];

interface Config {
  opset: number;
  attrs: Record<string, Attr>;
  inputs: (Tensor | undefined)[];
  label: string;
}

/** A random Resize call on a 1 x C x H x W float input (onnxruntime's linear/cubic kernels scale H and W only). */
function randomConfig(r: () => number): Config {
  const opset = pick(r, [11, 13, 18, 19]);
  const mode = pick(r, ["nearest", "linear", "cubic"]);
  const coord = pick(r, opset >= 19 ? [...COORDS, "half_pixel_symmetric"] : mode === "nearest" && opset < 18 ? [...COORDS, "tf_half_pixel_for_nn"] : COORDS);
  const shape = [1, 1 + Math.floor(r() * 2), 2 + Math.floor(r() * 5), 2 + Math.floor(r() * 5)];
  const x = random(r, "float32", shape, 2);
  const attrs: Record<string, Attr> = { mode: A.string(mode), coordinate_transformation_mode: A.string(coord) };
  if (mode === "nearest") attrs.nearest_mode = A.string(pick(r, NEAREST));
  if (mode === "cubic") {
    attrs.cubic_coeff_a = A.float(pick(r, [-0.75, -0.5]));
    if (r() < 0.5) attrs.exclude_outside = A.int(1);
  }
  // onnxruntime 1.30 fails ("narrowing_error") on antialias with tf_crop_and_resize.
  if (opset >= 18 && mode !== "nearest" && coord !== "tf_crop_and_resize" && r() < 0.4) attrs.antialias = A.int(1);
  if (coord === "tf_crop_and_resize") attrs.extrapolation_value = A.float(pick(r, [0, -7]));
  const useAxes = opset >= 18 && r() < 0.4;
  if (useAxes) attrs.axes = A.ints([2, 3]);
  const n = useAxes ? 2 : 4;
  const roi = coord === "tf_crop_and_resize"
    ? F([...Array(n - 2).fill(0), pick(r, [0, 0.2, -0.3]), pick(r, [0, 0.4]), ...Array(n - 2).fill(1), pick(r, [1, 0.8, 1.3]), pick(r, [1, 0.7])])
    : undefined;
  let scales: Tensor | undefined;
  let sizes: Tensor | undefined;
  if (r() < 0.5) {
    scales = F([...Array(n - 2).fill(1), pick(r, SCALES), pick(r, SCALES)]);
  } else {
    const hw = [1 + Math.floor(r() * 9), 1 + Math.floor(r() * 9)];
    sizes = i64(useAxes ? hw : [shape[0], shape[1], ...hw]);
    // Without axes the policy's one scale applies to N and C too, which onnxruntime's linear/cubic kernels reject.
    if (opset >= 18 && (useAxes || mode === "nearest") && r() < 0.4) attrs.keep_aspect_ratio_policy = A.string(pick(r, ["not_larger", "not_smaller"]));
  }
  const inputs = [x, roi ?? (opset >= 13 ? undefined : EMPTY), scales ?? (opset >= 13 ? undefined : EMPTY), sizes];
  const label = `opset ${opset} ${Object.entries(attrs).map(([k, a]) => `${k}=${JSON.stringify(a.value)}`).join(" ")} x[${shape}] ${scales ? `scales ${vals(scales)}` : `sizes ${vals(sizes!)}`}${roi ? ` roi ${vals(roi)}` : ""}`;
  return { opset, attrs, inputs, label };
}

describe("Resize matches onnxruntime (seeded random configurations)", () => {
  const r = rng(20261125);
  for (let trial = 0; trial < 120; trial++) {
    const c = randomConfig(r);
    it(c.label, async () => {
      const [[ours], [ref]] = await both("Resize", c.inputs, c.attrs, c.opset);
      assert.equal(mismatch(ours, ref, 1e-4, 1e-5), undefined);
    });
  }

  it("Resize-10 (asymmetric, nearest floor when upsampling / ceil when downsampling, linear)", async () => {
    const x = random(rng(10), "float32", [1, 2, 5, 4]);
    for (const [mode, s] of [["nearest", [1, 1, 2, 3]], ["nearest", [1, 1, 0.6, 0.5]], ["linear", [1, 1, 1.5, 2]], ["linear", [1, 1, 0.5, 0.75]]] as const) {
      const [[ours], [ref]] = await both("Resize", [x, F([...s])], { mode: A.string(mode) }, 10);
      assert.equal(mismatch(ours, ref, 1e-5, 1e-6), undefined, `${mode} ${s}`);
    }
  });

  it("integer inputs: nearest copies exactly, linear truncates like onnxruntime", async () => {
    const x = random(rng(3), "uint8", [1, 1, 3, 4], 1, 0, 255);
    for (const mode of ["nearest", "linear"]) {
      const [[ours], [ref]] = await both("Resize", [x, undefined, F([1, 1, 2, 1.5])], { mode: A.string(mode) }, 13);
      assert.equal(mismatch(ours, ref), undefined, mode);
    }
  });
});

describe("Upsample matches onnxruntime", () => {
  const x = random(rng(7), "float32", [1, 2, 3, 4]);
  for (const mode of ["nearest", "linear"]) {
    it(`opset 7 (scales attribute) and 9 (scales input), ${mode}`, async () => {
      const scales = [1, 1, 2, 3];
      const [[a], [refA]] = await both("Upsample", [x], { mode: A.string(mode), scales: floats(scales) }, 7);
      assert.equal(mismatch(a, refA, 1e-5, 1e-6), undefined);
      const [[b], [refB]] = await both("Upsample", [x, F(scales)], { mode: A.string(mode) }, 9);
      assert.equal(mismatch(b, refB, 1e-5, 1e-6), undefined);
      assert.deepEqual(b.shape, [1, 2, 6, 12]);
    });
  }
  it("nearest repeats each value scale times", () => {
    const y = run1("Upsample", [F([1, 2, 3, 4], [1, 1, 2, 2]), F([1, 1, 2, 2])], {}, 9);
    assert.deepEqual(vals(y), [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });
  it("scales below 1 are OpErrors", () => {
    assert.throws(() => run1("Upsample", [F([1, 2]), F([0.5])], {}, 9), (e: unknown) => e instanceof OpError && /scales must be >= 1/.test(e.message));
  });
});

describe("Resize shape rule and errors", () => {
  const x = { dtype: "float32" as const, shape: ["N", 3, 8, 8] };
  const scales = { dtype: "float32" as const, shape: [4], value: F([1, 1, 2, 0.5]) };
  it("known scales or sizes give the output dims; a scale of 1 keeps a symbolic dim", () => {
    assert.deepEqual(infer("Resize", [x, undefined, scales], {}, 13)[0].shape, ["N", 3, 16, 4]);
    const sizes = { dtype: "int64" as const, shape: [2], value: i64([5, 7]) };
    assert.deepEqual(infer("Resize", [x, undefined, undefined, sizes], { axes: A.ints([-2, -1]) }, 18)[0].shape, ["N", 3, 5, 7]);
    const policy = { keep_aspect_ratio_policy: A.string("not_larger"), axes: A.ints([2, 3]) };
    assert.deepEqual(infer("Resize", [{ dtype: "float32", shape: [1, 3, 8, 4] }, undefined, undefined, sizes], policy, 18)[0].shape, [1, 3, 5, 3]);
  });
  it("an roi of unknown value does not hide the shape", () => {
    assert.deepEqual(infer("Resize", [x, { dtype: "float32", shape: [8] }, scales], {}, 13)[0].shape, ["N", 3, 16, 4]);
  });
  it("unknown scales keep only the rank", () => {
    assert.deepEqual(infer("Resize", [x, undefined, { dtype: "float32", shape: [4] }], {}, 13)[0].shape, [null, null, null, null]);
  });
  it("bad targets are OpErrors naming what is wrong", () => {
    const y = F([1, 2, 3, 4], [2, 2]);
    const err = (re: RegExp) => (e: unknown) => e instanceof OpError && re.test(e.message);
    assert.throws(() => run1("Resize", [y, undefined, F([2])], {}, 13), err(/scales has 1 values; expected 2/));
    assert.throws(() => run1("Resize", [y, undefined, F([2, 2]), i64([4, 4])], {}, 13), err(/not both/));
    assert.throws(() => run1("Resize", [y, EMPTY, EMPTY], {}, 11), err(/needs scales or sizes/));
    assert.throws(() => run1("Resize", [y, undefined, F([2, 2])], { mode: A.string("area") }, 13), err(/mode must be one of/));
    assert.throws(() => run1("Resize", [y, undefined, F([2, 0])], {}, 13), err(/scales must be positive/));
  });
  it("by hand: linear half_pixel upsampling of [1, 2] by 2", () => {
    const y = run1("Resize", [F([1, 2], [1, 2]), undefined, F([1, 2])], { mode: A.string("linear") }, 13);
    assert.deepEqual(vals(y), [1, 1.25, 1.75, 2]);
    assert.deepEqual(vals(run1("Resize", [tensor("float32", [4], [1, 2, 3, 4]), undefined, F([0.5])], {}, 13)), [1, 3]);
  });
});
