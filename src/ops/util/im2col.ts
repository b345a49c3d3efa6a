// The im2col matrix of a convolution: row (channel, kz, ky, kx), column (image, oz, oy, ox), value the input
// under that tap (0 in the padding). Either materialised (im2col) or gathered panel by panel straight into
// the gemm's packed layout (implicitColumns), which saves a full write and read of the matrix.
import { PANEL_COLS, type FloatArray, type PanelPacker } from "./gemm.ts";
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
 * A PanelPacker reading the im2col matrix of `images` consecutive images straight from x: column j is image
 * floor(j / outVol), position j % outVol; rows run over cg channels. `base()` gives the offset in x of the
 * first image's first channel, so one packer serves every batch chunk and group.
 */
export function implicitColumns(x: Float32Array, base: () => number, images: number, imageStride: number, cg: number, g: Geom3): PanelPacker {
  const [D, H, W] = g.in, [OD, OH, OW] = g.out, [KD, KH, KW] = g.kernel;
  const [sz, sy, sx] = g.strides, [dz, dy, dx] = g.dilations, [pz, py, px] = g.padBegin;
  const outVol = OD * OH * OW, inVol = D * H * W, kVol = KD * KH * KW;
  const cols = images * outVol;
  // Per column: window origin (may lie in the padding) and its offset in x relative to base().
  const z0 = new Int32Array(cols), y0 = new Int32Array(cols), x0 = new Int32Array(cols), off = new Int32Array(cols);
  // Per panel: every column's whole window lies inside the input, so no bounds checks are needed.
  const interior = new Uint8Array(Math.ceil(cols / PANEL_COLS));
  const spanZ = (KD - 1) * dz, spanY = (KH - 1) * dy, spanX = (KW - 1) * dx;
  for (let j = 0; j < cols; j++) {
    const b = Math.floor(j / outVol), p = j - b * outVol;
    const oz = Math.floor(p / (OH * OW)), oy = Math.floor(p / OW) % OH, ox = p % OW;
    z0[j] = oz * sz - pz;
    y0[j] = oy * sy - py;
    x0[j] = ox * sx - px;
    off[j] = b * imageStride + (z0[j] * H + y0[j]) * W + x0[j];
  }
  for (let q = 0; q < interior.length; q++) {
    let ok = (q + 1) * PANEL_COLS <= cols;
    for (let j = q * PANEL_COLS; ok && j < (q + 1) * PANEL_COLS; j++) {
      ok = z0[j] >= 0 && z0[j] + spanZ < D && y0[j] >= 0 && y0[j] + spanY < H && x0[j] >= 0 && x0[j] + spanX < W;
    }
    interior[q] = ok ? 1 : 0;
  }
  // Per row k = (channel, kz, ky, kx): offset of the tap and its displacement along each axis.
  const rows = cg * kVol;
  const koff = new Int32Array(rows), kz = new Int32Array(rows), ky = new Int32Array(rows), kx = new Int32Array(rows);
  for (let k = 0; k < rows; k++) {
    const ch = Math.floor(k / kVol), t = k % kVol;
    kz[k] = Math.floor(t / (KH * KW)) * dz;
    ky[k] = (Math.floor(t / KW) % KH) * dy;
    kx[k] = (t % KW) * dx;
    koff[k] = ch * inVol + (kz[k] * H + ky[k]) * W + kx[k];
  }
  return (mem, dst, pc, kc, j0) => {
    const b0 = base();
    // The unrolled copy assumes PANEL_COLS === 8 (gemm-simd.ts fixes NR = 8).
    if (interior[j0 / PANEL_COLS]) {
      const c0 = b0 + off[j0], c1 = b0 + off[j0 + 1], c2 = b0 + off[j0 + 2], c3 = b0 + off[j0 + 3];
      const c4 = b0 + off[j0 + 4], c5 = b0 + off[j0 + 5], c6 = b0 + off[j0 + 6], c7 = b0 + off[j0 + 7];
      for (let k = pc, end = pc + kc; k < end; k++, dst += 8) {
        const o = koff[k];
        mem[dst] = x[c0 + o]; mem[dst + 1] = x[c1 + o]; mem[dst + 2] = x[c2 + o]; mem[dst + 3] = x[c3 + o];
        mem[dst + 4] = x[c4 + o]; mem[dst + 5] = x[c5 + o]; mem[dst + 6] = x[c6 + o]; mem[dst + 7] = x[c7 + o];
      }
      return;
    }
    for (let k = pc, end = pc + kc; k < end; k++, dst += PANEL_COLS) {
      for (let c = 0; c < PANEL_COLS; c++) {
        const j = j0 + c;
        let v = 0;
        if (j < cols) {
          const iz = z0[j] + kz[k], iy = y0[j] + ky[k], ix = x0[j] + kx[k];
          if (iz >= 0 && iz < D && iy >= 0 && iy < H && ix >= 0 && ix < W) v = x[b0 + off[j] + koff[k]];
        }
        mem[dst + c] = v;
      }
    }
  };
}
