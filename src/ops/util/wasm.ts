// A minimal WebAssembly binary writer: just enough to assemble the SIMD gemm kernel in code,
// so the project needs no wasm toolchain and no binary blob checked in.

/** Value types used by our kernels. */
export const I32 = 0x7f;
export const V128 = 0x7b;

/** One function of a module: signature, extra locals and body bytes (without the final `end`). */
export interface WasmFunc {
  name: string;
  params: number[];
  locals: number[];
  body: number[];
}

/** Unsigned LEB128 encoding of a non-negative integer. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 encoding of a 32-bit integer. */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

/** Instruction helpers: each returns the bytes of one instruction. */
export const ins = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (n: number) => [0x41, ...sleb(n)],
  add: [0x6a],
  sub: [0x6b],
  mul: [0x6c],
  geU: [0x4f],
  eqz: [0x45],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  else: [0x05],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  /** i32.load (4-byte aligned) with a byte offset. */
  i32load: (offset: number) => [0x28, 2, ...uleb(offset)],
  /** i32.load8_u: one byte, zero-extended. */
  i32load8u: (offset: number) => [0x2d, 0, ...uleb(offset)],
  f32load: (offset: number) => [0x2a, 2, ...uleb(offset)],
  f32store: (offset: number) => [0x38, 2, ...uleb(offset)],
  /** v128.load with a byte offset (align hint 16 bytes). */
  vload: (offset: number) => [0xfd, ...uleb(0x00), 4, ...uleb(offset)],
  /** v128.store with a byte offset. */
  vstore: (offset: number) => [0xfd, ...uleb(0x0b), 4, ...uleb(offset)],
  /** v128.load32_splat: one f32 broadcast to all four lanes. */
  vsplat32: (offset: number) => [0xfd, ...uleb(0x09), 2, ...uleb(offset)],
  vzero: [0xfd, ...uleb(0x0c), ...new Array<number>(16).fill(0)],
  f32x4add: [0xfd, ...uleb(0xe4)],
  f32x4mul: [0xfd, ...uleb(0xe6)],
} as const;

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
}

/** Assemble a module exporting its functions (void results) and one growable memory named "mem". */
export function assemble(funcs: WasmFunc[], memPages: number): Uint8Array<ArrayBuffer> {
  const types = funcs.map((f) => [0x60, ...vec(f.params.map((p) => [p])), 0]);
  const code = funcs.map((f) => {
    // Run-length group the locals by type, as the format wants.
    const groups: number[][] = [];
    for (const t of f.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const body = [...vec(groups.map(([n, t]) => [...uleb(n), t])), ...f.body, 0x0b];
    return [...uleb(body.length), ...body];
  });
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(3, vec(funcs.map((_, i) => uleb(i)))),
    ...section(5, vec([[0x00, ...uleb(memPages)]])),
    ...section(7, vec([...funcs.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]), [...name("mem"), 0x02, 0]])),
    ...section(10, vec(code)),
  ];
  return new Uint8Array(bytes);
}
