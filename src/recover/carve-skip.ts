// Skip connections read back from a carved conv. Simplify's always-on pass makes a ReLU unit whose pre-activation
// is never negative over the box linear (relu(z) = z there) and moves it into its readers as a skip connection
// from the layer's input. Once the layer is carved into a conv, that unit's position is computed again by the
// conv (a conv computes every channel at every position), so the skip can be read from the conv's output:
//
//   S x  =  sum_q c_q T_q x  =  sum_q c_q relu(T_q x + B_q) - sum_q c_q B_q     (z_q = T_q x + B_q >= 0 over the box)
//
// where T_q is the conv's Toeplitz row for output q. c is solved per reader row by least squares over the
// positions whose rows touch the skip row's support, and the row moves only when the fit is exact (rounding
// level), so the rewrite is exact over the box (without one: on every row we have, the evidence always-on used). A reader with no skip left reads the conv's image alone, so a dense
// layer after it can be carved in turn (a 1x1 conv summing channels, say).
import type { Net } from "../net/net.ts";
import { EXACT_REL } from "../passes/index.ts";
import { cholSolve } from "../passes/refit.ts";
import { matmul, partsOf, readParts, writeParts, type AffineOf, type Part } from "../passes/parts-affine.ts";
import type { ConvFit } from "./dense-to-conv.ts";
import { toeplitzRow } from "./carve-residual.ts";

/** The carved layer as the rewrite left it: conv -> act -> flatten [-> concat with dense rows] [-> order layer]. */
export interface CarvedValues {
  fit: ConvFit;
  /** The dense layer's input vector (what a skip connection reads). */
  src: string;
  /** The conv's activation: its outputs are linear where this is the identity. */
  act: "relu" | "leaky_relu" | "identity" | "none";
  /** The flattened image (conv + act), in conv output order. */
  flat: string;
  /** The value the layer's old readers see: `flat`, or a concat of it and the rows left dense. */
  value: string;
  /** The affine layer putting `value` back in the old unit order, if the rewrite made one. */
  order?: string;
}

/** What was read back into one reader. */
export interface SkipAbsorbed {
  reader: string;
  /** Reader rows whose skip was read from the conv, of the rows that had one. */
  rows: number;
  of: number;
  /** Whether the reader still reads the skip value. */
  skipLeft: boolean;
}

/** Most positions one row's least-squares problem may have (a Gram matrix of this side, solved densely). */
const MAX_POSITIONS = 256;

/** Solve G c = r (G symmetric positive semi-definite, m x m) with a tiny ridge (a position's row may repeat another's);
 *  undefined when it fails. */
function solveSpd(G: Float64Array, r: Float64Array, m: number): Float64Array | undefined {
  let diag = 0;
  for (let i = 0; i < m; i++) diag = Math.max(diag, G[i * m + i]);
  if (!(diag > 0)) return undefined;
  const A = Float64Array.from(G);
  for (let i = 0; i < m; i++) A[i * m + i] += 1e-12 * diag;
  return cholSolve(A, r, m);
}

/** The parts of `reader` with the order layer (if any) folded in, so the conv's outputs are columns of their own. */
function unfoldOrder(net: Net, reader: AffineOf, v: CarvedValues): Part[] | undefined {
  const pa = readParts(net, reader);
  const out: Part[] = [];
  for (const p of pa.parts) {
    if (p.id !== v.order) { out.push(p); continue; }
    const order = net.layers.find((x) => x.id === v.order) as AffineOf;
    const width = order.inFeatures;
    const W = matmul(p.W, order.W, pa.out, p.size, width);
    // The order layer reads `value`: the flat image alone, or a concat of it and the dense rows.
    const parts = v.value === v.flat ? [v.flat] : net.layers.find((x) => x.id === v.value)?.inputs ?? [];
    if (parts[0] !== v.flat) return undefined;
    let col = 0;
    for (const id of parts) {
      const size = id === v.flat ? v.fit.outChannels * v.fit.outH * v.fit.outW : width - col;
      const Wp = new Float64Array(pa.out * size);
      for (let r = 0; r < pa.out; r++) for (let c = 0; c < size; c++) Wp[r * size + c] = W[r * width + col + c];
      out.push({ id, size, W: Wp });
      col += size;
    }
  }
  return out;
}

/** Read every reader's skip from `v.src` back from the conv's outputs where that is exact over the evidence;
 *  `lowerOf` gives the conv's pre-activation lower bound per output (over the box, or on every row), asked only when
 *  some reader has such a skip. */
export function absorbSkips(net: Net, v: CarvedValues, lowerOf: () => ArrayLike<number> | undefined): { net: Net; absorbed: SkipAbsorbed[] } {
  if (v.act === "none") return { net, absorbed: [] };
  const readers = net.layers.filter((l): l is AffineOf => l.kind === "affine" && l.inputs.length === 1 &&
    partsOf(net, l.inputs[0], l.id).some((p) => p.id === v.src) && partsOf(net, l.inputs[0], l.id).some((p) => p.id === v.flat || p.id === v.order || p.id === v.value));
  const lower = readers.length ? lowerOf() : undefined;
  if (!lower) return { net, absorbed: [] };
  const fit = v.fit;
  const total = fit.outChannels * fit.outH * fit.outW;
  const plane = fit.outH * fit.outW;
  const nIn = fit.grid.c * fit.grid.h * fit.grid.w;
  // Positions where the activation is the identity over the box, and the inputs each one reads.
  const linear: number[] = [];
  for (let q = 0; q < total; q++) if (v.act === "identity" || lower[q] >= 0) linear.push(q);
  if (!linear.length) return { net, absorbed: [] };
  // Each position's Toeplitz row, sparse (a kernel's worth of entries).
  const rows = new Map<number, { idx: number[]; val: number[] }>();
  const byInput: number[][] = Array.from({ length: nIn }, () => []);
  for (const q of linear) {
    const T = toeplitzRow(fit, q);
    const row = { idx: [] as number[], val: [] as number[] };
    for (let i = 0; i < nIn; i++) if (T[i] !== 0) { row.idx.push(i); row.val.push(T[i]); byInput[i].push(q); }
    rows.set(q, row);
  }
  const dense = new Float64Array(nIn);
  const absorbed: SkipAbsorbed[] = [];
  let cur = net;
  for (const reader0 of readers) {
    const reader = cur.layers.find((x) => x.id === reader0.id) as AffineOf;
    const parts = unfoldOrder(cur, reader, v);
    if (!parts) continue;
    const skip = parts.find((p) => p.id === v.src), img = parts.find((p) => p.id === v.flat);
    if (!skip || !img || skip.size !== nIn) continue;
    const pa = readParts(cur, reader);
    const b = Float64Array.from(pa.b);
    let had = 0, moved = 0;
    for (let r = 0; r < pa.out; r++) {
      const S = skip.W.subarray(r * nIn, (r + 1) * nIn);
      let top = 0;
      for (let i = 0; i < nIn; i++) top = Math.max(top, Math.abs(S[i]));
      if (top === 0) continue;
      had++;
      const cand = new Set<number>();
      for (let i = 0; i < nIn; i++) if (S[i] !== 0) for (const q of byInput[i]) cand.add(q);
      const qs = [...cand];
      const m = qs.length;
      if (!m || m > MAX_POSITIONS) continue;
      // Normal equations of min || S - sum_q c_q T_q ||.
      const G = new Float64Array(m * m), rhs = new Float64Array(m);
      for (let a = 0; a < m; a++) {
        const Ta = rows.get(qs[a])!;
        Ta.idx.forEach((i, k) => { dense[i] = Ta.val[k]; rhs[a] += Ta.val[k] * S[i]; });
        for (let c = a; c < m; c++) {
          const Tc = rows.get(qs[c])!;
          let d = 0;
          Tc.idx.forEach((i, k) => { d += dense[i] * Tc.val[k]; });
          G[a * m + c] = G[c * m + a] = d;
        }
        for (const i of Ta.idx) dense[i] = 0;
      }
      const c = solveSpd(G, rhs, m);
      if (!c) continue;
      const left = Float64Array.from(S);
      qs.forEach((q, a) => { const T = rows.get(q)!; T.idx.forEach((i, k) => { left[i] -= c[a] * T.val[k]; }); });
      let err = 0;
      for (let i = 0; i < nIn; i++) err = Math.max(err, Math.abs(left[i]));
      if (!(err <= EXACT_REL * top)) continue;
      // Exact: read the positions instead of the input (their bias leaves the reader's bias).
      qs.forEach((q, a) => {
        if (c[a] === 0) return;
        img.W[r * total + q] += c[a];
        b[r] -= c[a] * fit.bias[Math.floor(q / plane)];
      });
      S.fill(0);
      moved++;
    }
    if (!moved) continue;
    const skipLeft = skip.W.some((w) => w !== 0);
    const kept = parts.filter((p) => p !== skip || skipLeft);
    cur = writeParts(cur, reader, { ...pa, parts: kept, b });
    absorbed.push({ reader: reader.id, rows: moved, of: had, skipLeft });
  }
  return { net: cur, absorbed };
}
