// Convolution from a dense layer: is W (out x in, over an input image [c, h, w] flattened row-major) a 2-D
// convolution written out as a Toeplitz matrix, with its output units in any order and each unit rescaled?
//
//   row_u = s_u * shift(K_o, window of u)   (clipped at the image border: zero padding)
//   b_u   = s_u * bias_o
//
// Found from the weights alone: each row's support gives its box on the grid; rows with the full box give the
// kernel extent, the dilation (gcd of the offsets used) and the channel kernels (rows equal up to scale);
// every row is then placed at the window (and channel) that explains it best, which also places the
// clipped border rows; the windows' top-left corners give the stride and padding. Kernels, biases and scales
// are then fitted by least squares and the residual is stated; the fit is accepted only when the relative
// residual is within tolerance, so a dense layer that merely looks local (a dense net trained on images)
// stays dense.
import { gcdAll, leastSquaresRefit, type Placement } from "./conv-fit.ts";

/** The image a dense layer reads, channels first. */
export interface ImageGrid {
  c: number;
  h: number;
  w: number;
}

export interface ConvFitOptions {
  /** Largest accepted relative residual ||W - W_conv|| / ||W|| over the rows the conv explains (with biases). */
  tol?: number;
  /** A weight is in a row's support when |w| > support x the row's largest |w| (and it is not among the row's
   *  smallest weights whose energy the placement test lets a row leave outside its window: see rowBoxes). */
  support?: number;
  /** Largest relative residual of the whole fit accepted (default `tol`). The structure (windows, kernels, each
   *  row's placement) is still found at `tol`; a caller that keeps or budgets the residual may accept more. */
  maxResidual?: number;
  /** Scales may be negative (the layer's value is used linearly); else every s_u > 0 (it goes through a ReLU). */
  signFree?: boolean;
  /** Smallest fraction of rows the conv must explain; the others stay dense units beside it. */
  minExplained?: number;
}

/** A convolution explaining (most of) a dense layer. */
export interface ConvFit {
  grid: ImageGrid;
  outChannels: number;
  kernel: [number, number];
  strides: [number, number];
  /** ONNX layout: top, left, bottom, right. */
  pads: [number, number, number, number];
  dilations: [number, number];
  outH: number;
  outW: number;
  /** [outChannels, c, kh, kw]. */
  weight: Float32Array;
  bias: Float32Array;
  /** Per dense row: the conv output it equals up to scale, (o * outH + r) * outW + col, or -1 (not explained). */
  place: Int32Array;
  /** Per dense row: s_u with row_u = s_u * conv row (0 for rows not explained). */
  scale: Float64Array;
  /** Rows explained. */
  explained: number;
  /** Relative and largest absolute residual of the fit over the explained rows (weights and biases). */
  residual: { rel: number; maxAbs: number };
  /** Fraction of the conv's outputs some dense row stands for. */
  coverage: number;
}

export type ConvFitResult = { ok: true; fit: ConvFit } | { ok: false; reason: string };

/** A row's support on the grid, and the |w| over which a weight is in it. */
interface Box { y1: number; y2: number; x1: number; x2: number; thr: number }

/** Per row: the box its support covers on the (y, x) plane (every channel projected), or null when it is zero.
 *  The support leaves out the row's smallest weights whose energy together is within `slack` of the row's: the
 *  share the placement test lets a row leave outside its window (fitExtent), so small weights spread over the
 *  image (weight noise, near-zero weights) do not widen the box of a row that is a shifted kernel. */
function rowBoxes(W: Float32Array, nOut: number, g: ImageGrid, support: number, slack = 0): (Box | null)[] {
  const nIn = g.c * g.h * g.w;
  const boxes: (Box | null)[] = [];
  for (let u = 0; u < nOut; u++) {
    const off = u * nIn;
    let m = 0;
    for (let i = 0; i < nIn; i++) if (Math.abs(W[off + i]) > m) m = Math.abs(W[off + i]);
    if (m === 0) {
      boxes.push(null);
      continue;
    }
    // (A floor at the largest weight would leave no support: then the plain threshold.)
    const floor = slack > 0 ? energyFloor(W, off, nIn, slack) : 0;
    const thr = floor < m ? Math.max(support * m, floor) : support * m;
    const b: Box = { y1: g.h, y2: -1, x1: g.w, x2: -1, thr };
    for (let i = 0; i < nIn; i++) {
      if (!(Math.abs(W[off + i]) > thr)) continue;
      const p = i % (g.h * g.w);
      const y = Math.floor(p / g.w), x = p % g.w;
      if (y < b.y1) b.y1 = y;
      if (y > b.y2) b.y2 = y;
      if (x < b.x1) b.x1 = x;
      if (x > b.x2) b.x2 = x;
    }
    boxes.push(b);
  }
  return boxes;
}

/** Bins per octave of |w| / max |w|, and octaves binned (smaller weights share the last bin): energyFloor. */
const PER_OCTAVE = 4, OCTAVES = 48;

/** The largest |w| of row `off` such that the weights no larger than it hold at most `slack` of the row's energy
 *  (NaN weights, free, left out); 0 when even the smallest holds more. O(row) (energy per magnitude bin, then only
 *  the bin where the slack runs out is sorted), so a wide dense layer costs no sort per row. */
export function energyFloor(W: Float32Array, off: number, nIn: number, slack: number): number {
  let m = 0, total = 0;
  for (let i = 0; i < nIn; i++) {
    const v = W[off + i];
    if (Number.isNaN(v)) continue;
    m = Math.max(m, Math.abs(v));
    total += v * v;
  }
  if (m === 0) return 0;
  const nb = PER_OCTAVE * OCTAVES, energy = new Float64Array(nb);
  const binOf = (a: number) => Math.min(nb - 1, Math.floor(-PER_OCTAVE * Math.log2(a / m)));
  for (let i = 0; i < nIn; i++) {
    const a = Math.abs(W[off + i]);
    if (a > 0) energy[binOf(a)] += a * a;
  }
  // From the smallest bin up: the bins wholly within the slack, then the crossing bin's weights one by one.
  const budget = slack * total;
  let acc = 0, k = nb - 1;
  while (k >= 0 && acc + energy[k] <= budget) acc += energy[k--];
  if (k < 0) return m;
  let floor = k + 1 < nb ? m * 2 ** (-(k + 1) / PER_OCTAVE) : 0;
  const inBin: number[] = [];
  for (let i = 0; i < nIn; i++) {
    const a = Math.abs(W[off + i]);
    if (a > 0 && binOf(a) === k) inBin.push(a);
  }
  inBin.sort((a, c) => a - c);
  for (const a of inBin) {
    acc += a * a;
    if (acc > budget) break;
    floor = Math.max(floor, a);
  }
  return floor;
}

/** The gcd of the (y, x) offsets used by full-extent rows, relative to their box corner: the dilation. */
function dilationOf(W: Float32Array, g: ImageGrid, rows: number[], boxes: (Box | null)[]): [number, number] {
  const nIn = g.c * g.h * g.w;
  const dys: number[] = [], dxs: number[] = [];
  // Every full row: one channel's kernel may skip offsets another uses (Sobel x has no middle column). A weight is
  // an offset when it is in the row's support (its box's threshold: small weights in the gaps are not).
  for (const u of rows) {
    const b = boxes[u]!;
    for (let i = 0; i < nIn; i++) {
      if (!(Math.abs(W[u * nIn + i]) > b.thr)) continue;
      const p = i % (g.h * g.w);
      dys.push(Math.floor(p / g.w) - b.y1);
      dxs.push((p % g.w) - b.x1);
    }
  }
  return [gcdAll(dys) || 1, gcdAll(dxs) || 1];
}

/** The patch [c, kh, kw] of row u under the window with top-left (y0, x0); NaN where the window leaves the image. */
export function patchOf(W: Float32Array, u: number, g: ImageGrid, y0: number, x0: number, kh: number, kw: number, dy: number, dx: number): Float64Array {
  const nIn = g.c * g.h * g.w;
  const p = new Float64Array(g.c * kh * kw);
  for (let ch = 0; ch < g.c; ch++) {
    for (let i = 0; i < kh; i++) {
      const y = y0 + i * dy;
      for (let j = 0; j < kw; j++) {
        const x = x0 + j * dx;
        p[(ch * kh + i) * kw + j] = y >= 0 && y < g.h && x >= 0 && x < g.w ? W[u * nIn + (ch * g.h + y) * g.w + x] : NaN;
      }
    }
  }
  return p;
}

/** Channel kernels from the full-extent rows: rows equal up to a (positive, or any when signFree) scale form one
 *  channel; each kernel is the mean of its rows scaled to unit norm. A kernel must be shared: found at two or more
 *  window positions (`at`: each row's window corner); a pattern seen at one position only (a border row whose
 *  off-window weights widened its box, or the split copies of one such unit) is no channel, and its rows are left
 *  to the placement, which tries every kernel at every window. Undefined when the rows are not shared. */
function clusterKernels(patches: Float64Array[], rows: number[], at: string[], signFree: boolean, tol: number): Float64Array[] | undefined {
  const reps: Float64Array[] = [];
  const sums: Float64Array[] = [];
  const where: Set<string>[] = [];
  const cosMin = 1 - Math.max(tol, 1e-6) * 10;
  for (let k = 0; k < patches.length; k++) {
    const p = patches[k];
    // (A free entry (NaN, see fitConv) says nothing about the kernel: such rows are placed, not clustered.)
    if (p.some((v) => Number.isNaN(v))) continue;
    const n = Math.hypot(...p);
    if (n === 0) continue;
    let found = -1, sign = 1;
    for (let c = 0; c < reps.length && found < 0; c++) {
      let d = 0;
      for (let i = 0; i < p.length; i++) d += p[i] * reps[c][i];
      const cos = d / n;
      if (cos >= cosMin) found = c;
      else if (signFree && -cos >= cosMin) { found = c; sign = -1; }
    }
    if (found < 0) {
      // Weight sharing means few kernels for many rows; a dense layer has one "kernel" per row. Stop early.
      if (reps.length >= Math.max(1, rows.length / 2)) return undefined;
      reps.push(p.map((v) => v / n));
      sums.push(p.map((v) => v / n));
      where.push(new Set([at[k]]));
    } else {
      for (let i = 0; i < p.length; i++) sums[found][i] += (sign * p[i]) / n;
      where[found].add(at[k]);
    }
  }
  const shared = sums.filter((_, c) => where[c].size >= 2);
  if (!shared.length) return undefined;
  return shared.map((s) => {
    const n = Math.hypot(...s);
    return s.map((v) => v / n);
  });
}

/** Fit a convolution to the dense layer y = W x + b over an input image `g`. A NaN weight is free: its input is
 *  provably 0, so any value computes the same (the conv's kernel value is taken there); it neither shapes a row's
 *  window nor counts in the residual. */
export function fitConv(W: Float32Array, b: Float32Array, nOut: number, g: ImageGrid, opts: ConvFitOptions = {}): ConvFitResult {
  const tol = opts.tol ?? 1e-3;
  const support = opts.support ?? 1e-3;
  const signFree = opts.signFree ?? false;
  const minExplained = opts.minExplained ?? 0.5;
  const nIn = g.c * g.h * g.w;
  if (W.length !== nOut * nIn) return { ok: false, reason: `weights are ${W.length} values, not ${nOut} x ${nIn}` };
  if (g.h * g.w < 2) return { ok: false, reason: "the input grid has one position" };
  // (10 tol)^2: the energy the placement test (fitExtent) lets a row leave outside its window.
  const boxes = rowBoxes(W, nOut, g, support, (10 * tol) ** 2);
  // Candidate kernel extents: the box sizes rows have, most common first (rows with a larger box stay dense).
  const counts = new Map<string, number>();
  for (const bx of boxes) if (bx) counts.set(`${bx.y2 - bx.y1 + 1},${bx.x2 - bx.x1 + 1}`, (counts.get(`${bx.y2 - bx.y1 + 1},${bx.x2 - bx.x1 + 1}`) ?? 0) + 1);
  // The largest box is always tried: on a small image with padding, border rows (clipped boxes) can outnumber
  // the interior ones, and a clipped box fits only part of the layer.
  const all = [...counts].sort((a, c) => c[1] - a[1]).map(([k]) => k.split(",").map(Number) as [number, number]);
  const largest = all.reduce((m, e) => (e[0] >= m[0] && e[1] >= m[1] ? e : m), all[0] ?? [0, 0]);
  const extents = [...new Set([largest, ...all.slice(0, 3)])];
  let best: ConvFitResult = { ok: false, reason: "no row has any weight" };
  for (const [ey, ex] of extents) {
    const r = fitExtent(W, b, nOut, g, boxes, ey, ex, { tol, support, signFree, minExplained, maxResidual: opts.maxResidual ?? tol });
    if (r.ok && (!best.ok || r.fit.explained > best.fit.explained)) best = r;
    else if (!r.ok && !best.ok) best = r;
  }
  return best;
}

function fitExtent(W: Float32Array, b: Float32Array, nOut: number, g: ImageGrid, boxes: (Box | null)[], ey: number, ex: number,
  o: Required<ConvFitOptions>): ConvFitResult {
  if (ey === g.h && ex === g.w) return { ok: false, reason: `rows read the whole ${g.h}x${g.w} image: no local window, so no weight sharing to find` };
  const full = boxes.flatMap((bx, u) => (bx && bx.y2 - bx.y1 + 1 === ey && bx.x2 - bx.x1 + 1 === ex ? [u] : []));
  const [dy, dx] = dilationOf(W, g, full, boxes);
  if ((ey - 1) % dy || (ex - 1) % dx) return { ok: false, reason: "inconsistent dilation" };
  const kh = (ey - 1) / dy + 1, kw = (ex - 1) / dx + 1;
  const patches = full.map((u) => patchOf(W, u, g, boxes[u]!.y1, boxes[u]!.x1, kh, kw, dy, dx));
  const kernels = clusterKernels(patches, full, full.map((u) => `${boxes[u]!.y1},${boxes[u]!.x1}`), o.signFree, o.tol);
  if (!kernels) return { ok: false, reason: `the ${full.length} rows with a ${ey}x${ex} window are not shifted copies of a few kernels` };
  // Place every row at the channel and window that explain it best (border rows see part of the kernel).
  const nrm2 = (u: number) => {
    let s = b[u] * b[u];
    for (let i = 0; i < nIn(g); i++) if (!Number.isNaN(W[u * nIn(g) + i])) s += W[u * nIn(g) + i] ** 2;
    return s;
  };
  const places: (Placement | null)[] = boxes.map((bx, u) => {
    if (!bx) return null;
    // A row whose support is wider than the window (small weights beyond it: noise, near-zero weights) is tried at
    // every window; the residual test below, which counts those weights, decides whether it is a shifted kernel.
    const wide = bx.y2 - bx.y1 + 1 > ey || bx.x2 - bx.x1 + 1 > ex;
    const yr = wide ? [1 - ey, g.h - 1] : [bx.y2 - ey + 1, bx.y1], xr = wide ? [1 - ex, g.w - 1] : [bx.x2 - ex + 1, bx.x1];
    let bestP: Placement | null = null;
    let bestRes = Infinity;
    const total = nrm2(u) - b[u] * b[u];
    for (let y0 = yr[0]; y0 <= yr[1]; y0++) {
      for (let x0 = xr[0]; x0 <= xr[1]; x0++) {
        const p = patchOf(W, u, g, y0, x0, kh, kw, dy, dx);
        kernels.forEach((k, ch) => {
          let dot = 0, kk = 0;
          for (let i = 0; i < p.length; i++) if (!Number.isNaN(p[i])) { dot += p[i] * k[i]; kk += k[i] * k[i]; }
          if (kk === 0) return;
          const s = dot / kk;
          if (!o.signFree && s <= 0) return;
          const res = total - (dot * dot) / kk;
          if (res < bestRes - 1e-12 * total) { bestRes = res; bestP = { channel: ch, y0, x0, scale: s }; }
        });
      }
    }
    return bestP && bestRes <= (10 * o.tol) ** 2 * total ? bestP : null;
  });
  const placed = places.flatMap((p, u) => (p ? [u] : []));
  if (placed.length < o.minExplained * nOut) return { ok: false, reason: `only ${placed.length} of ${nOut} rows are shifted copies of ${kernels.length} kernel(s)` };
  // The windows' corners lie on a lattice: its step is the stride, its first corner the (top, left) padding.
  const ys = placed.map((u) => places[u]!.y0), xs = placed.map((u) => places[u]!.x0);
  const yMin = Math.min(...ys), xMin = Math.min(...xs), yMax = Math.max(...ys), xMax = Math.max(...xs);
  const sy = gcdAll(ys.map((y) => y - yMin)) || 1, sx = gcdAll(xs.map((x) => x - xMin)) || 1;
  if (yMin > 0 || xMin > 0) return { ok: false, reason: "the windows start inside the image (a crop, not padding)" };
  const pt = Math.max(0, -yMin), pl = Math.max(0, -xMin);
  if (pt >= ey || pl >= ex) return { ok: false, reason: "padding as wide as the kernel" };
  const pb = Math.max(0, yMax + ey - g.h), pr = Math.max(0, xMax + ex - g.w);
  const outH = Math.floor((g.h + pt + pb - ey) / sy) + 1, outW = Math.floor((g.w + pl + pr - ex) / sx) + 1;
  const positions = outH * outW;
  if (positions < 2) return { ok: false, reason: "one output position: nothing is shared" };
  const params = kernels.length * (g.c * kh * kw + 1);
  if (params * 2 > placed.length * (nIn(g) + 1)) return { ok: false, reason: `a conv would not be smaller than the dense rows it explains` };
  const fit = leastSquaresRefit(W, b, g, places, kernels.length, { kh, kw, dy, dx, sy, sx, pt, pl, outH, outW, signFree: o.signFree });
  const oc = fit.weight.length / (g.c * kh * kw);
  // A conv computes every channel at every position; if the rows use few of those, the "sharing" is a coincidence
  // of a few rows (a locally connected layer reusing some kernels), not a convolution.
  const coverage = fit.covered / (oc * positions);
  if (coverage < 0.5) return { ok: false, reason: `the rows fill only ${(coverage * 100).toFixed(0)}% of the ${oc} x ${outH} x ${outW} outputs a conv would compute` };
  if (fit.residual.rel > o.maxResidual) return { ok: false, reason: `closest conv has relative residual ${fit.residual.rel.toExponential(2)} > tolerance ${o.maxResidual}` };
  return {
    ok: true,
    fit: {
      grid: g, outChannels: oc, kernel: [kh, kw], strides: [sy, sx], pads: [pt, pl, pb, pr], dilations: [dy, dx], outH, outW,
      weight: fit.weight, bias: fit.bias, place: fit.place, scale: fit.scale, explained: placed.length, residual: fit.residual,
      coverage,
    },
  };
}

function nIn(g: ImageGrid): number {
  return g.c * g.h * g.w;
}
