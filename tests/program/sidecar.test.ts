// weights.safetensors: the sidecar format (round trip, alignment, once per tensor, read by an independent numpy
// reader), and explain's two paths: small programs self-contained, big ones (or --weights-file always) referring to
// the sidecar from program.json, program.ts and program.py, each still agreeing with the interpreter and onnxruntime.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Model } from "../../src/graph/graph.ts";
import { f32, tensor, type Tensor } from "../../src/graph/tensor.ts";
import { parseProgram } from "../../src/program/json.ts";
import { readProgramDir } from "../../src/program/load.ts";
import { programTensorBytes, readSidecar, Sidecar, SIDECAR_FILE, wantSidecar } from "../../src/program/sidecar.ts";
import { findPython } from "../../src/verify/artifacts.ts";
import { UserError } from "../../src/errors.ts";
import { OUTPUT_FILES, OUTPUT_FOLDERS } from "../../src/pipeline/output-dir.ts";
import { GraphBuilder } from "../helpers/builder.ts";
import { addDense, randomMLP } from "../helpers/nets.ts";
import { rng } from "../helpers/rng.ts";
import { assertFaithful, explainInto, outDir } from "../e2e/helpers.ts";

const values = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

describe("weights.safetensors format", () => {
  const tensors: [string, Tensor][] = [
    ["a.f32", f32([3, 100], values(300, (i) => Math.sin(i) * 1e3))],
    ["b.i64", tensor("int64", [130], values(130, (i) => (i % 2 ? -1 : 1) * 2 ** 40 * i))],
    ["c.u8", tensor("uint8", [1100], values(1100, (i) => i % 256))],
    ["d.f16", tensor("float16", [600], values(600, (i) => i / 8))],
    ["e.f64", tensor("float64", [200], values(200, (i) => Math.PI * i))],
  ];

  function encodeAll(): { bytes: Uint8Array; keys: string[] } {
    const sc = new Sidecar();
    const keys = tensors.map(([k, t]) => sc.add(k, t.dtype as "float32", t.shape, t.data as ArrayLike<number>));
    return { bytes: sc.encode(), keys };
  }

  it("round-trips every dtype; the data starts 8-aligned and each tensor is aligned to its width", () => {
    const { bytes, keys } = encodeAll();
    const n = Number(Buffer.from(bytes).readBigUInt64LE(0));
    assert.equal((8 + n) % 8, 0);
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString()) as Record<string, { dtype: string; data_offsets: number[] }>;
    const width: Record<string, number> = { F32: 4, I64: 8, U8: 1, F16: 2, F64: 8 };
    let total = 0;
    for (const k of keys) {
      const e = header[k];
      assert.equal(e.data_offsets[0] % width[e.dtype], 0, `${k} is not aligned`);
      total += e.data_offsets[1] - e.data_offsets[0];
    }
    assert.equal(8 + n + total, bytes.length, "the data holds holes or extra bytes");
    const r = readSidecar(bytes, "w.safetensors");
    tensors.forEach(([k, t]) => assert.deepEqual(Array.from(r.read(k, t.dtype as "float32", t.shape, k)), Array.from(t.data as ArrayLike<number>), k));
  });

  it("stores a tensor once however often it is added; key clashes get a suffix; small tensors stay inline", () => {
    const sc = new Sidecar();
    const data = new Float32Array(400);
    assert.equal(sc.add("x", "float32", [400], data), "x");
    assert.equal(sc.add("y", "float32", [400], data), "x");
    assert.equal(sc.add("x", "float32", [400], new Float32Array(400)), "x~2");
    assert.equal(sc.size, 2);
    assert.equal(sc.takes("float32", 10), false);
    assert.equal(sc.takes("float32", 256), true);
  });

  it("a reader that is not pseudonet's (numpy, following the safetensors spec) reads the same values", { skip: findPython().python ? false : "python3 with numpy not found" }, () => {
    const { bytes } = encodeAll();
    const file = path.join(outDir("st"), "..", "w.safetensors");
    writeFileSync(file, bytes);
    const py = `import json, sys, numpy as np
raw = open(sys.argv[1], "rb").read()
n = int.from_bytes(raw[:8], "little")
h = json.loads(raw[8:8 + n])
T = {"F32": "<f4", "I64": "<i8", "U8": "u1", "F16": "<f2", "F64": "<f8"}
out = {}
for k, e in h.items():
    if k == "__metadata__": continue
    a, b = e["data_offsets"]
    out[k] = np.frombuffer(raw[8 + n + a:8 + n + b], dtype=T[e["dtype"]]).reshape(e["shape"]).astype(np.float64).ravel().tolist()
print(json.dumps(out))`;
    const r = spawnSync(findPython().python!, ["-c", py, file], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const got = JSON.parse(r.stdout) as Record<string, number[]>;
    for (const [k, t] of tensors) assert.deepEqual(got[k], Array.from(t.data as ArrayLike<number>), k);
  });

  it("refuses a truncated file or a tensor of the wrong dtype or shape with a one-line error", () => {
    const { bytes } = encodeAll();
    assert.throws(() => readSidecar(bytes.subarray(0, 5), "w.safetensors"), (e: unknown) => e instanceof UserError && /too short/.test(e.message));
    assert.throws(() => readSidecar(bytes.subarray(0, 40), "w.safetensors"), (e: unknown) => e instanceof UserError && /truncated/.test(e.message));
    const r = readSidecar(bytes, "w.safetensors");
    assert.throws(() => r.read("a.f32", "float32", [300, 1], "p"), (e: unknown) => e instanceof UserError && /expected F32 \[300,1\]/.test(e.message));
    assert.throws(() => r.read("nope", "float32", [1], "p"), (e: unknown) => e instanceof UserError && /does not hold/.test(e.message));
  });
});

/** x ** e (an opaque Pow whose exponents are an initializer, so the opaque part has a constant) -> dense layers. */
function powModel(seed: number, n: number): Model {
  const r = rng(seed);
  const b = new GraphBuilder("pow");
  const x = b.input("x", ["batch", n]);
  const p = b.node("/pow", "Pow", [x, b.init("e", f32([n], values(n, (i) => 1 + (i % 3))))]);
  const h = b.node("/act", "Relu", [addDense(r, b, "/fc1", p, n, 40, "gemm")]);
  b.output(addDense(r, b, "/fc2", h, 40, 3, "gemm"), "y", ["batch", 3]);
  return b.model(13);
}

describe("explain with and without weights.safetensors", { concurrency: 2 }, () => {
  const xs = (n: number, width: number) => f32([n, width], values(n * width, (i) => Math.sin(i * 0.37) * 1.5));

  it("--weights-file always: program.json, .ts and .py refer to one sidecar (weights and opaque constants), and all agree", async (t) => {
    const model = powModel(1, 400);
    const data = xs(40, 400);
    const { dir, state } = await explainInto(model, { data: [data], seed: 1, weightsFile: "always" }, "sidecar");
    // Folders (features/ pictures) come and go with the model; the files are what this test pins.
    assert.deepEqual(readdirSync(dir).filter((f) => !(OUTPUT_FOLDERS as readonly string[]).includes(f)).sort(), [...OUTPUT_FILES, SIDECAR_FILE].sort());
    const json = readFileSync(path.join(dir, "program.json"), "utf8");
    assert.match(json, /"weightsFile": "weights.safetensors"/);
    assert.match(json, /"external": "opaque\.[^"]*\.e"/, "the exponents (an opaque part's constant) are not in the sidecar");
    assert.match(json, /"external": "weights\./);
    const ts = readFileSync(path.join(dir, "program.ts"), "utf8"), py = readFileSync(path.join(dir, "program.py"), "utf8");
    assert.match(ts, /^import \{ readFileSync \} from "node:fs";$/m);
    assert.match(ts, /sidecarBytes\("opaque\./);
    assert.match(py, /sidecar_bytes\("opaque\./);
    // Once: the sidecar holds each tensor one time (its size is what the program's big tensors need, plus the header).
    const side = readFileSync(path.join(dir, SIDECAR_FILE));
    const big = programTensorBytes(state.program!);
    assert.ok(side.length < big + 4096 && side.length > 400 * 41 * 4, `sidecar ${side.length} bytes for ${big} bytes of tensors`);
    // The folder loads (program.json + sidecar), and every artifact agrees with onnxruntime on the original.
    assert.deepEqual(readProgramDir(dir).functions.length, state.program!.functions.length);
    await assertFaithful(t, dir, model, [data]);
    // program.json alone (its text without the folder) says where its weights are.
    assert.throws(() => parseProgram(json, "elsewhere/program.json"), (e: unknown) => e instanceof UserError && /weights\.safetensors/.test(e.message));
  });

  it("auto: a small program stays self-contained; one with > 1 MiB of weights gets the sidecar", async (t) => {
    const small = await explainInto(powModel(2, 50), { data: [xs(30, 50)], seed: 1 }, "small");
    assert.deepEqual(readdirSync(small.dir).sort(), [...OUTPUT_FILES].sort());
    assert.match(readFileSync(path.join(small.dir, "program.ts"), "utf8"), /Self-contained TypeScript: no imports/);
    assert.doesNotMatch(readFileSync(path.join(small.dir, "program.py"), "utf8"), /sidecar/);

    const model = randomMLP(rng(3), [600, 520, 4]);
    const x = f32([12, 600], values(12 * 600, (i) => Math.cos(i)));
    const { dir, state } = await explainInto(model, { data: [x], seed: 1 }, "big");
    assert.ok(wantSidecar(state.program!) && programTensorBytes(state.program!) > 2 ** 20);
    assert.ok(readdirSync(dir).includes(SIDECAR_FILE));
    for (const f of ["program.json", "program.ts", "program.py"]) {
      const size = readFileSync(path.join(dir, f)).length;
      assert.ok(size < 200_000, `${f} is ${size} bytes: the weights are still inline`);
    }
    await assertFaithful(t, dir, model, [x]);
  });
});
