// The im2col matrix of a convolution: row (channel, kz, ky, kx), column (image, oz, oy, ox), value the input
// under that tap (0 in the padding). Either materialised (im2col) or gathered panel by panel straight into
// the gemm's packed layout by the wasm gather (convGather), which saves a full write and read of the matrix.
import type { FloatArray, GatherB } from "./gemm.ts";
import type { Geom3 } from "./spatial.ts";

/**
 * Unfold cg input planes (starting at x[xOff]) into im2col rows: row (ch, kz, ky, kx), column (oz, oy, ox),
 * written at col[row * ld + colOff + ...]. Taps that fall in the padding are 0.
 */
export function im2col(x: FloatArray, xOff: number, cg: number, g: Geom3, col: FloatArray, colOff: number, ld: number): void {
  const [D, H, W] = g.in, [OD, OH, OW] = g.out, [KD, KH, KW] = g.kernel;
  const [sz, sy, sx] = g.strides, [dz, dy, dx] = g.dilations, [pz, py, px] = g.padBegin;
  let row = 0;
  for (let ch = 0; ch < cg; ch++) {
    const plane = xOff + ch * D * H * W;
    for (let kz = 0; kz < KD; kz++) {
      for (let ky = 0; ky < KH; ky++) {
        for (let kx = 0; kx < KW; kx++, row++) {
          // Columns ox in [lo, hi) read inside the row; the rest are padding.
          const x0 = kx * dx - px;
          const lo = x0 >= 0 ? 0 : Math.min(OW, Math.ceil(-x0 / sx));
          const hi = Math.max(lo, Math.min(OW, Math.floor((W - 1 - x0) / sx) + 1));
          let o = row * ld + colOff;
          for (let oz = 0; oz < OD; oz++) {
            const iz = oz * sz - pz + kz * dz;
            for (let oy = 0; oy < OH; oy++, o += OW) {
              const iy = oy * sy - py + ky * dy;
              if (iz < 0 || iz >= D || iy < 0 || iy >= H) {
                col.fill(0, o, o + OW);
                continue;
              }
              const base = plane + (iz * H + iy) * W + x0;
              for (let ox = 0; ox < lo; ox++) col[o + ox] = 0;
              if (sx === 1) for (let ox = lo; ox < hi; ox++) col[o + ox] = x[base + ox];
              else for (let ox = lo; ox < hi; ox++) col[o + ox] = x[base + ox * sx];
              for (let ox = hi; ox < OW; ox++) col[o + ox] = 0;
            }
          }
        }
      }
    }
  }
}

/**
 * The im2col matrix of `images` consecutive images as a GatherB for the SIMD gemm: the images' cg channels
 * are copied into wasm memory with their padding written out as zeros, so every tap of every window is a
 * plain offset: column (image, position) -> window origin, row (channel, tap) -> tap displacement. Nothing
 * is materialised beyond the padded copy; the wasm gather packs the panels. `base` is where the first
 * image's first channel starts in x (set per batch chunk and group before each gemm).
 */
export function convGather(x: Float32Array, images: number, imageStride: number, cg: number, g: Geom3): GatherB & { base: number } {
  const [D, H, W] = g.in, [OD, OH, OW] = g.out, [KD, KH, KW] = g.kernel;
  const [sz, sy, sx] = g.strides, [dz, dy, dx] = g.dilations;
  // Leading padding actually stored (negative padding just shifts the windows inward).
  const [lz, ly, lx] = g.padBegin.map((p) => Math.max(0, p));
  const [Dp, Hp, Wp] = [0, 1, 2].map((a) => g.in[a] + Math.max(0, g.padBegin[a]) + Math.max(0, g.padEnd[a]));
  const plane = Dp * Hp * Wp, outVol = OD * OH * OW, kVol = KD * KH * KW, inVol = D * H * W;
  const colOffset = new Int32Array(images * outVol);
  for (let b = 0, j = 0; b < images; b++) {
    for (let oz = 0; oz < OD; oz++) {
      for (let oy = 0; oy < OH; oy++) {
        const row = b * cg * plane + ((oz * sz - g.padBegin[0] + lz) * Hp + oy * sy - g.padBegin[1] + ly) * Wp - g.padBegin[2] + lx;
        for (let ox = 0; ox < OW; ox++, j++) colOffset[j] = row + ox * sx;
      }
    }
  }
  const rowOffset = new Int32Array(cg * kVol);
  for (let ch = 0, k = 0; ch < cg; ch++) {
    for (let kz = 0; kz < KD; kz++) {
      for (let ky = 0; ky < KH; ky++) {
        for (let kx = 0; kx < KW; kx++, k++) rowOffset[k] = ch * plane + (kz * dz * Hp + ky * dy) * Wp + kx * dx;
      }
    }
  }
  const padded = plane !== inVol;
  return {
    base: 0,
    length: images * cg * plane,
    colOffset,
    rowOffset,
    write(mem, at) {
      if (padded) mem.fill(0, at, at + this.length);
      for (let b = 0; b < images; b++) {
        for (let ch = 0; ch < cg; ch++) {
          const src = this.base + b * imageStride + ch * inVol;
          const dst = at + (b * cg + ch) * plane;
          if (!padded) {
            mem.set(x.subarray(src, src + inVol), dst);
            continue;
          }
          for (let iz = 0; iz < D; iz++) {
            for (let iy = 0; iy < H; iy++) {
              const s = src + (iz * H + iy) * W, d = dst + ((iz + lz) * Hp + iy + ly) * Wp + lx;
              if (W >= 64) mem.set(x.subarray(s, s + W), d);
              else for (let ix = 0; ix < W; ix++) mem[d + ix] = x[s + ix];
            }
          }
        }
      }
    },
  };
}
