// Pooling layers, forward and backward: max pooling routes each output's gradient to the input that was its
// maximum (the first one on ties, as the kernel records it); average pooling spreads it evenly over the window's
// taps (the divisor counting the padding when count_include_pad); global pools over whole planes.
import { avgPool, axisTaps, columnRanges, maxPool } from "../../ops/util/pool.ts";
import { tapRange, type Geom3 } from "../../ops/util/spatial.ts";
import type { PoolLayer } from "../../net/net.ts";
import type { FArr } from "../types.ts";

/** y = pool(x) over `planes` (= batch x channels) input planes; for max pooling, argmax receives each maximum's flat index. */
export function poolForward(l: PoolLayer, x: FArr, planes: number, plane: number, g: Geom3 | undefined, y: FArr, argmax?: Int32Array): void {
  if (l.mode === "global_avg" || l.mode === "global_max") {
    for (let p = 0; p < planes; p++) {
      const o = p * plane;
      if (l.mode === "global_avg") {
        let s = 0;
        for (let i = 0; i < plane; i++) s += x[o + i];
        y[p] = s / plane;
      } else {
        let best = -Infinity, at = o;
        for (let i = 0; i < plane; i++) if (x[o + i] > best) { best = x[o + i]; at = o + i; }
        y[p] = best;
        if (argmax) argmax[p] = at;
      }
    }
    return;
  }
  if (l.mode === "avg") {
    avgPool(x, planes, g!, y, l.countIncludePad);
    return;
  }
  if (argmax) maxPoolArgmax(x, planes, g!, y, argmax);
  else maxPool(x, planes, g!, { y, columnMajor: false, empty: -Infinity });
}

/** maxPool with each maximum's flat input index (the first maximum on ties, as ops/util/pool.ts's indexed kernel),
 *  a row of outputs at a time: for each tap, one strided pass over the output row. The indexed kernel goes window
 *  by window over any numeric array and took a fifth of a CNN epoch's CPU; this one takes a few times less. */
export function maxPoolArgmax(x: FArr, planes: number, g: Geom3, y: FArr, argmax: Int32Array): void {
  const [D, H, W] = g.in, [OD, OH, OW] = g.out, KW = g.kernel[2];
  const [sz, sy, sx] = g.strides, [dz, ddy, dx] = g.dilations, [pz, py, px] = g.padBegin;
  if (D === 1 && g.padBegin.every((p) => p === 0) && g.padEnd.every((p) => p === 0)) {
    maxPool2dValid(x, planes, g, y, argmax);
    return;
  }
  const zr = axisTaps(g, 0), yr = axisTaps(g, 1);
  // For each tap kx: the output columns whose input column is inside the row.
  const { lo: clo, hi: chi } = columnRanges(g);
  const acc = new Float64Array(OW), at = new Int32Array(OW);
  let o = 0;
  for (let pl = 0; pl < planes; pl++) {
    const xb = pl * D * H * W;
    for (let oz = 0; oz < OD; oz++) {
      for (let oy = 0; oy < OH; oy++, o += OW) {
        acc.fill(-Infinity);
        at.fill(-1);
        // Taps in window order (kz, ky, kx), so a later equal value never replaces the first maximum.
        for (let kz = zr.lo[oz]; kz < zr.hi[oz]; kz++) {
          for (let ky = yr.lo[oy]; ky < yr.hi[oy]; ky++) {
            const row = xb + ((oz * sz - pz + kz * dz) * H + oy * sy - py + ky * ddy) * W - px;
            for (let kx = 0; kx < KW; kx++) {
              const base = row + kx * dx;
              for (let ox = clo[kx], hi = chi[kx]; ox < hi; ox++) {
                const i = base + ox * sx, v = x[i];
                if (v > acc[ox] || at[ox] < 0) { acc[ox] = v; at[ox] = i; }
              }
            }
          }
        }
        for (let ox = 0; ox < OW; ox++) {
          y[o + ox] = at[ox] < 0 ? -Infinity : acc[ox];
          argmax[o + ox] = at[ox];
        }
      }
    }
  }
}

/** maxPoolArgmax on planes without padding (every window inside the input): window by window, from its first tap. */
function maxPool2dValid(x: FArr, planes: number, g: Geom3, y: FArr, argmax: Int32Array): void {
  const H = g.in[1], W = g.in[2], OH = g.out[1], OW = g.out[2], KH = g.kernel[1], KW = g.kernel[2];
  const sy = g.strides[1], sx = g.strides[2], dy = g.dilations[1] * W, dx = g.dilations[2];
  let o = 0;
  for (let pl = 0; pl < planes; pl++) {
    const xb = pl * H * W;
    for (let oy = 0; oy < OH; oy++) {
      const rowBase = xb + oy * sy * W;
      for (let ox = 0; ox < OW; ox++, o++) {
        const base = rowBase + ox * sx;
        let at = base, best = x[base];
        for (let ky = 0; ky < KH; ky++) {
          for (let kx = 0, i = base + ky * dy; kx < KW; kx++, i += dx) {
            if (x[i] > best) { best = x[i]; at = i; }
          }
        }
        y[o] = best;
        argmax[o] = at;
      }
    }
  }
}

/** dx += pool^T(dy). */
export function poolBackward(l: PoolLayer, dy: FArr, planes: number, plane: number, g: Geom3 | undefined, dx: FArr, argmax?: Int32Array): void {
  if (l.mode === "global_avg") {
    for (let p = 0; p < planes; p++) {
      const v = dy[p] / plane, o = p * plane;
      for (let i = 0; i < plane; i++) dx[o + i] += v;
    }
    return;
  }
  if (l.mode === "max" || l.mode === "global_max") {
    for (let i = 0; i < dy.length; i++) if (argmax![i] >= 0) dx[argmax![i]] += dy[i];
    return;
  }
  avgBackward(dy, planes, g!, dx, l.countIncludePad);
}

function avgBackward(dy: FArr, planes: number, g: Geom3, dx: FArr, includePad: boolean): void {
  const [D, H, W] = g.in, [OD, OH, OW] = g.out;
  const [sz, sy, sx] = g.strides, [dz, ddy, ddx] = g.dilations, [pz, py, px] = g.padBegin;
  const taps = (a: number, o: number, from: number, to: number) =>
    tapRange(o, g.strides[a], g.padBegin[a], g.dilations[a], g.kernel[a], from, to);
  let o = 0;
  for (let pl = 0; pl < planes; pl++) {
    const xb = pl * D * H * W;
    for (let oz = 0; oz < OD; oz++) {
      const [zlo, zhi] = taps(0, oz, 0, D);
      for (let oy = 0; oy < OH; oy++) {
        const [ylo, yhi] = taps(1, oy, 0, H);
        for (let ox = 0; ox < OW; ox++, o++) {
          const [xlo, xhi] = taps(2, ox, 0, W);
          let count = (zhi - zlo) * (yhi - ylo) * (xhi - xlo);
          if (includePad) {
            const [a, b] = taps(0, oz, -pz, D + g.padEnd[0]), [c, d] = taps(1, oy, -py, H + g.padEnd[1]), [e, f] = taps(2, ox, -px, W + g.padEnd[2]);
            count = (b - a) * (d - c) * (f - e);
          }
          if (count <= 0) continue;
          const v = dy[o] / count;
          for (let kz = zlo; kz < zhi; kz++) {
            const iz = oz * sz - pz + kz * dz;
            for (let ky = ylo; ky < yhi; ky++) {
              const row = xb + (iz * H + oy * sy - py + ky * ddy) * W + ox * sx - px;
              for (let kx = xlo; kx < xhi; kx++) dx[row + kx * ddx] += v;
            }
          }
        }
      }
    }
  }
}
