// What the reader does beyond decoding: opset normalisation, initialiser inputs, topological order,
// node names, symbolic dims, attribute kinds, external data and subgraphs.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Graph } from "../../src/graph/graph.ts";
import { UserError } from "../../src/errors.ts";
import { decodeModel, readModel } from "../../src/onnx/read.ts";
import { decodeModelProto, encodeModelProto } from "../../src/onnx/proto.ts";
import { corpusDir, NO_CORPUS } from "../helpers/corpus.ts";

const F32 = (shape?: (number | string | null)[]) => ({
  tensor_type: {
    elem_type: 1,
    ...(shape ? { shape: { dim: shape.map((d) => (d === null ? {} : typeof d === "number" ? { dim_value: d } : { dim_param: d })) } } : {}),
  },
});

/** Every value is produced before it is used. */
function isSorted(g: Graph): boolean {
  const seen = new Set(["", ...g.inputs.map((v) => v.name), ...g.initializers.keys()]);
  for (const n of g.nodes) {
    if (!n.inputs.every((i) => seen.has(i))) return false;
    n.outputs.forEach((o) => seen.add(o));
  }
  return true;
}

describe("reader: graph normalisation (synthetic models)", () => {
  const proto = {
    ir_version: 3,
    opset_import: [{ domain: "ai.onnx", version: 9 }, { domain: "com.example", version: 2 }],
    producer_name: "hand",
    metadata_props: [{ key: "author", value: "me" }],
    graph: {
      name: "g",
      // Deliberately out of order and partly unnamed; "Relu_1" clashes with the name the unnamed Relu would get.
      node: [
        { op_type: "Relu", input: ["h"], output: ["y"] },
        { op_type: "Relu", name: "Relu_1", input: ["a"], output: ["h"] },
        { op_type: "Add", input: ["x", "w"], output: ["a"], domain: "ai.onnx" },
      ],
      initializer: [{ name: "w", dims: [3], data_type: 1, float_data: [1, 2, 3] }],
      // Old exporters list initialisers among the inputs.
      input: [{ name: "x", type: F32(["batch", 3]) }, { name: "w", type: F32([3]) }],
      output: [{ name: "y", type: F32([null, -1]) }],
      value_info: [
        { name: "h", type: F32(["batch", 3]) },
        { name: "seq", type: { sequence_type: { elem_type: F32() } } },
      ],
    },
  };
  const m = decodeModel(encodeModelProto(proto));

  it("normalises the default domain and keeps others", () => {
    assert.deepEqual([...m.opset], [["", 9], ["com.example", 2]]);
    assert.equal(m.graph.nodes.find((n) => n.op === "Add")!.domain, "");
    assert.equal(m.producerName, "hand");
    assert.deepEqual(m.metadata, { author: "me" });
  });

  it("drops initialisers from the inputs", () => {
    assert.deepEqual(m.graph.inputs.map((v) => v.name), ["x"]);
    assert.deepEqual([...m.graph.initializers.keys()], ["w"]);
  });

  it("sorts nodes topologically", () => {
    assert.ok(isSorted(m.graph));
    assert.deepEqual(m.graph.nodes.map((n) => n.op), ["Add", "Relu", "Relu"]);
  });

  it("names unnamed nodes `${op}_${index}` (file order), uniquely", () => {
    assert.deepEqual(m.graph.nodes.map((n) => n.name).sort(), ["Add_2", "Relu_0", "Relu_1"].sort());
  });

  it("keeps given names, makes repeated ones unique, and never lets a generated name take a given one", () => {
    const relu = (name: string, i: string, o: string) => ({ op_type: "Relu", name, input: [i], output: [o] });
    const g = {
      name: "g",
      node: [relu("", "x", "a"), relu("Relu_0", "a", "b"), relu("dup", "b", "c"), relu("dup", "c", "y")],
      input: [{ name: "x", type: F32([1]) }],
      output: [{ name: "y", type: F32([1]) }],
    };
    const m = decodeModel(encodeModelProto({ ir_version: 8, opset_import: [{ domain: "", version: 13 }], graph: g }));
    assert.deepEqual(m.graph.nodes.map((n) => n.name), ["Relu_0_1", "Relu_0", "dup", "dup_1"]);
  });

  it("reads symbolic dims as strings, unknown and negative dims as null, absent shapes as null", () => {
    assert.deepEqual(m.graph.inputs[0].shape, ["batch", 3]);
    assert.deepEqual(m.graph.outputs[0].shape, [null, null]);
    assert.deepEqual(m.graph.valueInfo, [{ name: "h", dtype: "float32", shape: ["batch", 3] }]);
    const noShape = decodeModel(encodeModelProto({ ...proto, graph: { ...proto.graph, output: [{ name: "y", type: F32() }] } }));
    assert.equal(noShape.graph.outputs[0].shape, null);
  });
});

describe("reader: values written twice", () => {
  const constant = (name: string, v: number) => ({
    op_type: "Constant", name, output: ["c"], attribute: [{ name: "value", type: 4, t: { dims: [], data_type: 7, int64_data: [v] } }],
  });
  const model = (nodes: object[]) => ({
    ir_version: 3,
    opset_import: [{ domain: "", version: 9 }],
    graph: { name: "g", node: nodes, input: [{ name: "x", type: F32([1]) }], output: [{ name: "y", type: F32([1]) }] },
  });

  it("keeps the last of two Constants writing one value, as onnxruntime does (gpt2_past_tiny_ort)", () => {
    const m = decodeModel(encodeModelProto(model([
      constant("first", 12),
      { op_type: "Add", name: "use", input: ["x", "c"], output: ["y"] },
      constant("second", 2),
    ])));
    assert.deepEqual(m.graph.nodes.map((n) => n.name), ["second", "use"]);
    const v = m.graph.nodes[0].attrs.value;
    assert.ok(v.kind === "tensor" && v.value.data[0] === 2);
  });

  it("refuses any other value written by two nodes, naming both", () => {
    const nodes = [{ op_type: "Relu", name: "r1", input: ["x"], output: ["y"] }, { op_type: "Relu", name: "r2", input: ["x"], output: ["y"] }];
    assert.throws(() => decodeModel(encodeModelProto(model(nodes)), { file: "dup.onnx" }), (e: unknown) =>
      e instanceof UserError && /dup\.onnx/.test(e.message) && /'y' is written by two nodes, 'r1' and 'r2'/.test(e.message));
  });
});

describe("reader: attributes", () => {
  it("reads every attribute kind, and infers the kind when IR 1 files leave `type` out", () => {
    const g = {
      name: "g",
      node: [
        {
          op_type: "Custom",
          input: ["x"],
          output: ["y"],
          attribute: [
            { name: "f", type: 1, f: 0.25 },
            { name: "i", type: 2, i: -3 },
            { name: "s", type: 3, s: new TextEncoder().encode("same_upper") },
            { name: "t", type: 4, t: { dims: [2], data_type: 7, int64_data: [5, -6] } },
            { name: "fs", type: 6, floats: [1.5, 2] },
            { name: "is", type: 7, ints: [1, 2, 3] },
            { name: "ss", type: 8, strings: [new TextEncoder().encode("a"), new TextEncoder().encode("b")] },
            { name: "ts", type: 9, tensors: [{ dims: [], data_type: 1, float_data: [1] }] },
            { name: "old_i", i: 4 },
            { name: "old_ints", ints: [7, 8] },
          ],
        },
      ],
      input: [{ name: "x", type: F32([1]) }],
      output: [{ name: "y", type: F32([1]) }],
    };
    const m = decodeModel(encodeModelProto({ ir_version: 8, opset_import: [{ domain: "", version: 13 }], graph: g }));
    const a = m.graph.nodes[0].attrs;
    assert.deepEqual(a.f, { kind: "float", value: 0.25 });
    assert.deepEqual(a.i, { kind: "int", value: -3 });
    assert.deepEqual(a.s, { kind: "string", value: "same_upper" });
    assert.deepEqual(a.t, { kind: "tensor", value: { dtype: "int64", shape: [2], data: new Float64Array([5, -6]) } });
    assert.deepEqual(a.fs, { kind: "floats", value: [1.5, 2] });
    assert.deepEqual(a.is, { kind: "ints", value: [1, 2, 3] });
    assert.deepEqual(a.ss, { kind: "strings", value: ["a", "b"] });
    assert.deepEqual(a.ts, { kind: "tensors", value: [{ dtype: "float32", shape: [], data: new Float32Array([1]) }] });
    assert.deepEqual(a.old_i, { kind: "int", value: 4 });
    assert.deepEqual(a.old_ints, { kind: "ints", value: [7, 8] });
  });

  it("reads subgraphs, sorting them with values of the enclosing graph in scope", () => {
    const branch = (name: string) => ({
      name,
      // Out of order on purpose; "outer" comes from the enclosing graph.
      node: [
        { op_type: "Neg", name: `${name}_neg`, input: ["t"], output: [`${name}_out`] },
        { op_type: "Add", name: `${name}_add`, input: ["outer", "outer"], output: ["t"] },
      ],
      output: [{ name: `${name}_out` }],
    });
    const g = {
      name: "main",
      node: [
        // The If uses "outer" only inside its branches, and comes first in the file.
        { op_type: "If", name: "if", input: ["cond"], output: ["y"], attribute: [{ name: "then_branch", type: 5, g: branch("then") }, { name: "else_branch", type: 5, g: branch("else") }] },
        { op_type: "Relu", name: "make_outer", input: ["x"], output: ["outer"] },
      ],
      input: [{ name: "cond", type: { tensor_type: { elem_type: 9, shape: { dim: [] } } } }, { name: "x", type: F32([2]) }],
      output: [{ name: "y", type: F32([2]) }],
    };
    const m = decodeModel(encodeModelProto({ ir_version: 8, opset_import: [{ domain: "", version: 13 }], graph: g }));
    assert.deepEqual(m.graph.nodes.map((n) => n.name), ["make_outer", "if"]);
    const then = m.graph.nodes[1].attrs.then_branch;
    assert.equal(then.kind, "graph");
    if (then.kind === "graph") {
      assert.deepEqual(then.value.nodes.map((n) => n.name), ["then_add", "then_neg"]);
      // An untyped subgraph output stands in as float32 of unknown rank.
      assert.deepEqual(then.value.outputs, [{ name: "then_out", dtype: "float32", shape: null }]);
    }
  });
});

describe("reader: external data", () => {
  it("reads tensors from files beside the model, at offset/length", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "pseudonet-ext-"));
    try {
      const bin = new Float32Array([9, 9, 1.5, -2, 3, 9]);
      writeFileSync(path.join(dir, "weights.bin"), new Uint8Array(bin.buffer));
      const ext = (offset: number, length: number) => [
        { key: "location", value: "weights.bin" },
        { key: "offset", value: String(offset) },
        { key: "length", value: String(length) },
      ];
      writeFileSync(
        path.join(dir, "model.onnx"),
        encodeModelProto({
          ir_version: 8,
          opset_import: [{ domain: "", version: 13 }],
          graph: {
            name: "g",
            initializer: [
              { name: "w", dims: [3], data_type: 1, data_location: 1, external_data: ext(8, 12) },
              { name: "v", dims: [1], data_type: 1, data_location: 1, external_data: ext(0, 4) },
            ],
            node: [{ op_type: "Add", input: ["w", "v"], output: ["y"] }],
            output: [{ name: "y", type: F32([3]) }],
          },
        }),
      );
      const m = readModel(path.join(dir, "model.onnx"));
      assert.deepEqual(m.graph.initializers.get("w"), { dtype: "float32", shape: [3], data: new Float32Array([1.5, -2, 3]) });
      assert.deepEqual(m.graph.initializers.get("v"), { dtype: "float32", shape: [1], data: new Float32Array([9]) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("reader: corpus quirks", () => {
  const c = corpusDir();
  const model = (name: string) => readModel(path.join(c!, "models", name, "model.onnx"));

  it("'ai.onnx' opset import (mnist8_dynamic_quantized_connxr)", (t) => {
    if (!c) return t.skip(NO_CORPUS);
    const m = model("mnist8_dynamic_quantized_connxr");
    assert.ok(m.opset.has("") && !m.opset.has("ai.onnx"));
  });

  it("initialisers listed as inputs (super_resolution_pytorch, cntk models)", (t) => {
    if (!c) return t.skip(NO_CORPUS);
    for (const name of ["super_resolution_pytorch", "mnist8_cntk_cnn", "cntk_lstm_bidirectional"]) {
      const m = model(name);
      assert.ok(m.graph.inputs.every((v) => !m.graph.initializers.has(v.name)), name);
      assert.equal(m.graph.inputs.length, 1, `${name}: ${m.graph.inputs.map((v) => v.name)}`);
    }
  });

  it("unsorted graphs come back sorted (bert_toy_ort, gpt2_past_tiny_ort)", (t) => {
    if (!c) return t.skip(NO_CORPUS);
    for (const name of ["bert_toy_ort", "gpt2_past_tiny_ort"]) {
      const m = model(name);
      assert.ok(isSorted(m.graph), name);
      const names = m.graph.nodes.map((n) => n.name);
      assert.equal(new Set(names).size, names.length, `${name}: node names are not unique`);
    }
  });

  it("the raw file of bert_toy_ort is really unsorted (so the test above means something)", async (t) => {
    if (!c) return t.skip(NO_CORPUS);
    const { readFileSync } = await import("node:fs");
    const pm = decodeModelProto(readFileSync(path.join(c, "models", "bert_toy_ort", "model.onnx")));
    const g = pm.graph!;
    const seen = new Set<string>(["", ...g.input.map((v) => v.name), ...g.initializer.map((t) => t.name)]);
    let late = 0;
    for (const n of g.node) {
      late += n.input.filter((i) => !seen.has(i)).length;
      n.output.forEach((o) => seen.add(o));
    }
    assert.ok(late > 0);
  });
});
