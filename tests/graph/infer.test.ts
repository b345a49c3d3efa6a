// Shape inference: inferred output shapes equal the real outputs' shapes on the corpus; constants flow through shape
// plumbing; errors name the node.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { inferShapes } from "../../src/graph/infer.ts";
import type { Model, Node, ValueInfo } from "../../src/graph/graph.ts";
import { tensor, type Tensor } from "../../src/graph/tensor.ts";
import { findOp } from "../../src/ops/registry.ts";
import { OpError, UnsupportedOpError } from "../../src/errors.ts";
import { loadCase, listCorpusModels, listNodeTests, NO_CORPUS } from "../helpers/corpus.ts";

function model(inputs: ValueInfo[], nodes: Partial<Node>[], inits: [string, Tensor][] = []): Model {
  return {
    graph: {
      name: "g",
      inputs,
      outputs: [],
      nodes: nodes.map((n, i) => ({ name: `n${i}`, op: "", domain: "", inputs: [], outputs: [], attrs: {}, ...n })),
      initializers: new Map(inits),
      valueInfo: [],
    },
    opset: new Map([["", 13]]),
    irVersion: 8,
    producerName: "",
    producerVersion: "",
    docString: "",
    metadata: {},
  };
}

const i64 = (vals: number[]) => tensor("int64", [vals.length], vals);

describe("inferShapes", () => {
  it("infers the exact output shapes of the corpus models and node tests from their test inputs", (t) => {
    const cases = [...listCorpusModels(), ...listNodeTests()];
    if (cases.length === 0) return t.skip(NO_CORPUS);
    let checked = 0;
    const failures: string[] = [];
    for (const dir of cases) {
      let c;
      try {
        c = loadCase(dir);
      } catch {
        continue; // unreadable cases are the reader tests' business
      }
      if (!c.model.graph.nodes.every((n) => findOp(n.op, n.domain))) continue;
      if (Object.keys(c.inputs).length !== c.model.graph.inputs.length) continue;
      const inputs = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, { dtype: v.dtype, shape: [...v.shape] }]));
      try {
        inferShapes(c.model); // declared (symbolic) shapes must agree too
        const shapes = inferShapes(c.model, { inputs });
        for (const [name, want] of Object.entries(c.outputs)) {
          const got = shapes.get(name);
          if (got?.dtype !== want.dtype || JSON.stringify(got.shape) !== JSON.stringify(want.shape)) {
            failures.push(`${path.basename(dir)}: '${name}' inferred ${got?.dtype} ${JSON.stringify(got?.shape)}, real ${want.dtype} ${JSON.stringify(want.shape)}`);
          }
        }
      } catch (e) {
        failures.push(`${path.basename(dir)}: ${(e as Error).message.slice(0, 200)}`);
      }
      checked++;
    }
    assert.ok(checked >= 100, `only ${checked} cases checked`);
    assert.deepEqual(failures, [], `${failures.length}/${checked} cases disagree`);
  });

  it("carries constant values through shape plumbing (Shape -> Gather -> Concat -> Reshape)", () => {
    const m = model(
      [{ name: "x", dtype: "float32", shape: ["batch", 3, 4] }],
      [
        { op: "Shape", inputs: ["x"], outputs: ["s"] },
        { op: "Gather", inputs: ["s", "zero"], outputs: ["b"], attrs: { axis: { kind: "int", value: 0 } } },
        { op: "Concat", inputs: ["b", "minus1"], outputs: ["target"], attrs: { axis: { kind: "int", value: 0 } } },
        { op: "Reshape", inputs: ["x", "target"], outputs: ["y"] },
      ],
      [["zero", i64([0])], ["minus1", i64([-1])]],
    );
    const concrete = inferShapes(m, { inputs: { x: { dtype: "float32", shape: [2, 3, 4] } } });
    assert.deepEqual(Array.from(concrete.get("target")!.value!.data as Float64Array), [2, -1]);
    assert.deepEqual(concrete.get("y")!.shape, [2, 12]);
    const symbolic = inferShapes(m);
    assert.equal(symbolic.get("y")!.shape?.length, 2);
  });

  it("names the node whose shapes don't agree", () => {
    const m = model(
      [{ name: "x", dtype: "float32", shape: ["batch", 4] }],
      [
        { name: "ok", op: "Relu", inputs: ["x"], outputs: ["h"] },
        { name: "fc", op: "Gemm", inputs: ["h", "w"], outputs: ["y"], attrs: { transB: { kind: "int", value: 1 } } },
      ],
      [["w", tensor("float32", [3, 5], new Array(15).fill(0))]],
    );
    assert.throws(() => inferShapes(m), (e: unknown) => e instanceof OpError && /node 'fc' \(Gemm\)/.test(e.message));
  });

  it("throws UnsupportedOpError for an op without a kernel, or leaves it (and what depends on it) unknown", () => {
    const m = model(
      [{ name: "x", dtype: "float32", shape: [2] }],
      [
        { name: "odd", op: "NoSuchOp", inputs: ["x"], outputs: ["a"] },
        { name: "after", op: "Relu", inputs: ["a"], outputs: ["b"] },
        { name: "side", op: "Relu", inputs: ["x"], outputs: ["c"] },
      ],
    );
    assert.throws(() => inferShapes(m), (e: unknown) => e instanceof UnsupportedOpError && /node 'odd' uses op NoSuchOp \(opset 13\)/.test(e.message));
    const lenient = inferShapes(m, { skipUnsupported: true });
    assert.equal(lenient.has("a"), false);
    assert.equal(lenient.has("b"), false);
    assert.deepEqual(lenient.get("c")!.shape, [2]);
  });
});
