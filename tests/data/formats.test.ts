// JSON, CSV and PNG-folder readers, loadData's dispatch, and fitting data to a model input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PNG } from "pngjs";
import { parseJsonData, tensorToNested } from "../../src/data/json.ts";
import { parseCsv } from "../../src/data/csv.ts";
import { readPngFolder } from "../../src/data/png.ts";
import { loadData } from "../../src/data/load.ts";
import { checkSymbols, fitToInput } from "../../src/data/fit.ts";
import { encodeNpy } from "../../src/data/npy.ts";
import { encodeTensor } from "../../src/data/save.ts";
import { batchRanges, concatRows, sliceRows } from "../../src/data/batch.ts";
import { tensor, type NumericArray, type Tensor } from "../../src/graph/tensor.ts";
import type { ValueInfo } from "../../src/graph/graph.ts";
import { UserError } from "../../src/errors.ts";
import { rng } from "../helpers/rng.ts";

const vals = (t: Tensor) => Array.from(t.data as NumericArray);
const userError = (re: RegExp) => (e: unknown) => e instanceof UserError && re.test(e.message);

function withDir(fn: (dir: string) => void) {
  const dir = mkdtempSync(path.join(tmpdir(), "pseudonet-data-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("JSON nested arrays: shape, dtype by content, and round trip through tensorToNested", () => {
  const r = rng(3);
  for (const shape of [[3], [2, 4], [2, 1, 3]]) {
    const n = shape.reduce((a, b) => a * b, 1);
    const t = tensor("float64", shape, Array.from({ length: n }, () => r() - 0.5));
    const back = parseJsonData(JSON.stringify(tensorToNested(t)));
    assert.deepEqual(back.shape, shape);
    assert.equal(back.dtype, "float64");
    assert.deepEqual(vals(back), vals(t));
  }
  assert.equal(parseJsonData("[[1, 2], [3, 4]]").dtype, "int64");
  assert.equal(parseJsonData("[true, false]").dtype, "bool");
  assert.equal(parseJsonData("[1, 2.5]").dtype, "float64");
  assert.deepEqual(parseJsonData("7").shape, []);
});

test("JSON that is not a rectangular numeric array names the offending element", () => {
  assert.throws(() => parseJsonData("[[1, 2], [3]]"), userError(/element \[1\] has 1 entries, expected 2/));
  assert.throws(() => parseJsonData("[[1, 2], 3]"), userError(/element \[1\] is a number, expected an array of 2/));
  assert.throws(() => parseJsonData("[[1, [2]], [3, 4]]"), userError(/element \[0\]\[1\] is an array/));
  assert.throws(() => parseJsonData('[[1, 2], [3, "x"]]'), userError(/element \[1\]\[1\] is the string "x"/));
  assert.throws(() => parseJsonData("[[1, 2], [3, null]]"), userError(/element \[1\]\[1\] is null/));
  assert.throws(() => parseJsonData("[1, true]"), userError(/mixes booleans and numbers/));
  assert.throws(() => parseJsonData("[1, 2"), userError(/invalid JSON/));
});

test("CSV: one row per sample, header detection, separators, and errors naming line and column", () => {
  const plain = parseCsv("1,2,3\n4,5,6\n");
  assert.deepEqual(plain.tensor.shape, [2, 3]);
  assert.equal(plain.tensor.dtype, "int64");
  assert.equal(plain.header, undefined);
  const withHeader = parseCsv("a;b\r\n0.5;-1e-3\r\n\r\n2;inf\r\n");
  assert.deepEqual(withHeader.header, ["a", "b"]);
  assert.deepEqual(withHeader.tensor.shape, [2, 2]);
  assert.equal(withHeader.tensor.dtype, "float64");
  assert.deepEqual(vals(withHeader.tensor), [0.5, -1e-3, 2, Infinity]);
  assert.deepEqual(parseCsv("1.0\t2\n").tensor.dtype, "float64");
  assert.throws(() => parseCsv("1,2\n3\n"), userError(/line 2 has 1 columns, expected 2/));
  assert.throws(() => parseCsv("x,y\n1,2\n3,abc\n"), userError(/line 3, column 2: 'abc' is not a number/));
  assert.throws(() => parseCsv("x,y\n"), userError(/header row but no data/));
});

function writePng(file: string, w: number, h: number, pixel: (x: number, y: number) => [number, number, number]) {
  const png = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [r, g, b] = pixel(x, y);
      const o = (y * w + x) * 4;
      png.data[o] = r;
      png.data[o + 1] = g;
      png.data[o + 2] = b;
      png.data[o + 3] = 255;
    }
  }
  writeFileSync(file, PNG.sync.write(png));
}

test("a folder of PNGs: sorted by name, NCHW float32 in [0, 1], gray or RGB, NHWC on request", () => {
  withDir((dir) => {
    writePng(path.join(dir, "b.png"), 3, 2, (x, y) => [x * 100, x * 100, x * 100]);
    writePng(path.join(dir, "a.png"), 3, 2, (x, y) => [y * 255, y * 255, y * 255]);
    writeFileSync(path.join(dir, "labels.txt"), "ignored");
    const gray = readPngFolder(dir);
    assert.deepEqual(gray.shape, [2, 1, 2, 3]);
    assert.equal(gray.dtype, "float32");
    assert.deepEqual(Array.from(gray.data.slice(0, 6)), [0, 0, 0, 1, 1, 1], "a.png first");
    assert.deepEqual(Array.from(gray.data.slice(6, 9)).map((v) => Math.round(v * 255)), [0, 100, 200]);
    writePng(path.join(dir, "c.png"), 3, 2, () => [255, 0, 51]);
    const rgb = readPngFolder(dir);
    assert.deepEqual(rgb.shape, [3, 3, 2, 3]);
    const c = Array.from(rgb.data.slice(2 * 18, 3 * 18));
    assert.deepEqual([c[0], c[6], c[12]].map((v) => Math.round(v * 255)), [255, 0, 51]);
    const nhwc = readPngFolder(dir, { layout: "NHWC" });
    assert.deepEqual(nhwc.shape, [3, 2, 3, 3]);
    assert.throws(() => readPngFolder(dir, { channels: 1 }), userError(/c\.png is in colour/));
    writePng(path.join(dir, "d.png"), 4, 2, () => [0, 0, 0]);
    assert.throws(() => readPngFolder(dir), userError(/d\.png is 4x2, but a\.png is 3x2/));
  });
  withDir((dir) => {
    assert.throws(() => readPngFolder(dir), userError(/no \.png files/));
    writeFileSync(path.join(dir, "x.png"), "not a png");
    assert.throws(() => readPngFolder(dir), userError(/x\.png is not a readable PNG/));
  });
});

const input = (shape: ValueInfo["shape"], dtype: ValueInfo["dtype"] = "float32"): ValueInfo => ({ name: "x", dtype, shape });

test("fitToInput: symbolic dims accept any size; a wrong dimension is named with what was expected", () => {
  const t = tensor("float32", [5, 4], new Array(20).fill(0));
  assert.deepEqual(fitToInput(t, input(["batch", 4]), "x.npy").notes, []);
  assert.deepEqual(fitToInput(t, input([null, 4]), "x.npy").tensor.shape, [5, 4]);
  assert.throws(() => fitToInput(t, input(["batch", 3]), "x.npy"), userError(/x\.npy has shape \[5, 4\] but model input 'x' expects \[batch, 3\]: dimension 1 is 4, expected 3/));
  assert.throws(() => fitToInput(t, input([2, 4]), "x.npy"), userError(/dimension 0 is 5, expected 2/));
  assert.throws(() => fitToInput(t, input(["n", 4, 1]), "x.npy"), userError(/has 2 dimensions \[5, 4\] but model input 'x' expects \[n, 4, 1\] \(3 dimensions\)/));
  const imgs = fitToInput(tensor("float32", [2, 1, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]), input(["n", 4]), "imgs");
  assert.deepEqual(imgs.tensor.shape, [2, 4]);
  assert.deepEqual(vals(imgs.tensor), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.match(imgs.notes[0], /flattened each sample \[1, 2, 2\] to \[4\]/);
  assert.throws(() => fitToInput(tensor("float32", [2, 1, 2, 2], new Array(8).fill(0)), input(["n", 5]), "imgs"), userError(/4 dimensions/));
  const rows = tensor("float32", [3, 4], new Array(12).fill(0));
  assert.throws(() => fitToInput(rows, input([1, 4]), "x.npy"), userError(/dimension 0 is 3, expected 1/));
  assert.deepEqual(fitToInput(rows, input([1, 4]), "x.npy", { rowsOneByOne: true }).tensor.shape, [3, 4]);
  const one = fitToInput(tensor("float32", [4], [1, 2, 3, 4]), input(["batch", 4]), "x.npy");
  assert.deepEqual(one.tensor.shape, [1, 4]);
  assert.match(one.notes[0], /added a batch axis/);
});

test("fitToInput: float, int, uint8 and bool data convert to a float input; floats are refused for an integer input", () => {
  for (const dtype of ["float64", "int32", "int64", "uint8", "bool"] as const) {
    const f = fitToInput(tensor(dtype, [2], [1, 0]), input(["n"]), "x.npy");
    assert.equal(f.tensor.dtype, "float32");
    assert.deepEqual(vals(f.tensor), [1, 0]);
    assert.match(f.notes.join(), new RegExp(`converted ${dtype} to float32`));
  }
  const ids = fitToInput(tensor("int32", [3], [1, 2, 3]), input(["n"], "int64"), "ids.npy");
  assert.equal(ids.tensor.dtype, "int64");
  assert.throws(() => fitToInput(tensor("float32", [2], [1, 2]), input(["n"], "int64"), "ids.npy"), userError(/ids\.npy holds float32 but model input 'x' wants int64; convert it to integers/));
  assert.throws(() => fitToInput(tensor("int64", [2], [1, 300]), input(["n"], "uint8"), "u.npy"), userError(/value 300 at flat index 1, which does not fit the uint8/));
});

test("checkSymbols: inputs sharing a symbolic dim must agree on its size", () => {
  const a = { input: { name: "a", dtype: "float32", shape: ["batch", 2] } as ValueInfo, tensor: tensor("float32", [3, 2], new Array(6).fill(0)), source: "a.npy" };
  const b = { input: { name: "b", dtype: "float32", shape: ["batch"] } as ValueInfo, tensor: tensor("float32", [4], new Array(4).fill(0)), source: "b.npy" };
  assert.throws(() => checkSymbols([a, b]), userError(/dimension 'batch' is 4 in b\.npy \(input 'b', dimension 0\) but 3 in a\.npy/));
  assert.equal(checkSymbols([a]).get("batch"), 3);
});

test("loadData dispatches on extension and folder, and names the file in errors", () => {
  withDir((dir) => {
    const t = tensor("float64", [2, 2], [1, 2, 3, 4.5]);
    for (const ext of [".npy", ".json", ".csv"]) writeFileSync(path.join(dir, `x${ext}`), encodeTensor(t, `x${ext}`));
    for (const ext of [".npy", ".json", ".csv"]) {
      const got = loadData(path.join(dir, `x${ext}`), input(["n", 2]));
      assert.equal(got.tensor.dtype, "float32", ext);
      assert.deepEqual(vals(got.tensor), [1, 2, 3, 4.5], ext);
    }
    writeFileSync(path.join(dir, "x.txt"), "1 2");
    assert.throws(() => loadData(path.join(dir, "x.txt")), userError(/unknown data format '\.txt'/));
    writeFileSync(path.join(dir, "e.npy"), "");
    assert.throws(() => loadData(path.join(dir, "e.npy")), userError(/e\.npy: the file is empty/));
    assert.throws(() => loadData(path.join(dir, "missing.npy")), userError(/missing\.npy does not exist/));
    writeFileSync(path.join(dir, "w.npy"), encodeNpy(tensor("float32", [2, 3], new Array(6).fill(0))));
    assert.throws(() => loadData(path.join(dir, "w.npy"), input(["n", 2])), userError(/w\.npy has shape \[2, 3\].*dimension 1 is 3, expected 2/));
    mkdirSync(path.join(dir, "imgs"));
    writePng(path.join(dir, "imgs", "0.png"), 2, 2, () => [10, 10, 10]);
    assert.deepEqual(loadData(path.join(dir, "imgs"), input(["n", 2, 2, 1])).tensor.shape, [1, 2, 2, 1], "NHWC from the model's shape");
  });
});

test("batches: slicing then concatenating rows gives the data back", () => {
  const r = rng(5);
  const t = tensor("float32", [7, 3], Array.from({ length: 21 }, r));
  for (const size of [1, 2, 3, 7, 10]) {
    const parts = batchRanges(7, size).map(([s, e]) => sliceRows(t, s, e));
    assert.equal(parts.length, Math.ceil(7 / size));
    const back = concatRows(parts, "y");
    assert.deepEqual(back.shape, [7, 3]);
    assert.deepEqual(vals(back), vals(t));
  }
  assert.throws(() => concatRows([tensor("float32", [1, 2], [0, 0]), tensor("float32", [1, 3], [0, 0, 0])], "output 'y'"), userError(/output 'y' has shape \[1, 3\]/));
});

test("damaged .npz (found by fuzzing): offsets outside the file are one-line errors", async () => {
  const { encodeNpz, decodeNpz } = await import("../../src/data/npz.ts");
  const good = encodeNpz(new Map([["x", tensor("float32", [2, 3], [1, 2, 3, 4, 5, 6])]]));
  assert.deepEqual(decodeNpz(good).get("x")!.shape, [2, 3]);
  // The central directory offset (end record + 16) pointing past the end of the file.
  const far = Buffer.from(good);
  far.writeUInt32LE(far.length + 1000, far.length - 22 + 16);
  assert.throws(() => decodeNpz(far), (e: Error) => e instanceof UserError && /broken zip archive/.test(e.message));
  // A central header whose extra-field length runs past the end of the file (read as a RangeError before the fix).
  const longExtra = Buffer.from(good);
  const cd = longExtra.readUInt32LE(longExtra.length - 22 + 16);
  longExtra.writeUInt16LE(0xfff0, cd + 30);
  assert.throws(() => decodeNpz(longExtra), (e: Error) => e instanceof UserError && /broken zip archive/.test(e.message));
});
