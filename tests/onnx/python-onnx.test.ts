// An independent reader checks our writer: the onnx Python package (Debian's python3-onnx), when present,
// accepts the files we write (onnx.checker) and reads back the same tensor values (onnx.numpy_helper).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, readdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Model } from "../../src/graph/graph.ts";
import { DTYPES, type Tensor } from "../../src/graph/tensor.ts";
import { readModel } from "../../src/onnx/read.ts";
import { writeModel } from "../../src/onnx/write.ts";
import { repoRoot } from "../helpers/corpus.ts";

const PY = "/usr/bin/python3";
const hasOnnx = existsSync(PY) && spawnSync(PY, ["-c", "import onnx, numpy"], { timeout: 60_000 }).status === 0;
const NO_PY = "python3 with onnx and numpy not installed (apt-get install python3-onnx python3-numpy)";

function python(script: string, ...args: string[]): string {
  const r = spawnSync(PY, ["-c", script, ...args], { encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** A model whose initialisers hold one tensor of every dtype, each passed through an Identity to an output. */
function allDtypesModel(): Model {
  const inits = new Map<string, Tensor>();
  const vals = [1, 0, 2, 3, 0, 5];
  for (const dtype of DTYPES) {
    const t: Tensor = dtype === "string"
      ? { dtype, shape: [2, 3], data: ["a", "", "ü", "x y", "1", "z"] }
      : { dtype, shape: [2, 3], data: Float64Array.from(vals.map((v, i) => (dtype.startsWith("float") ? v * 0.5 - i : v))) };
    if (dtype !== "string") {
      const Ctor = { float32: Float32Array, float16: Float32Array, float64: Float64Array, int64: Float64Array, uint64: Float64Array, int8: Int8Array, int16: Int16Array, int32: Int32Array, uint8: Uint8Array, bool: Uint8Array, uint16: Uint16Array, uint32: Uint32Array }[dtype];
      t.data = Ctor.from(t.data as Float64Array);
      if (dtype === "bool") t.data = Uint8Array.from(t.data as Uint8Array, (v) => (v ? 1 : 0));
    }
    inits.set(`w_${dtype}`, t);
  }
  return {
    graph: {
      name: "all_dtypes",
      inputs: [],
      outputs: DTYPES.map((d) => ({ name: `y_${d}`, dtype: d, shape: [2, 3] })),
      nodes: DTYPES.map((d) => ({ name: `id_${d}`, op: "Identity", domain: "", inputs: [`w_${d}`], outputs: [`y_${d}`], attrs: {} })),
      initializers: inits,
      valueInfo: [],
    },
    opset: new Map([["", 17]]),
    irVersion: 8,
    producerName: "pseudonet-test",
    producerVersion: "",
    docString: "",
    metadata: {},
  };
}

describe("files we write, read by the onnx Python package", () => {
  let dir = "";
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "pseudonet-py-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("pass onnx.checker and hold the same tensor values", (t) => {
    if (!hasOnnx) return t.skip(NO_PY);
    const m = allDtypesModel();
    const file = path.join(dir, "all.onnx");
    writeModel(m, file);
    const out = python(
      `import json, sys, onnx
from onnx import numpy_helper
m = onnx.load(sys.argv[1]); onnx.checker.check_model(m)
print(json.dumps({t.name: [str(numpy_helper.to_array(t).dtype), list(t.dims), [x if isinstance(x, str) else (x.decode() if isinstance(x, bytes) else float(x)) for x in numpy_helper.to_array(t).flatten().tolist()]] for t in m.graph.initializer}))`,
      file,
    );
    const got = JSON.parse(out) as Record<string, [string, number[], (number | string)[]]>;
    const npName: Record<string, string> = { float32: "float32", float64: "float64", float16: "float16", string: "object", bool: "bool" };
    for (const [name, tensor] of m.graph.initializers) {
      const [dtype, dims, values] = got[name];
      assert.equal(dtype, npName[tensor.dtype] ?? tensor.dtype, name);
      assert.deepEqual(dims, tensor.shape, name);
      assert.deepEqual(values, Array.from(tensor.data as ArrayLike<number | string>), name);
    }
  });

  it("torch fixtures rewritten by us pass onnx.checker", (t) => {
    if (!hasOnnx) return t.skip(NO_PY);
    const fx = path.join(repoRoot, "tests", "fixtures", "torch");
    const files = readdirSync(fx)
      .filter((d) => existsSync(path.join(fx, d, "model.onnx")))
      .map((d) => {
        const out = path.join(dir, `${d}.onnx`);
        writeModel(readModel(path.join(fx, d, "model.onnx")), out);
        return out;
      });
    assert.ok(files.length > 0);
    python(`import sys, onnx\nfor f in sys.argv[1:]: onnx.checker.check_model(onnx.load(f), full_check=True)`, ...files);
  });
});
