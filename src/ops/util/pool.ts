// Pooling kernels over the 3-D normalised geometry (spatial.ts): max (with optional argmax indices),
// average (with or without the padding in the divisor), and the global reductions with the op they make (globalPoolOp).
import type { Dim, Node } from "../../graph/graph.ts";
import { allocData, sizeOf, type NumericArray, type NumTensor } from "../../graph/tensor.ts";
import { OpError } from "../../errors.ts";
import type { Op } from "../op.ts";
import { checkType, finish, FLOATS } from "./elementwise.ts";
import { info, need } from "./shaping.ts";
import { fmtShape, geom3, outDims, planAxes, readWindow, tapRange, type Geom3, type WindowAttrs } from "./spatial.ts";

/** Per axis and output index: the valid taps [lo, hi) (inside the input) and the taps inside the padded input. */
export interface AxisTaps {
  lo: Int32Array;
  hi: Int32Array;
  /** Number of taps inside [-padBegin, size + padEnd): AveragePool's count_include_pad divisor. */
  padded: Int32Array;
}

/** The taps of every output index along axis a. */
export function axisTaps(g: Geom3, a: number): AxisTaps {
  const n = g.out[a];
  const lo = new Int32Array(n), hi = new Int32Array(n), padded = new Int32Array(n);
  const s = g.strides[a], p = g.padBegin[a], d = g.dilations[a], k = g.kernel[a];
  for (let o = 0; o < n; o++) {
    [lo[o], hi[o]] = tapRange(o, s, p, d, k, 0, g.in[a]);
    const [plo, phi] = tapRange(o, s, p, d, k, -p, g.in[a] + g.padEnd[a]);
    padded[o] = phi - plo;
  }
  return { lo, hi, padded };
}

/** Options of maxPool. */
export interface MaxPoolOut {
  y: NumericArray;
  /** When given, receives the flat input index of each maximum (int64 storage). */
  indices?: Float64Array;
  /** storage_order 1: indices count the spatial axes column-major (first axis fastest). */
  columnMajor: boolean;
  /** The result where a window holds no input value (floats: -Infinity; integers: the type's minimum). */
  empty: number;
}

/** For each tap kx along the last axis: the output columns [lo, hi) whose input column is inside the row. */
export function columnRanges(g: Geom3): { lo: Int32Array; hi: Int32Array } {
  const KW = g.kernel[2], W = g.in[2], OW = g.out[2], sx = g.strides[2];
  const lo = new Int32Array(KW), hi = new Int32Array(KW);
  for (let kx = 0; kx < KW; kx++) {
    const x0 = kx * g.dilations[2] - g.padBegin[2];
    lo[kx] = x0 >= 0 ? 0 : Math.min(OW, Math.ceil(-x0 / sx));
    hi[kx] = Math.max(lo[kx], Math.min(OW, Math.floor((W - 1 - x0) / sx) + 1));
  }
  return { lo, hi };
}

/** Max over each window of `planes` input planes (N*C of them). With indices: the first maximum wins ties. */
export function maxPool(x: NumericArray, planes: number, g: Geom3, out: MaxPoolOut): void {
  if (out.indices) {
    maxPoolIndexed(x, planes, g, out);
    return;
  }

  // Row at a time: for each tap, one strided pass over the output row (no per-window loop setup).
  const [D, H, W] = g.in, [OD, OH, OW] = g.out, KW = g.kernel[2];
  const [sz, sy, sx] = g.strides, [dz, dy, dx] = g.dilations, [pz, py, px] = g.padBegin;
  const tz = axisTaps(g, 0), ty = axisTaps(g, 1), cols = columnRanges(g);
  const acc = new Float64Array(OW);
  const y = out.y;
  let o = 0;
  for (let pl = 0; pl < planes; pl++) {
    const xb = pl * D * H * W;
    for (let oz = 0; oz < OD; oz++) {
      for (let oy = 0; oy < OH; oy++, o += OW) {
        acc.fill(-Infinity);
        for (let kz = tz.lo[oz]; kz < tz.hi[oz]; kz++) {
          for (let ky = ty.lo[oy]; ky < ty.hi[oy]; ky++) {
            const row = xb + ((oz * sz - pz + kz * dz) * H + oy * sy - py + ky * dy) * W - px;
            for (let kx = 0; kx < KW; kx++) {
              const base = row + kx * dx;
              for (let ox = cols.lo[kx], hi = cols.hi[kx]; ox < hi; ox++) {
                const v = x[base + ox * sx];
                if (v > acc[ox]) acc[ox] = v;
              }
            }
          }
        }
        for (let ox = 0; ox < OW; ox++) y[o + ox] = acc[ox] === -Infinity ? out.empty : acc[ox];
      }
    }
  }
}

/** maxPool that also records where each maximum was: window by window. */
function maxPoolIndexed(x: NumericArray, planes: number, g: Geom3, out: MaxPoolOut): void {
  const [D, H, W] = g.in, [OD, OH, OW] = g.out;
  const [sz, sy, sx] = g.strides, [dz, dy, dx] = g.dilations, [pz, py, px] = g.padBegin;
  const tz = axisTaps(g, 0), ty = axisTaps(g, 1), tx = axisTaps(g, 2);
  const inVol = D * H * W;
  const { y, indices } = out;
  let o = 0;
  for (let pl = 0; pl < planes; pl++) {
    const xb = pl * inVol;
    for (let oz = 0; oz < OD; oz++) {
      const z0 = oz * sz - pz, zlo = tz.lo[oz], zhi = tz.hi[oz];
      for (let oy = 0; oy < OH; oy++) {
        const y0 = oy * sy - py, ylo = ty.lo[oy], yhi = ty.hi[oy];
        for (let ox = 0; ox < OW; ox++, o++) {
          const x0 = ox * sx - px, xlo = tx.lo[ox], xhi = tx.hi[ox];
          let best = -Infinity, at = -1;
          for (let kz = zlo; kz < zhi; kz++) {
            const iz = z0 + kz * dz;
            for (let ky = ylo; ky < yhi; ky++) {
              const row = xb + (iz * H + y0 + ky * dy) * W + x0;
              for (let kx = xlo; kx < xhi; kx++) {
                const v = x[row + kx * dx];
                if (v > best || at < 0) {
                  best = v;
                  at = row + kx * dx;
                }
              }
            }
          }
          y[o] = at < 0 ? out.empty : best;
          indices![o] = at < 0 ? -1 : out.columnMajor ? toColumnMajor(at, xb, D, H, W) : at;
        }
      }
    }
  }
}

/** A row-major flat index within a plane re-expressed with the spatial axes column-major. */
function toColumnMajor(at: number, planeBase: number, D: number, H: number, W: number): number {
  const r = at - planeBase;
  const ix = r % W, iy = Math.floor(r / W) % H, iz = Math.floor(r / (W * H));
  // 1-D and 2-D inputs have leading axes of size 1, which contribute nothing.
  return planeBase + iz + D * (iy + H * ix);
}

/** Average over each window; the divisor counts the padding too when includePad (count_include_pad). */
export function avgPool(x: NumericArray, planes: number, g: Geom3, y: NumericArray, includePad: boolean): void {
  const [D, H, W] = g.in, [OD, OH, OW] = g.out, KW = g.kernel[2];
  const [sz, sy, sx] = g.strides, [dz, dy, dx] = g.dilations, [pz, py, px] = g.padBegin;
  const tz = axisTaps(g, 0), ty = axisTaps(g, 1), tx = axisTaps(g, 2), cols = columnRanges(g);
  const acc = new Float64Array(OW);
  let o = 0;
  for (let pl = 0; pl < planes; pl++) {
    const xb = pl * D * H * W;
    for (let oz = 0; oz < OD; oz++) {
      for (let oy = 0; oy < OH; oy++, o += OW) {
        acc.fill(0);
        for (let kz = tz.lo[oz]; kz < tz.hi[oz]; kz++) {
          for (let ky = ty.lo[oy]; ky < ty.hi[oy]; ky++) {
            const row = xb + ((oz * sz - pz + kz * dz) * H + oy * sy - py + ky * dy) * W - px;
            for (let kx = 0; kx < KW; kx++) {
              const base = row + kx * dx;
              for (let ox = cols.lo[kx], hi = cols.hi[kx]; ox < hi; ox++) acc[ox] += x[base + ox * sx];
            }
          }
        }
        const zy = includePad ? tz.padded[oz] * ty.padded[oy] : (tz.hi[oz] - tz.lo[oz]) * (ty.hi[oy] - ty.lo[oy]);
        for (let ox = 0; ox < OW; ox++) {
          const count = zy * (includePad ? tx.padded[ox] : tx.hi[ox] - tx.lo[ox]);
          y[o + ox] = count > 0 ? acc[ox] / count : NaN;
        }
      }
    }
  }
}

/** Mean of each of `planes` contiguous planes of `size` values. */
export function globalAvg(x: NumericArray, planes: number, size: number, y: NumericArray): void {
  for (let p = 0; p < planes; p++) {
    let s = 0;
    const b = p * size;
    for (let i = 0; i < size; i++) s += x[b + i];
    y[p] = s / size;
  }
}

/** Max of each of `planes` contiguous planes of `size` values. */
export function globalMax(x: NumericArray, planes: number, size: number, y: NumericArray): void {
  for (let p = 0; p < planes; p++) {
    const b = p * size;
    let m = -Infinity;
    for (let i = 0; i < size; i++) if (x[b + i] > m) m = x[b + i];
    y[p] = m;
  }
}

/** A global pool (GlobalAveragePool, GlobalMaxPool): `reduce` over all spatial axes, kept as size-1 axes. */
export function globalPoolOp(name: string, reduce: typeof globalAvg): Op {
  return {
    name,
    shape(inputs, ctx) {
      const x = need(ctx.node, inputs, 0, "X");
      checkType(ctx.node, x.dtype, FLOATS, "X");
      if (!x.shape) return [info(x.dtype, null)];
      checkPoolRank(ctx.node, x.shape);
      return [info(x.dtype, x.shape.map((d, i) => (i < 2 ? d : 1)))];
    },
    run(inputs, ctx) {
      const x = need(ctx.node, inputs, 0, "X") as NumTensor;
      checkType(ctx.node, x.dtype, FLOATS, "X");
      checkPoolRank(ctx.node, x.shape);
      const shape = x.shape.map((d, i) => (i < 2 ? d : 1));
      const y = allocData(x.dtype, sizeOf(shape)) as NumericArray;
      reduce(x.data, x.shape[0] * x.shape[1], sizeOf(x.shape.slice(2)), y);
      finish(x.dtype, y);
      return [{ dtype: x.dtype, shape, data: y }];
    },
  };
}

/** Everything a windowed pool needs: attributes, the output shape, and the 3-D geometry. */
export interface PoolSetup {
  win: WindowAttrs;
  shape: number[];
  planes: number;
  g: Geom3;
}

/** Resolve a pool's window over X [N, C, spatial...]; throws naming the node when X has no spatial axes. */
export function poolSetup(node: Node, xShape: readonly number[]): PoolSetup {
  checkPoolRank(node, xShape);
  const spatial = xShape.slice(2);
  const win = readWindow(node, spatial.length);
  const plans = planAxes(node, win, spatial);
  return {
    win,
    shape: [xShape[0], xShape[1], ...plans.map((p) => p.out)],
    planes: xShape[0] * xShape[1],
    g: geom3(node, spatial, plans, win),
  };
}

/** Output dims of a windowed pool for shape inference. */
export function poolDims(node: Node, x: readonly Dim[] | null): Dim[] | null {
  if (!x) return null;
  checkPoolRank(node, x);
  const win = readWindow(node, x.length - 2);
  return [x[0], x[1], ...outDims(node, win, x.slice(2))];
}

/** Pools need X as [N, C, spatial...]. */
export function checkPoolRank(node: Node, x: readonly Dim[]): void {
  if (x.length < 3) throw new OpError(node, `X must be [N, C, spatial...] (rank 3 or more), got shape ${fmtShape(x)}`);
}
