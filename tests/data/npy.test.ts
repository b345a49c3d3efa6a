// .npy / .npz: round trips for every dtype and header version, and files written by real numpy.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { decodeNpy, encodeNpy } from "../../src/data/npy.ts";
import { decodeNpz, encodeNpz } from "../../src/data/npz.ts";
import { tensor, type DType, type NumericArray, type Tensor } from "../../src/graph/tensor.ts";
import { UserError } from "../../src/errors.ts";
import { repoRoot } from "../helpers/corpus.ts";
import { rng } from "../helpers/rng.ts";

const FIX = path.join(repoRoot, "tests/fixtures/npy");
const NUMERIC: DType[] = ["float32", "float64", "float16", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool"];

/** Random values a dtype holds exactly (floats rounded by the dtype's own storage). */
function randomTensor(dtype: DType, shape: number[], r: () => number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const vals = Array.from({ length: n }, () => {
    const u = r();
    if (dtype === "bool") return u < 0.5 ? 0 : 1;
    if (dtype.startsWith("float")) return (u - 0.5) * 1000;
    const bits = Number(dtype.replace(/\D/g, ""));
    const span = 2 ** Math.min(bits, 52);
    return dtype.startsWith("u") ? Math.floor(u * span) : Math.floor((u - 0.5) * span);
  });
  return tensor(dtype, shape, vals);
}

function assertSame(a: Tensor, b: Tensor, what: string) {
  assert.equal(a.dtype, b.dtype, `${what}: dtype`);
  assert.deepEqual(a.shape, b.shape, `${what}: shape`);
  assert.deepEqual(Array.from(a.data as NumericArray), Array.from(b.data as NumericArray), `${what}: values`);
}

test("round trip write -> read for every dtype, header version and a few shapes", () => {
  const r = rng(7);
  for (const dtype of NUMERIC) {
    for (const shape of [[], [0], [5], [2, 3], [2, 1, 3, 2]]) {
      for (const version of [1, 2, 3] as const) {
        const t = randomTensor(dtype, shape, r);
        const bytes = encodeNpy(t, { version });
        assert.equal(bytes[6], version);
        assert.equal((bytes.indexOf(0x0a) + 1) % 64, 0, "data starts on a 64-byte boundary");
        assertSame(decodeNpy(bytes), t, `${dtype} ${JSON.stringify(shape)} v${version}`);
      }
    }
  }
});

test("a header that does not fit v1 is written as v2", () => {
  const t = tensor("float32", new Array(25000).fill(1), [1]);
  const bytes = encodeNpy(t);
  assert.equal(bytes[6], 2);
  assertSame(decodeNpy(bytes), t, "25000-D");
});

test("reads .npy files written by numpy: every dtype, big-endian, Fortran order, v1/v2/v3 headers", () => {
  const expected = JSON.parse(readFileSync(path.join(FIX, "expected.json"), "utf8")) as Record<string, { shape: number[]; values: number[] }>;
  const npys = Object.keys(expected).filter((f) => f.endsWith(".npy"));
  assert.ok(npys.length >= 25);
  for (const f of npys) {
    const t = decodeNpy(readFileSync(path.join(FIX, f)));
    assert.deepEqual(t.shape, expected[f].shape, f);
    assert.deepEqual(Array.from(t.data as NumericArray), expected[f].values, f);
  }
  assert.equal(decodeNpy(readFileSync(path.join(FIX, "le_f2.npy"))).dtype, "float16");
  assert.equal(decodeNpy(readFileSync(path.join(FIX, "be_u8.npy"))).dtype, "uint64");
  assert.equal(decodeNpy(readFileSync(path.join(FIX, "le_b1.npy"))).dtype, "bool");
});

test("what we write is byte-identical to numpy's np.save for the same array", () => {
  for (const f of ["le_f4.npy", "le_i8.npy", "le_b1.npy", "le_u1.npy", "scalar_f8.npy", "empty_f4.npy"]) {
    const bytes = readFileSync(path.join(FIX, f));
    assert.ok(encodeNpy(decodeNpy(bytes)).equals(bytes), f);
  }
});

test("reads .npz archives from np.savez and np.savez_compressed, and writes ones we read back", () => {
  const expected = JSON.parse(readFileSync(path.join(FIX, "expected.json"), "utf8"));
  for (const f of ["pair.npz", "pair_compressed.npz"]) {
    const arrays = decodeNpz(readFileSync(path.join(FIX, f)));
    assert.deepEqual([...arrays.keys()].sort(), ["ids", "x"], f);
    for (const k of ["x", "ids"]) {
      assert.deepEqual(arrays.get(k)!.shape, expected[f][k].shape);
      assert.deepEqual(Array.from(arrays.get(k)!.data as NumericArray), expected[f][k].values);
    }
    const again = decodeNpz(encodeNpz(arrays));
    for (const [k, t] of arrays) assertSame(again.get(k)!, t, `${f}:${k} rewritten`);
  }
});

test("bad .npy input fails with a UserError saying what is wrong", () => {
  const good = encodeNpy(tensor("float32", [2, 3], [1, 2, 3, 4, 5, 6]));
  const cases: [string, Buffer, RegExp][] = [
    ["empty", Buffer.alloc(0), /empty/],
    ["not npy", Buffer.from("hello world, not numpy"), /magic/],
    ["truncated data", good.subarray(0, good.length - 3), /truncated.*needs 24 bytes/],
    ["truncated header", good.subarray(0, 20), /truncated inside its header/],
    ["string dtype", Buffer.from(good.toString("latin1").replace("<f4", "<U1"), "latin1"), /string arrays are not supported/],
    ["object dtype", Buffer.from(good.toString("latin1").replace("'<f4'", "'|O' "), "latin1"), /object \(pickled\)/],
    ["bad version", Buffer.concat([good.subarray(0, 6), Buffer.from([9]), good.subarray(7)]), /version 9/],
  ];
  for (const [what, bytes, re] of cases) {
    assert.throws(() => decodeNpy(bytes), (e: unknown) => e instanceof UserError && re.test(e.message), what);
  }
});

test("int64 values beyond 2^53 are refused, not rounded", () => {
  const t = encodeNpy(tensor("int64", [2], [1, 2]));
  const view = new DataView(t.buffer, t.byteOffset, t.byteLength);
  view.setBigInt64(t.length - 8, 2n ** 60n, true);
  assert.throws(() => decodeNpy(t), /beyond 2\^53/);
});

test("numpy reads back what we write (.npy v1/v2 and .npz), when /usr/bin/python3 has numpy", (t) => {
  const py = "/usr/bin/python3";
  const probe = spawnSync(py, ["-c", "import numpy"], { encoding: "utf8" });
  if (probe.status !== 0) {
    t.skip("no /usr/bin/python3 with numpy; skipping the numpy cross-check");
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), "pseudonet-npy-"));
  try {
    const r = rng(11);
    const named = new Map<string, Tensor>(NUMERIC.map((d, i) => [d, randomTensor(d, [2, i % 3 + 1], r)]));
    writeFileSync(path.join(dir, "all.npz"), encodeNpz(named));
    writeFileSync(path.join(dir, "v2.npy"), encodeNpy(named.get("float32")!, { version: 2 }));
    const script = [
      "import json, sys, numpy as np",
      "z = np.load(sys.argv[1] + '/all.npz')",
      "out = {k: [str(z[k].dtype), list(z[k].shape), z[k].astype(np.float64).ravel().tolist()] for k in z.files}",
      "v = np.load(sys.argv[1] + '/v2.npy')",
      "out['v2'] = [str(v.dtype), list(v.shape), v.astype(np.float64).ravel().tolist()]",
      "print(json.dumps(out))",
    ].join("\n");
    const res = spawnSync(py, ["-c", script, dir], { encoding: "utf8" });
    assert.equal(res.status, 0, res.stderr);
    const got = JSON.parse(res.stdout) as Record<string, [string, number[], number[]]>;
    for (const [d, tt] of named) {
      const [dt, shape, values] = got[d];
      assert.equal(dt, d, `numpy dtype for ${d}`);
      assert.deepEqual(shape, tt.shape, d);
      assert.deepEqual(values, Array.from(tt.data as NumericArray), d);
    }
    assert.deepEqual(got.v2[2], Array.from(named.get("float32")!.data as NumericArray));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("decodeNpy with share: an aligned little-endian array is a view of the buffer given away, with the same values", () => {
  for (const dtype of ["float32", "float64", "int32", "uint8"] as DType[]) {
    const t = tensor(dtype, [3, 5], Array.from({ length: 15 }, (_, i) => i * 3));
    const buf = Buffer.from(encodeNpy(t));
    const copied = decodeNpy(buf), shared = decodeNpy(buf, { share: true });
    assert.deepEqual(Array.from(shared.data as NumericArray), Array.from(copied.data as NumericArray));
    assert.deepEqual(shared.shape, [3, 5]);
    assert.equal((shared.data as NumericArray).buffer, buf.buffer, `${dtype}: a view`);
    assert.notEqual((copied.data as NumericArray).buffer, buf.buffer, `${dtype}: without share, a copy`);
  }
  // Misaligned bytes (the file at an odd offset of a bigger buffer) are copied.
  const t = tensor("float32", [4], [1, 2, 3, 4]);
  const raw = Buffer.from(encodeNpy(t));
  const big = Buffer.alloc(raw.length + 1);
  raw.copy(big, 1);
  const odd = decodeNpy(big.subarray(1), { share: true });
  assert.deepEqual(Array.from(odd.data as NumericArray), [1, 2, 3, 4]);
});
