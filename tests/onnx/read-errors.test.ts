// Bad input to the ONNX reader: each case gives a one-line UserError naming the file and what was expected.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, readFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { UserError } from "../../src/errors.ts";
import { f32 } from "../../src/graph/tensor.ts";
import type { Model } from "../../src/graph/graph.ts";
import { decodeModel, readModel, readTensorFile, readTensorProto } from "../../src/onnx/read.ts";
import { UnsupportedTypeError } from "../../src/onnx/dtype.ts";
import { encodeModelProto, encodeTensorProto } from "../../src/onnx/proto.ts";
import { encodeModel } from "../../src/onnx/write.ts";
import { encodeTensor } from "../../src/onnx/tensorproto.ts";
import { rng } from "../helpers/rng.ts";

/** A one-node model: y = Relu(x). */
function reluModel(): Model {
  return {
    graph: {
      name: "g",
      inputs: [{ name: "x", dtype: "float32", shape: ["batch", 3] }],
      outputs: [{ name: "y", dtype: "float32", shape: ["batch", 3] }],
      nodes: [{ name: "relu", op: "Relu", domain: "", inputs: ["x"], outputs: ["y"], attrs: {} }],
      initializers: new Map(),
      valueInfo: [],
    },
    opset: new Map([["", 13]]),
    irVersion: 8,
    producerName: "test",
    producerVersion: "",
    docString: "",
    metadata: {},
  };
}

/** Assert fn throws a one-line error of class cls whose message matches every pattern. */
function throwsUser(fn: () => unknown, cls: typeof UserError, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    assert.ok(!e.message.includes("\n"), `message is not one line: ${e.message}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

let dir = "";
const file = (name: string) => path.join(dir, name);

describe("readModel on bad input", () => {
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "pseudonet-read-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("missing file", () => {
    throwsUser(() => readModel(file("nope.onnx")), UserError, /nope\.onnx/, /no such file/, /ONNX model/);
  });

  it("a directory", () => {
    mkdirSync(file("folder.onnx"));
    throwsUser(() => readModel(file("folder.onnx")), UserError, /folder\.onnx/, /is a directory/, /model\.onnx/);
  });

  it("empty file", () => {
    writeFileSync(file("empty.onnx"), "");
    throwsUser(() => readModel(file("empty.onnx")), UserError, /empty\.onnx/, /is empty/, /expected an ONNX model/);
  });

  it("truncated protobuf", () => {
    const bytes = encodeModel(reluModel());
    // Every cut inside the graph message must be caught, not only a convenient one.
    for (const cut of [bytes.length - 1, bytes.length - 7, Math.floor(bytes.length / 2), 12]) {
      writeFileSync(file("cut.onnx"), bytes.subarray(0, cut));
      throwsUser(() => readModel(file("cut.onnx")), UserError, /cut\.onnx/, /not an ONNX model|truncated|corrupt/);
    }
  });

  it("random bytes", () => {
    const r = rng(7);
    for (let k = 0; k < 20; k++) {
      const bytes = Uint8Array.from({ length: 64 + k * 13 }, () => Math.floor(r() * 256));
      writeFileSync(file("random.onnx"), bytes);
      throwsUser(() => readModel(file("random.onnx")), UserError, /random\.onnx/);
    }
  });

  it("a text file", () => {
    writeFileSync(file("notes.onnx"), "this is not a model\n".repeat(20));
    throwsUser(() => readModel(file("notes.onnx")), UserError, /notes\.onnx/, /not an ONNX model/);
  });

  it("a TensorProto .pb file", () => {
    writeFileSync(file("input_0.pb"), encodeTensorProto(encodeTensor(f32([2, 3], [1, 2, 3, 4, 5, 6]), "x")));
    throwsUser(() => readModel(file("input_0.pb")), UserError, /input_0\.pb/, /TensorProto/, /'x' FLOAT \[2, 3\]/, /not an ONNX model/);
  });

  it("a model without a graph", () => {
    writeFileSync(file("nograph.onnx"), encodeModelProto({ ir_version: 8, opset_import: [{ domain: "", version: 13 }] }));
    throwsUser(() => readModel(file("nograph.onnx")), UserError, /nograph\.onnx/, /without a graph/);
  });

  it("a file cut right after its graph (no opset_import, no ir_version)", () => {
    const graph = { name: "g", node: [{ op_type: "Relu", input: ["x"], output: ["y"] }] };
    writeFileSync(file("noopset.onnx"), encodeModelProto({ ir_version: 8, graph }));
    throwsUser(() => readModel(file("noopset.onnx")), UserError, /noopset\.onnx/, /opset_import is empty/, /truncated/);
    writeFileSync(file("noir.onnx"), encodeModelProto({ graph, opset_import: [{ domain: "", version: 13 }] }));
    throwsUser(() => readModel(file("noir.onnx")), UserError, /noir\.onnx/, /no ir_version/);
  });

  it("a graph whose node reads an undefined value", () => {
    const m = reluModel();
    m.graph.nodes[0].inputs = ["ghost"];
    throwsUser(() => decodeModel(encodeModel(m), { file: "bad.onnx" }), UserError, /bad\.onnx/, /ghost/, /relu/);
  });

  it("an unsupported dtype names the value and the type", () => {
    const pm = {
      ir_version: 8,
      opset_import: [{ domain: "", version: 13 }],
      graph: {
        name: "g",
        node: [{ op_type: "Identity", input: ["x"], output: ["y"] }],
        input: [{ name: "x", type: { tensor_type: { elem_type: 16, shape: { dim: [{ dim_value: 2 }] } } } }],
        output: [{ name: "y", type: { tensor_type: { elem_type: 16 } } }],
      },
    };
    throwsUser(() => decodeModel(encodeModelProto(pm), { file: "bf16.onnx" }), UnsupportedTypeError, /bf16\.onnx/, /graph input 'x'/, /BFLOAT16/);
  });

  it("an initializer of unsupported dtype names it", () => {
    const pm = {
      ir_version: 8,
      opset_import: [{ domain: "", version: 13 }],
      graph: {
        name: "g",
        initializer: [{ name: "w8", dims: [2], data_type: 17, raw_data: new Uint8Array([1, 2]) }],
        node: [{ op_type: "Identity", input: ["w8"], output: ["y"] }],
        output: [{ name: "y", type: { tensor_type: { elem_type: 1 } } }],
      },
    };
    throwsUser(() => decodeModel(encodeModelProto(pm), { file: "f8.onnx" }), UnsupportedTypeError, /initializer 'w8'/, /FLOAT8E4M3FN/);
  });

  it("a sequence-typed graph output", () => {
    const pm = {
      ir_version: 8,
      opset_import: [{ domain: "", version: 13 }],
      graph: {
        name: "g",
        node: [{ op_type: "SplitToSequence", input: ["x"], output: ["s"] }],
        input: [{ name: "x", type: { tensor_type: { elem_type: 1 } } }],
        output: [{ name: "s", type: { sequence_type: { elem_type: { tensor_type: { elem_type: 1 } } } } }],
      },
    };
    throwsUser(() => decodeModel(encodeModelProto(pm)), UnsupportedTypeError, /graph output 's'/, /sequence/);
  });

  it("raw data shorter than the dims say", () => {
    const t = { name: "w", dims: [4], data_type: 1, raw_data: new Uint8Array(12) };
    throwsUser(() => readTensorProto(encodeTensorProto(t), { file: "w.pb" }), UserError, /w\.pb/, /12 bytes/, /16/, /truncated or corrupt/);
  });

  it("readTensorFile on a model file", () => {
    writeFileSync(file("model.onnx"), encodeModel(reluModel()));
    throwsUser(() => readTensorFile(file("model.onnx")), UserError, /model\.onnx/, /not a serialized ONNX TensorProto/);
  });

  it("readTensorFile on a missing file and on an empty file", () => {
    throwsUser(() => readTensorFile(file("missing.pb")), UserError, /missing\.pb/, /no such file/);
    writeFileSync(file("empty.pb"), "");
    throwsUser(() => readTensorFile(file("empty.pb")), UserError, /empty\.pb/, /is empty/);
  });

  it("external data: missing file, and a location outside the model folder", () => {
    const ext = (location: string) => ({
      ir_version: 8,
      opset_import: [{ domain: "", version: 13 }],
      graph: {
        name: "g",
        initializer: [{ name: "w", dims: [2], data_type: 1, data_location: 1, external_data: [{ key: "location", value: location }] }],
        node: [{ op_type: "Identity", input: ["w"], output: ["y"] }],
        output: [{ name: "y", type: { tensor_type: { elem_type: 1 } } }],
      },
    });
    writeFileSync(file("ext.onnx"), encodeModelProto(ext("weights.bin")));
    throwsUser(() => readModel(file("ext.onnx")), UserError, /ext\.onnx/, /initializer 'w'/, /weights\.bin/, /missing/);
    writeFileSync(file("escape.onnx"), encodeModelProto(ext("../../etc/passwd")));
    throwsUser(() => readModel(file("escape.onnx")), UserError, /outside the model's folder/);
    // decodeModel without a baseDir cannot resolve external files, and says so.
    throwsUser(() => decodeModel(readFileSync(file("ext.onnx"))), UserError, /external file 'weights\.bin'/, /readModel/);
  });
});
