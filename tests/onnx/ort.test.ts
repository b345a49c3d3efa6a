// The onnxruntime bridge: every dtype in and out unchanged, intermediate values on request, cached sessions.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { Model, Node, ValueInfo } from "../../src/graph/graph.ts";
import { DTYPES, f32, type DType, type Tensor } from "../../src/graph/tensor.ts";
import { UserError } from "../../src/errors.ts";
import { readModel } from "../../src/onnx/read.ts";
import { ortRun, ortSession } from "../../src/run/ort.ts";
import { mismatch } from "../helpers/allclose.ts";
import { corpusDir, loadData, NO_CORPUS } from "../helpers/corpus.ts";
import { rng } from "../helpers/rng.ts";

function model(inputs: ValueInfo[], outputs: ValueInfo[], nodes: Node[], inits: [string, Tensor][] = []): Model {
  return {
    graph: { name: "g", inputs, outputs, nodes, initializers: new Map(inits), valueInfo: [] },
    opset: new Map([["", 17]]),
    irVersion: 8,
    producerName: "test",
    producerVersion: "",
    docString: "",
    metadata: {},
  };
}

const node = (name: string, op: string, inputs: string[], outputs: string[]): Node => ({ name, op, domain: "", inputs, outputs, attrs: {} });

/** Seeded values each dtype's storage holds exactly, including the extremes of the integer types. */
function sample(dtype: DType, n: number, r: () => number): Tensor {
  const ext: Partial<Record<DType, number[]>> = {
    int8: [-128, 127], int16: [-32768, 32767], int32: [-(2 ** 31), 2 ** 31 - 1], int64: [-(2 ** 53), 2 ** 53],
    uint8: [0, 255], uint16: [0, 65535], uint32: [0, 2 ** 32 - 1], uint64: [0, 2 ** 53], bool: [0, 1],
  };
  if (dtype === "string") return { dtype, shape: [2, n / 2], data: Array.from({ length: n }, (_, i) => `s${i}é`) };
  const range = ext[dtype];
  const vals = Array.from({ length: n }, () =>
    range ? range[0] + Math.floor(r() * (range[1] - range[0] + 1)) : (r() - 0.5) * 100,
  );
  if (range) vals.splice(0, 2, ...range);
  const t: Tensor = { dtype, shape: [2, n / 2], data: new Float64Array(vals) };
  const Ctor = { float32: Float32Array, float16: Float32Array, float64: Float64Array, int64: Float64Array, uint64: Float64Array, int8: Int8Array, int16: Int16Array, int32: Int32Array, uint8: Uint8Array, bool: Uint8Array, uint16: Uint16Array, uint32: Uint32Array }[dtype];
  t.data = Ctor.from(dtype === "float16" ? vals.map((v) => Math.round(v * 8) / 8) : vals);
  return t;
}

describe("ortRun: tensors cross the bridge unchanged", () => {
  for (const dtype of DTYPES) {
    it(dtype, async () => {
      const x = sample(dtype, 10, rng(DTYPES.indexOf(dtype) + 1));
      const m = model([{ name: "x", dtype, shape: [null, null] }], [{ name: "y", dtype, shape: [null, null] }], [node("id", "Identity", ["x"], ["y"])]);
      const { y } = await ortRun(m, { x });
      assert.deepStrictEqual(y, x);
    });
  }
});

describe("ortRun: typed-array views", () => {
  it("a tensor whose data is a view into a larger buffer is read at its offset", async () => {
    const big = new Float32Array([100, 200, 1, -2, 3, 300]);
    const x: Tensor = { dtype: "float32", shape: [3], data: big.subarray(2, 5) };
    const m = model([{ name: "x", dtype: "float32", shape: [3] }], [{ name: "y", dtype: "float32", shape: [3] }], [node("r", "Relu", ["x"], ["y"])]);
    assert.deepEqual([...((await ortRun(m, { x })).y.data as Float32Array)], [1, 0, 3]);
  });
});

describe("ortRun: intermediate values", () => {
  // y = Neg(Relu(x) + b)
  const m = model(
    [{ name: "x", dtype: "float32", shape: ["n", 3] }],
    [{ name: "y", dtype: "float32", shape: ["n", 3] }],
    [node("relu", "Relu", ["x"], ["a"]), node("add", "Add", ["a", "b"], ["s"]), node("neg", "Neg", ["s"], ["y"])],
    [["b", f32([3], [1, 2, 3])]],
  );
  const x = f32([2, 3], [-1, 0, 1, 2, -3, 4]);

  it("returns any mix of intermediates, outputs, inputs and initialisers", async () => {
    const r = await ortRun(m, { x }, { outputs: ["a", "s", "y", "x", "b"] });
    assert.deepEqual(Object.keys(r), ["a", "s", "y", "x", "b"]);
    assert.deepEqual([...(r.a.data as Float32Array)], [0, 0, 1, 2, 0, 4]);
    assert.deepEqual([...(r.s.data as Float32Array)], [1, 2, 4, 3, 2, 7]);
    assert.deepEqual([...(r.y.data as Float32Array)], [-1, -2, -4, -3, -2, -7]);
    assert.equal(r.x, x);
    assert.deepEqual(r.b, m.graph.initializers.get("b"));
  });

  it("defaults to the graph outputs", async () => {
    assert.deepEqual(Object.keys(await ortRun(m, { x })), ["y"]);
  });

  it("caches one session per model and set of extra outputs", async () => {
    assert.equal(ortSession(m, ["a"]), ortSession(m, ["a"]));
    assert.equal(ortSession(m, ["s", "a"]), ortSession(m, ["a", "s", "a"]));
    assert.notEqual(ortSession(m, ["a"]), ortSession(m));
    assert.deepEqual([...(await ortSession(m, ["a"])).outputNames].sort(), ["a", "y"]);
  });

  it("every intermediate of a real CNN, and the output still matches the test data", async (t) => {
    const c = corpusDir();
    if (!c) return t.skip(NO_CORPUS);
    const dir = path.join(c, "models", "mnist_cnn_pytorch_ort");
    const cnn = readModel(path.join(dir, "model.onnx"));
    const { inputs, outputs } = loadData(cnn, dir);
    const names = cnn.graph.nodes.flatMap((n) => n.outputs);
    const r = await ortRun(cnn, inputs, { outputs: names });
    assert.deepEqual(Object.keys(r), names);
    const conv1 = r[cnn.graph.nodes[0].outputs[0]];
    assert.deepEqual(conv1.shape, [1, 10, 24, 24]);
    for (const [k, v] of Object.entries(outputs)) assert.equal(mismatch(r[k], v, 1e-3, 1e-5), undefined);
  });
});

describe("ortRun: bad input", () => {
  const m = model([{ name: "x", dtype: "float32", shape: [2] }], [{ name: "y", dtype: "float32", shape: [2] }], [node("relu", "Relu", ["x"], ["y"])]);

  it("a missing feed names the input and its type", async () => {
    await assert.rejects(ortRun(m, {}), (e: unknown) => e instanceof UserError && /'x'/.test(e.message) && /float32 \[2\]/.test(e.message));
  });

  it("a feed of the wrong dtype is a one-line UserError", async () => {
    const bad: Tensor = { dtype: "int32", shape: [2], data: new Int32Array(2) };
    await assert.rejects(ortRun(m, { x: bad }), (e: unknown) => e instanceof UserError && /onnxruntime/.test(e.message) && !e.message.includes("\n"));
  });

  it("a model onnxruntime cannot load is a UserError", async () => {
    const broken = model([{ name: "x", dtype: "float32", shape: [2] }], [{ name: "y", dtype: "float32", shape: [2] }], [node("q", "NoSuchOp", ["x"], ["y"])]);
    await assert.rejects(ortRun(broken, { x: f32([2], [1, 2]) }), (e: unknown) => e instanceof UserError && /cannot load/.test(e.message));
  });
});
