// Every TensorProto encoding the reader accepts (raw_data and the typed *_data fields) for every dtype,
// and the writer's raw_data round trip on seeded random tensors.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DTYPES, halfToFloat, type DType, type Tensor } from "../../src/graph/tensor.ts";
import { readTensorProto } from "../../src/onnx/read.ts";
import { codeOfDtype } from "../../src/onnx/dtype.ts";
import { encodeTensorProto } from "../../src/onnx/proto.ts";
import { encodeTensor } from "../../src/onnx/tensorproto.ts";
import { rng } from "../helpers/rng.ts";

interface Sample {
  dtype: DType;
  /** The values as the Tensor holds them. */
  values: number[] | string[];
  /** The typed field that carries them and its contents. */
  field: string;
  fieldValues: unknown[];
  /** Little-endian raw bytes, written here with DataView (independently of the writer). */
  raw?: (dv: DataView, i: number, v: number) => void;
  size: number;
}

// float16 values exactly representable in half precision, with their bit patterns.
const HALF = [0, 1, -2, 0.5, 65504, 2 ** -24, Infinity, -0.0999755859375];
const HALF_BITS = [0x0000, 0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x7c00, 0xae66];

const SAMPLES: Sample[] = [
  { dtype: "float32", values: [0, -1.5, 3.25, Math.fround(1e-30), -Infinity], field: "float_data", fieldValues: [0, -1.5, 3.25, 1e-30, -Infinity], raw: (d, o, v) => d.setFloat32(o, v, true), size: 4 },
  { dtype: "float64", values: [0.1, -2, 1e300], field: "double_data", fieldValues: [0.1, -2, 1e300], raw: (d, o, v) => d.setFloat64(o, v, true), size: 8 },
  { dtype: "float16", values: HALF, field: "int32_data", fieldValues: HALF_BITS, raw: (d, o, _v) => d.setUint16(o, HALF_BITS[o / 2], true), size: 2 },
  { dtype: "int8", values: [-128, -1, 0, 127], field: "int32_data", fieldValues: [-128, -1, 0, 127], raw: (d, o, v) => d.setInt8(o, v), size: 1 },
  { dtype: "int16", values: [-32768, 5, 32767], field: "int32_data", fieldValues: [-32768, 5, 32767], raw: (d, o, v) => d.setInt16(o, v, true), size: 2 },
  { dtype: "int32", values: [-(2 ** 31), 7, 2 ** 31 - 1], field: "int32_data", fieldValues: [-(2 ** 31), 7, 2 ** 31 - 1], raw: (d, o, v) => d.setInt32(o, v, true), size: 4 },
  { dtype: "int64", values: [-(2 ** 53), -1, 0, 2 ** 40 + 3], field: "int64_data", fieldValues: [-(2 ** 53), -1, 0, 2 ** 40 + 3], raw: (d, o, v) => d.setBigInt64(o, BigInt(v), true), size: 8 },
  { dtype: "uint8", values: [0, 200, 255], field: "int32_data", fieldValues: [0, 200, 255], raw: (d, o, v) => d.setUint8(o, v), size: 1 },
  { dtype: "uint16", values: [0, 65535], field: "int32_data", fieldValues: [0, 65535], raw: (d, o, v) => d.setUint16(o, v, true), size: 2 },
  { dtype: "uint32", values: [0, 2 ** 32 - 1], field: "uint64_data", fieldValues: [0, 2 ** 32 - 1], raw: (d, o, v) => d.setUint32(o, v, true), size: 4 },
  { dtype: "uint64", values: [0, 2 ** 52 + 1], field: "uint64_data", fieldValues: [0, 2 ** 52 + 1], raw: (d, o, v) => d.setBigUint64(o, BigInt(v), true), size: 8 },
  { dtype: "bool", values: [1, 0, 1], field: "int32_data", fieldValues: [1, 0, 1], raw: (d, o, v) => d.setUint8(o, v), size: 1 },
  { dtype: "string", values: ["", "héllo", "a b"], field: "string_data", fieldValues: ["", "héllo", "a b"].map((s) => new TextEncoder().encode(s)), size: 0 },
];

function read(msg: object): Tensor {
  return readTensorProto(encodeTensorProto(msg)).tensor;
}

function assertValues(t: Tensor, s: Sample): void {
  assert.equal(t.dtype, s.dtype);
  assert.deepEqual(t.shape, [s.values.length]);
  assert.deepEqual(Array.from(t.data as ArrayLike<number | string>), s.values);
}

describe("TensorProto decoding", () => {
  for (const s of SAMPLES) {
    it(`${s.dtype} from ${s.field}`, () => {
      const t = read({ name: "t", dims: [s.values.length], data_type: codeOfDtype(s.dtype), [s.field]: s.fieldValues });
      assertValues(t, s);
    });
    if (s.raw) {
      it(`${s.dtype} from raw_data`, () => {
        const bytes = new Uint8Array(s.values.length * s.size);
        const dv = new DataView(bytes.buffer);
        (s.values as number[]).forEach((v, i) => s.raw!(dv, i * s.size, v));
        assertValues(read({ name: "t", dims: [s.values.length], data_type: codeOfDtype(s.dtype), raw_data: bytes }), s);
      });
    }
  }

  it("float16 NaN bits decode to NaN", () => {
    const t = read({ dims: [2], data_type: 10, int32_data: [0x7e00, 0xfc01] });
    assert.ok(Number.isNaN(t.data[0] as number) && Number.isNaN(t.data[1] as number));
    assert.equal(halfToFloat(0x7bff), 65504);
  });

  it("scalars, zero-size tensors and the name", () => {
    const s = readTensorProto(encodeTensorProto({ name: "pi", data_type: 1, float_data: [3.5] }));
    assert.equal(s.name, "pi");
    assert.deepEqual(s.tensor.shape, []);
    assert.deepEqual([...(s.tensor.data as Float32Array)], [3.5]);
    const z = read({ dims: [3, 0], data_type: 7 });
    assert.deepEqual(z.shape, [3, 0]);
    assert.equal(z.data.length, 0);
  });

  it("INT64_MAX and INT64_MIN survive a write (clamped, not wrapped)", () => {
    const bytes = new Uint8Array(16);
    const dv = new DataView(bytes.buffer);
    dv.setBigInt64(0, 2n ** 63n - 1n, true);
    dv.setBigInt64(8, -(2n ** 63n), true);
    const t = read({ dims: [2], data_type: 7, raw_data: bytes });
    const again = readTensorProto(encodeTensorProto(encodeTensor(t, "ends"))).tensor;
    assert.ok((again.data[0] as number) > 9e18, `INT64_MAX became ${again.data[0]}`);
    assert.ok((again.data[1] as number) < -9e18, `INT64_MIN became ${again.data[1]}`);
  });
});

/** A seeded random tensor of a dtype, with values its storage holds exactly. */
function randomTensor(dtype: DType, r: () => number): Tensor {
  const rank = Math.floor(r() * 4);
  const shape = Array.from({ length: rank }, () => Math.floor(r() * 4));
  const n = shape.reduce((a, b) => a * b, 1);
  const pick = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const gen: Record<DType, () => number | string> = {
    float32: () => Math.fround((r() - 0.5) * 10 ** pick(-5, 5)),
    float64: () => (r() - 0.5) * 10 ** pick(-100, 100),
    float16: () => halfToFloat(pick(0, 0x7bff) | (r() < 0.5 ? 0x8000 : 0)),
    int8: () => pick(-128, 127),
    int16: () => pick(-32768, 32767),
    int32: () => pick(-(2 ** 31), 2 ** 31 - 1),
    int64: () => pick(-(2 ** 53), 2 ** 53),
    uint8: () => pick(0, 255),
    uint16: () => pick(0, 65535),
    uint32: () => pick(0, 2 ** 32 - 1),
    uint64: () => pick(0, 2 ** 53),
    bool: () => pick(0, 1),
    string: () => String.fromCharCode(...Array.from({ length: pick(0, 5) }, () => pick(32, 0x24f))),
  };
  const values = Array.from({ length: n }, gen[dtype]);
  const t: Tensor = { dtype, shape, data: [] };
  if (dtype === "string") t.data = values as string[];
  else {
    const Ctor = { float32: Float32Array, float16: Float32Array, float64: Float64Array, int64: Float64Array, uint64: Float64Array, int8: Int8Array, int16: Int16Array, int32: Int32Array, uint8: Uint8Array, bool: Uint8Array, uint16: Uint16Array, uint32: Uint32Array }[dtype];
    t.data = Ctor.from(values as number[]);
  }
  return t;
}

describe("TensorProto encoding round trip", () => {
  for (const dtype of DTYPES) {
    it(`${dtype}: decode(encode(t)) equals t on 50 seeded tensors`, () => {
      const r = rng(1000 + DTYPES.indexOf(dtype));
      for (let k = 0; k < 50; k++) {
        const t = randomTensor(dtype, r);
        const back = readTensorProto(encodeTensorProto(encodeTensor(t, `t${k}`)));
        assert.equal(back.name, `t${k}`);
        assert.deepStrictEqual(back.tensor, t);
      }
    });
  }
});
