// The float32 micro-kernel of sgemm (and a panel gather for packing B), as WebAssembly SIMD (f32x4)
// assembled at load time.
//
// Scalar JS tops out near 1.8 GMAC/s on this machine whatever the unrolling (measured: 4x4, 3x4, 6x2 ...
// register tiles all land there); 128-bit SIMD lets one core do several times that. The kernel is the
// classic BLAS shape: A and B are packed into panels contiguous in k, and each MR x 8 tile of C is
// accumulated in registers over the k loop (innermost), then stored (or added to what is there).
import { assemble, ins, I32, V128 } from "./wasm.ts";

/** Rows of C per register tile. */
export const MR = 4;
/** Columns of C per register tile (two f32x4 vectors). */
export const NR = 8;

// Parameter and local indices of the kernel function.
const P_AP = 0, P_BP = 1, P_C = 2, P_MP = 3, P_NP = 4, P_KC = 5, P_LDC = 6, P_ACC = 7;
const L_I = 8, L_J = 9, L_K = 10, L_PA = 11, L_PB = 12, L_PC = 13, L_ROW = 14;
const V_ACC = 15; // MR * 2 accumulators from here
const V_B0 = V_ACC + MR * 2, V_B1 = V_B0 + 1, V_A = V_B1 + 1;

/**
 * kernel(ap, bp, c, mPanels, nPanels, kc, ldcBytes, accumulate): for every panel pair, C tile (+)= Ap_i · Bp_j.
 * Ap: mPanels panels of kc x MR floats (k-major); Bp: nPanels panels of kc x NR floats; C row-major, ldc in bytes.
 */
function kernelBody(): number[] {
  const { get, set, tee, i32, add, mul, geU, block, loop, end, br, brIf } = ins;
  const b: number[] = [];
  const emit = (...xs: (readonly number[])[]) => xs.forEach((x) => b.push(...x));
  const accRow = (r: number, h: number) => V_ACC + r * 2 + h;

  emit(i32(0), set(L_I), block, loop);
  emit(get(L_I), get(P_MP), geU, brIf(1));
  emit(i32(0), set(L_J), block, loop);
  emit(get(L_J), get(P_NP), geU, brIf(1));
  // pa = ap + i*kc*MR*4; pb = bp + j*kc*NR*4; pc = c + i*MR*ldc + j*NR*4
  emit(get(P_AP), get(L_I), get(P_KC), mul, i32(MR * 4), mul, add, set(L_PA));
  emit(get(P_BP), get(L_J), get(P_KC), mul, i32(NR * 4), mul, add, set(L_PB));
  emit(get(P_C), get(L_I), i32(MR), mul, get(P_LDC), mul, add, get(L_J), i32(NR * 4), mul, add, set(L_PC));
  // Accumulators start from C (accumulate) or zero.
  emit(get(P_ACC), ins.if);
  emit(get(L_PC), set(L_ROW));
  for (let r = 0; r < MR; r++) {
    emit(get(L_ROW), ins.vload(0), set(accRow(r, 0)), get(L_ROW), ins.vload(16), set(accRow(r, 1)));
    if (r < MR - 1) emit(get(L_ROW), get(P_LDC), add, set(L_ROW));
  }
  emit(ins.else);
  for (let r = 0; r < MR; r++) emit(ins.vzero, set(accRow(r, 0)), ins.vzero, set(accRow(r, 1)));
  emit(end);
  // The k loop: two B vectors, MR broadcast A scalars, 2*MR multiply-adds.
  emit(get(P_KC), set(L_K), loop);
  emit(get(L_PB), ins.vload(0), set(V_B0), get(L_PB), ins.vload(16), set(V_B1));
  for (let r = 0; r < MR; r++) {
    emit(get(L_PA), ins.vsplat32(r * 4), set(V_A));
    for (let h = 0; h < 2; h++) {
      emit(get(accRow(r, h)), get(V_A), get(h ? V_B1 : V_B0), ins.f32x4mul, ins.f32x4add, set(accRow(r, h)));
    }
  }
  emit(get(L_PA), i32(MR * 4), add, set(L_PA), get(L_PB), i32(NR * 4), add, set(L_PB));
  emit(get(L_K), i32(1), ins.sub, tee(L_K), brIf(0), end);
  // Store the tile.
  emit(get(L_PC), set(L_ROW));
  for (let r = 0; r < MR; r++) {
    emit(get(L_ROW), get(accRow(r, 0)), ins.vstore(0), get(L_ROW), get(accRow(r, 1)), ins.vstore(16));
    if (r < MR - 1) emit(get(L_ROW), get(P_LDC), add, set(L_ROW));
  }
  emit(get(L_J), i32(1), add, set(L_J), br(0), end, end);
  emit(get(L_I), i32(1), add, set(L_I), br(0), end, end);
  return b;
}

// gather(dst, colp, flagp, rowp, kc, panels): packs `panels` NR-column panels of a B block from data already
// in wasm memory. Element (k, j) lives at byte address col[j] + row[k]; colp points at the block's first
// column address (i32 each), rowp at its first row offset (i32 bytes each), flagp at one byte per panel:
// 1 when the panel's NR columns are consecutive floats (two v128 copies per k), else 8 scalar copies.
const G_DST = 0, G_COLP = 1, G_FLAGP = 2, G_ROWP = 3, G_KC = 4, G_PANELS = 5;
const G_K = 6, G_R = 7, G_O = 8, G_C0 = 9; // G_C0 .. G_C0 + NR - 1: the panel's column addresses

function gatherBody(): number[] {
  const { get, set, tee, i32, add, sub, loop, end, brIf } = ins;
  const b: number[] = [];
  const emit = (...xs: (readonly number[])[]) => xs.forEach((x) => b.push(...x));
  const step = (contig: boolean) => {
    emit(get(G_ROWP), set(G_R), get(G_KC), set(G_K), loop);
    emit(get(G_R), ins.i32load(0), set(G_O));
    if (contig) {
      emit(get(G_DST), get(G_C0), get(G_O), add, ins.vload(0), ins.vstore(0));
      emit(get(G_DST), get(G_C0), get(G_O), add, ins.vload(16), ins.vstore(16));
    } else {
      for (let c = 0; c < NR; c++) emit(get(G_DST), get(G_C0 + c), get(G_O), add, ins.f32load(0), ins.f32store(c * 4));
    }
    emit(get(G_DST), i32(NR * 4), add, set(G_DST), get(G_R), i32(4), add, set(G_R));
    emit(get(G_K), i32(1), sub, tee(G_K), brIf(0), end);
  };
  emit(loop);
  for (let c = 0; c < NR; c++) emit(get(G_COLP), ins.i32load(c * 4), set(G_C0 + c));
  emit(get(G_FLAGP), ins.i32load8u(0), ins.if);
  step(true);
  emit(ins.else);
  step(false);
  emit(end);
  emit(get(G_COLP), i32(NR * 4), add, set(G_COLP), get(G_FLAGP), i32(1), add, set(G_FLAGP));
  emit(get(G_PANELS), i32(1), sub, tee(G_PANELS), brIf(0), end);
  return b;
}

/** The instantiated kernels and their shared memory (addresses are byte offsets into it). */
export interface SimdKernel {
  mem: WebAssembly.Memory;
  kernel: (ap: number, bp: number, c: number, mPanels: number, nPanels: number, kc: number, ldcBytes: number, acc: number) => void;
  gather: (dst: number, colp: number, flagp: number, rowp: number, kc: number, panels: number) => void;
}

/** Assemble and instantiate the kernel; undefined when this runtime has no wasm SIMD. */
export function loadSimdKernel(): SimdKernel | undefined {
  const locals = [...new Array<number>(L_ROW - L_I + 1).fill(I32), ...new Array<number>(MR * 2 + 3).fill(V128)];
  const bytes = assemble([
    { name: "kernel", params: new Array<number>(8).fill(I32), locals, body: kernelBody() },
    { name: "gather", params: new Array<number>(G_K).fill(I32), locals: new Array<number>(G_C0 + NR - G_K).fill(I32), body: gatherBody() },
  ], 1);
  try {
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    const e = inst.exports as unknown as SimdKernel;
    return { mem: e.mem, kernel: e.kernel, gather: e.gather };
  } catch {
    return undefined;
  }
}
