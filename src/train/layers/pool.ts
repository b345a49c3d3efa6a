// Pooling layers, forward and backward: max pooling routes each output's gradient to the input that was its
// maximum (the first one on ties, as the kernel records it); average pooling spreads it evenly over the window's
// taps (the divisor counting the padding when count_include_pad); global pools over whole planes.
import { avgPool, maxPool } from "../../ops/util/pool.ts";
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
  const idx = new Float64Array(y.length);
  maxPool(x, planes, g!, { y, indices: idx, columnMajor: false, empty: -Infinity });
  if (argmax) for (let i = 0; i < idx.length; i++) argmax[i] = idx[i];
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
