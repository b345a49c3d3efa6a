// Seeded mutations of the files pseudonet reads: generic byte mutations (bit flips, truncation, splices of the file's
// own chunks), protobuf-aware ones on ONNX models (a varint field blown up or set to a small wrong value, e.g. a
// dtype or a dim; a length prefix blown up), and format-aware ones on .npy headers (huge shape, wrong dtype), CSV,
// JSON data and program.json (values of the wrong type, huge or negative numbers, deleted keys, deep nesting).
// Every mutator is a pure function of (bytes, rng).

/** A mutator: its name and what it does to the bytes. */
export interface Mutator {
  name: string;
  apply(buf: Uint8Array, r: () => number): Uint8Array;
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/** Huge, negative-as-unsigned, zero and off-by-one values a varint field may be set to. */
const VARINTS = [0n, 1n, 2n, 7n, 8n, 13n, 16n, 17n, 255n, 65536n, 2n ** 31n, 2n ** 32n + 1n, 2n ** 40n, 2n ** 53n, 2n ** 63n - 1n, 2n ** 64n - 1n];

function encodeVarint(v: bigint): number[] {
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}

/** One protobuf field seen while walking a message: where its varint (value or length) lies. */
interface Field {
  wire: number;
  /** Byte range of the varint: the value (wire 0) or the length prefix (wire 2). */
  at: number;
  end: number;
  /** For wire 2: the payload range. */
  body?: [number, number];
}

/** Fields of a buffer parsed as a protobuf message (and, best effort, of nested messages), or [] when it is not one. */
export function protoFields(buf: Uint8Array, start = 0, end = buf.length, depth = 0, out: Field[] = []): Field[] {
  let i = start;
  const varint = (): [bigint, number] | undefined => {
    let v = 0n, shift = 0n, j = i;
    while (j < end) {
      const b = buf[j++];
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return [v, j];
      shift += 7n;
      if (shift > 63n) return undefined;
    }
    return undefined;
  };
  const found: Field[] = [];
  while (i < end) {
    const key = varint();
    if (!key || key[0] === 0n) return out;
    i = key[1];
    const wire = Number(key[0] & 7n);
    if (wire === 0) {
      const at = i, v = varint();
      if (!v) return out;
      i = v[1];
      found.push({ wire, at, end: i });
    } else if (wire === 2) {
      const at = i, len = varint();
      if (!len || len[1] + Number(len[0]) > end) return out;
      i = len[1] + Number(len[0]);
      found.push({ wire, at, end: len[1], body: [len[1], i] });
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else return out;
  }
  if (i !== end) return out;
  for (const f of found) {
    out.push(f);
    if (f.body && depth < 6) protoFields(buf, f.body[0], f.body[1], depth + 1, out);
  }
  return out;
}

function splice(buf: Uint8Array, at: number, end: number, bytes: number[]): Uint8Array {
  const out = new Uint8Array(buf.length - (end - at) + bytes.length);
  out.set(buf.subarray(0, at), 0);
  out.set(bytes, at);
  out.set(buf.subarray(end), at + bytes.length);
  return out;
}

const text = (buf: Uint8Array) => Buffer.from(buf).toString("latin1");
const bytes = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));

/** Mutations of any file. */
export const BYTE_MUTATORS: Mutator[] = [
  { name: "bit-flips", apply: (b, r) => { const o = Uint8Array.from(b); for (let k = int(r, 1, 8); k > 0 && o.length; k--) o[int(r, 0, o.length - 1)] ^= 1 << int(r, 0, 7); return o; } },
  { name: "truncate", apply: (b, r) => b.slice(0, int(r, 0, Math.max(0, b.length - 1))) },
  { name: "splice-chunk", apply: (b, r) => { // a chunk of the file copied over another place (or inserted)
    if (b.length < 4) return b;
    const len = int(r, 1, Math.min(64, b.length >> 1)), from = int(r, 0, b.length - len), to = int(r, 0, b.length - 1);
    const chunk = Array.from(b.subarray(from, from + len));
    return r() < 0.5 ? splice(b, to, Math.min(b.length, to + len), chunk) : splice(b, to, to, chunk);
  } },
  { name: "zero-run", apply: (b, r) => { const o = Uint8Array.from(b); const at = int(r, 0, Math.max(0, o.length - 1)); o.fill(r() < 0.5 ? 0 : 0xff, at, at + int(r, 1, 32)); return o; } },
];

/** Mutations of a protobuf file (ONNX models, TensorProto .pb data). */
export const PROTO_MUTATORS: Mutator[] = [
  { name: "varint-blown-up", apply: (b, r) => { // a value (a dim, a dtype, an attribute int, a count) set huge or wrong
    const fs = protoFields(b).filter((f) => f.wire === 0);
    if (!fs.length) return b;
    const f = pick(r, fs);
    return splice(b, f.at, f.end, encodeVarint(pick(r, VARINTS)));
  } },
  { name: "length-blown-up", apply: (b, r) => { // a length prefix claiming more (or fewer) bytes than follow
    const fs = protoFields(b).filter((f) => f.wire === 2);
    if (!fs.length) return b;
    const f = pick(r, fs);
    return splice(b, f.at, f.end, encodeVarint(pick(r, [0n, 1n, 2n ** 31n - 1n, 2n ** 32n, 2n ** 62n, BigInt(b.length)])));
  } },
  { name: "wrong-dtype", apply: (b, r) => { // a small varint (data_type, elem_type, attribute type) set to another small value
    const fs = protoFields(b).filter((f) => f.wire === 0 && f.end - f.at === 1 && b[f.at] <= 16);
    if (!fs.length) return b;
    const f = pick(r, fs);
    return splice(b, f.at, f.end, [int(r, 0, 17)]);
  } },
  { name: "field-dropped", apply: (b, r) => {
    const fs = protoFields(b).filter((f) => f.body);
    if (!fs.length) return b;
    const f = pick(r, fs);
    // drop the payload only: the length prefix now claims bytes that belong to what follows
    return splice(b, f.body![0], f.body![1], []);
  } },
];

/** Mutations of a .npy file's header (shape, dtype, order, header length). */
export const NPY_MUTATORS: Mutator[] = [
  { name: "npy-huge-shape", apply: (b, r) => bytes(text(b).replace(/'shape': \(([^)]*)\)/, () => `'shape': (${pick(r, ["100000000000, 4", "4294967296,", "-1, 3", "3, 0", "99999999, 99999999", "1e9,", "2, 3, 4, 5, 6, 7, 8, 9"])})`)) },
  { name: "npy-wrong-dtype", apply: (b, r) => bytes(text(b).replace(/'descr': '[^']*'/, `'descr': '${pick(r, ["<f2", "<c8", "|O", "<U4", ">f4", "<i8", "|b1", "<f16", "|V8", "<M8[s]", "xyz"])}'`)) },
  { name: "npy-fortran", apply: (b) => bytes(text(b).replace("'fortran_order': False", "'fortran_order': True")) },
  { name: "npy-header-length", apply: (b, r) => { const o = Uint8Array.from(b); if (o.length > 9) { o[8] = int(r, 0, 255); o[9] = int(r, 0, 255); } return o; } },
];

/** Mutations of text data (CSV, JSON data): odd numbers, ragged rows, deep nesting, wrong types. */
export const TEXT_MUTATORS: Mutator[] = [
  { name: "odd-number", apply: (b, r) => { const s = text(b); const m = [...s.matchAll(/-?\d+(\.\d+)?(e-?\d+)?/g)]; if (!m.length) return b; const x = pick(r, m); return bytes(s.slice(0, x.index) + pick(r, ["nan", "NaN", "1e999", "-1e999", "Infinity", "\"3\"", "null", "true", "0x1f", "", "1,2", "[1]", "{}"]) + s.slice(x.index! + x[0].length)); } },
  { name: "ragged", apply: (b, r) => { const lines = text(b).split("\n"); const k = int(r, 0, Math.max(0, lines.length - 1)); lines[k] = r() < 0.5 ? lines[k].split(",").slice(1).join(",") : `${lines[k]},1,2`; return bytes(lines.join("\n")); } },
  { name: "deep-nesting", apply: (b, r) => { const d = pick(r, [50, 1000, 100000]); return bytes(`${"[".repeat(d)}1${"]".repeat(d)}`); } },
  { name: "huge-row-count", apply: (b, r) => bytes(r() < 0.5 ? "1\n".repeat(int(r, 100000, 300000)) : `[${"[0],".repeat(200000)}[0]]`) },
  { name: "empty", apply: (b, r) => bytes(pick(r, ["", "\n", "[]", "[[]]", "{}", "a,b\n", "\uFEFF"])) },
];

/** JSON-aware mutations of program.json: one value somewhere replaced by a value of the wrong type or size. */
export const PROGRAM_MUTATORS: Mutator[] = [
  { name: "json-value", apply: (b, r) => {
    let root: unknown;
    try { root = JSON.parse(Buffer.from(b).toString("utf8")); } catch { return b; }
    const slots: [Record<string, unknown> | unknown[], string | number][] = [];
    const walk = (v: unknown, depth: number) => {
      if (depth > 12 || v === null || typeof v !== "object") return;
      for (const [k, c] of Object.entries(v as Record<string, unknown>)) {
        slots.push([v as Record<string, unknown>, Array.isArray(v) ? Number(k) : k]);
        walk(c, depth + 1);
      }
    };
    walk(root, 0);
    if (!slots.length) return b;
    const [obj, key] = pick(r, slots);
    const o = obj as Record<string | number, unknown>;
    const choice = int(r, 0, 9);
    if (choice === 0 && !Array.isArray(obj)) delete o[key];
    else o[key] = pick(r, [null, -1, 0, 1e12, 2 ** 53, -(2 ** 31), 1.5, "x", "", [], {}, [1e9, 1e9], true, "AAAA", "////", [[-1]]]);
    return new Uint8Array(Buffer.from(JSON.stringify(root)));
  } },
];
