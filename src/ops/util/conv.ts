// Convolution kernels over the 3-D normalised geometry (spatial.ts): Conv = im2col + gemm (batched over
// images when each image's output is small), a direct loop when every output channel reads a single
// input channel (depthwise), and ConvTranspose = gemm + col2im. Float32Array or Float64Array throughout
// (ConvInteger runs the Float64 path: exact integer sums).
import { gemm, simdActive, type FloatArray } from "./gemm.ts";
import { convGather, im2col } from "./im2col.ts";
import type { Geom3 } from "./spatial.ts";

/** Sizes of one convolution: batch n, input channels c, output channels m, groups, and the window geometry. */
export interface ConvProblem {
  n: number;
  c: number;
  m: number;
  group: number;
  g: Geom3;
}

// Columns of one batched gemm (images x output positions): enough to amortise the per-call packing.
const TARGET_COLS = 8192;
// Largest im2col buffer (elements) on the materialised path before batching fewer images.
const COL_LIMIT = 1 << 24;

const vol = (v: readonly number[]) => v[0] * v[1] * v[2];

// Reusable im2col buffers per element type.
let scratch32 = new Float32Array(0);
let scratch64 = new Float64Array(0);

/** A scratch array of the same element type as `like`, at least n long (contents undefined). */
function scratch(like: FloatArray, n: number): FloatArray {
  if (like instanceof Float32Array) {
    if (scratch32.length < n) scratch32 = new Float32Array(n);
    return scratch32;
  }
  if (scratch64.length < n) scratch64 = new Float64Array(n);
  return scratch64;
}

/** y[N, M, out...] = conv(x[N, C, in...], w[M, C/group, k...]) + bias[M]; y is fully overwritten. */
export function convForward(x: FloatArray, w: FloatArray, bias: FloatArray | undefined, p: ConvProblem, y: FloatArray): void {
  const { n, c, m, group, g } = p;
  const cg = c / group, mg = m / group;
  const inVol = vol(g.in), outVol = vol(g.out), kk = cg * vol(g.kernel);
  if (cg === 1 && group > 1) {
    depthwise(x, w, p, y);
    if (bias) addBias(y, bias, n, m, outVol);
    return;
  }
  const pointwise = kk === cg && g.strides.every((s) => s === 1) && g.padBegin.every((q) => q === 0) && inVol === outVol;
  const gathered = !pointwise && x instanceof Float32Array && simdActive();
  // Several images per gemm: column j is image j / outVol; cGroups sends each image's columns to its planes.
  const limit = pointwise ? 1 : gathered ? Infinity : Math.floor(COL_LIMIT / (kk * outVol));
  const nb = Math.max(1, Math.min(n, Math.ceil(TARGET_COLS / outVol), limit));
  const src = gathered ? convGather(x as Float32Array, nb, c * inVol, cg, g) : undefined;
  const col = !pointwise && !gathered ? scratch(x, kk * nb * outVol) : undefined;
  for (let b0 = 0; b0 < n; b0 += nb) {
    const nbb = Math.min(nb, n - b0);
    const gather = src && nbb < nb ? convGather(x as Float32Array, nbb, c * inVol, cg, g) : src;
    for (let gi = 0; gi < group; gi++) {
      const first = (b0 * c + gi * cg) * inVol;
      // op(B) is [kk, nbb * outVol]: the input planes themselves (1x1), gathered panels, or im2col.
      let b: FloatArray = x, bOffset = 0, ldb = 0;
      if (pointwise) {
        bOffset = first;
        ldb = inVol;
      } else if (gather) gather.base = first;
      else {
        for (let i = 0; i < nbb; i++) im2col(x, first + i * c * inVol, cg, g, col!, i * outVol, nbb * outVol);
        b = col!;
        ldb = nbb * outVol;
      }
      gemm({
        m: mg, n: nbb * outVol, k: kk,
        a: w, aOffset: gi * mg * kk,
        b, bOffset, ldb: ldb || undefined, bGather: gather,
        c: y, cOffset: (b0 * m + gi * mg) * outVol, ldc: outVol, cGroups: { size: outVol, stride: m * outVol },
        rowBias: bias?.subarray(gi * mg, (gi + 1) * mg),
      });
    }
  }
}

/** y[b, ch, :] += bias[ch]. */
export function addBias(y: FloatArray, bias: FloatArray, n: number, m: number, plane: number): void {
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < m; ch++) {
      const v = bias[ch];
      if (v === 0) continue;
      const o = (b * m + ch) * plane;
      for (let i = 0; i < plane; i++) y[o + i] += v;
    }
  }
}

/** Depthwise (group == C > 1): each output channel reads one input channel, and a direct loop beats per-group gemms with m = 1. */
function depthwise(x: FloatArray, w: FloatArray, p: ConvProblem, y: FloatArray): void {
  const { n, c, m, group, g } = p;
  const mg = m / group;
  const [D, H, W] = g.in, [OD, OH, OW] = g.out, [KD, KH, KW] = g.kernel;
  const [sz, sy, sx] = g.strides, [dz, dy, dx] = g.dilations, [pz, py, px] = g.padBegin;
  const inVol = D * H * W, outVol = OD * OH * OW, kVol = KD * KH * KW;
  y.fill(0, 0, n * m * outVol);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < m; ch++) {
      const xp = (b * c + Math.floor(ch / mg)) * inVol;
      const yp = (b * m + ch) * outVol;
      let t = ch * kVol;
      for (let kz = 0; kz < KD; kz++) {
        for (let ky = 0; ky < KH; ky++) {
          for (let kx = 0; kx < KW; kx++, t++) {
            const wv = w[t];
            const x0 = kx * dx - px;
            const lo = x0 >= 0 ? 0 : Math.min(OW, Math.ceil(-x0 / sx));
            const hi = Math.max(lo, Math.min(OW, Math.floor((W - 1 - x0) / sx) + 1));
            for (let oz = 0; oz < OD; oz++) {
              const iz = oz * sz - pz + kz * dz;
              if (iz < 0 || iz >= D) continue;
              for (let oy = 0; oy < OH; oy++) {
                const iy = oy * sy - py + ky * dy;
                if (iy < 0 || iy >= H) continue;
                const base = xp + (iz * H + iy) * W + x0;
                const o = yp + (oz * OH + oy) * OW;
                for (let ox = lo; ox < hi; ox++) y[o + ox] += wv * x[base + ox * sx];
              }
            }
          }
        }
      }
    }
  }
}

/**
 * ConvTranspose: y[N, M, out...] = convT(x[N, C, in...], w[C, M/group, k...]) + bias. Per image and group,
 * col = W_g^T · X_g (gemm), then every column entry is added into the output position it maps to (col2im).
 */
export function convTransposeForward(x: FloatArray, w: FloatArray, bias: FloatArray | undefined, p: ConvProblem, y: FloatArray): void {
  const { n, c, m, group, g } = p;
  const cg = c / group, mg = m / group;
  const inVol = vol(g.in), outVol = vol(g.out), kVol = vol(g.kernel);
  const rows = mg * kVol;
  const col = scratch(x, rows * inVol);
  y.fill(0, 0, n * m * outVol);
  for (let b = 0; b < n; b++) {
    for (let gi = 0; gi < group; gi++) {
      gemm({
        m: rows, n: inVol, k: cg,
        a: w, aOffset: gi * cg * rows, lda: rows, transA: true,
        b: x, bOffset: (b * c + gi * cg) * inVol,
        c: col,
      });
      col2im(col, mg, g, y, (b * m + gi * mg) * outVol);
    }
  }
  if (bias) addBias(y, bias, n, m, outVol);
}

/** Add col rows (ch, kz, ky, kx) x columns (iz, iy, ix) into the output planes at y[yOff]: o = i*s - pad + t*d. */
function col2im(col: FloatArray, mg: number, g: Geom3, y: FloatArray, yOff: number): void {
  const [D, H, W] = g.in, [OD, OH, OW] = g.out, [KD, KH, KW] = g.kernel;
  const [sz, sy, sx] = g.strides, [dz, dy, dx] = g.dilations, [pz, py, px] = g.padBegin;
  const inVol = D * H * W, outVol = OD * OH * OW;
  let row = 0;
  for (let ch = 0; ch < mg; ch++) {
    const plane = yOff + ch * outVol;
    for (let kz = 0; kz < KD; kz++) {
      for (let ky = 0; ky < KH; ky++) {
        for (let kx = 0; kx < KW; kx++, row++) {
          // Input columns ix in [lo, hi) land inside the output row.
          const x0 = kx * dx - px;
          const lo = x0 >= 0 ? 0 : Math.min(W, Math.ceil(-x0 / sx));
          const hi = Math.max(lo, Math.min(W, Math.floor((OW - 1 - x0) / sx) + 1));
          const src = row * inVol;
          for (let iz = 0; iz < D; iz++) {
            const oz = iz * sz - pz + kz * dz;
            if (oz < 0 || oz >= OD) continue;
            for (let iy = 0; iy < H; iy++) {
              const oy = iy * sy - py + ky * dy;
              if (oy < 0 || oy >= OH) continue;
              const s = src + (iz * H + iy) * W;
              const base = plane + (oz * OH + oy) * OW + x0;
              for (let ix = lo; ix < hi; ix++) y[base + ix * sx] += col[s + ix];
            }
          }
        }
      }
    }
  }
}
