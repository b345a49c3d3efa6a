// Convolution layer, forward and backward, on the interpreter's kernels: forward is ops/util/conv.ts's
// convForward (im2col + sgemm); the input gradient is a ConvTranspose of dy with the same weights and geometry
// (the adjoint of a convolution); the weight gradient is dy times the im2col matrix transposed, one sgemm per
// chunk of images.
import { convForward, convTransposeForward } from "../../ops/util/conv.ts";
import { gemm } from "../../ops/util/gemm.ts";
import { im2col } from "../../ops/util/im2col.ts";
import type { Geom3 } from "../../ops/util/spatial.ts";
import type { ConvLayer } from "../../net/net.ts";
import { transposeGeom } from "../geom.ts";
import { alloc } from "../trainnet.ts";
import type { FArr, LayerParams } from "../types.ts";

const vol = (v: readonly number[]) => v[0] * v[1] * v[2];
// Columns of one weight-gradient sgemm (images x output positions).
const TARGET_COLS = 8192;

/** y[n, M, out...] = conv(x[n, C, in...]) + bias. */
export function convForwardLayer(l: ConvLayer, p: LayerParams, x: FArr, n: number, g: Geom3, y: FArr): void {
  convForward(x, p.w, p.b, { n, c: l.inChannels, m: l.outChannels, group: l.groups, g }, y);
}

/** Given dy[n, M, out...]: dx += conv^T(dy) (when dx is given); g.w += dy x im2col(x)^T and g.b += sums of dy (when g is given). */
export function convBackwardLayer(l: ConvLayer, p: LayerParams, x: FArr, dy: FArr, n: number, g: Geom3, dx: FArr | undefined, gp: LayerParams | undefined): void {
  const M = l.outChannels, C = l.inChannels, group = l.groups;
  const inVol = vol(g.in), outVol = vol(g.out);
  if (dx) {
    const t = alloc(dx instanceof Float32Array ? "float32" : "float64", dx.length);
    convTransposeForward(dy, p.w, undefined, { n, c: M, m: C, group, g: transposeGeom(g) }, t);
    for (let i = 0; i < dx.length; i++) dx[i] += t[i];
  }
  if (!gp) return;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < M; ch++) {
      const o = (b * M + ch) * outVol;
      let s = 0;
      for (let i = 0; i < outVol; i++) s += dy[o + i];
      gp.b[ch] += s;
    }
  }
  const cg = C / group, mg = M / group, kk = cg * vol(g.kernel);
  const nb = Math.max(1, Math.min(n, Math.ceil(TARGET_COLS / outVol)));
  const prec = x instanceof Float32Array ? "float32" : "float64";
  const col = alloc(prec, kk * nb * outVol);
  const dyg = alloc(prec, mg * nb * outVol);
  for (let b0 = 0; b0 < n; b0 += nb) {
    const nbb = Math.min(nb, n - b0), ld = nbb * outVol;
    for (let gi = 0; gi < group; gi++) {
      for (let i = 0; i < nbb; i++) {
        im2col(x, ((b0 + i) * C + gi * cg) * inVol, cg, g, col, i * outVol, ld);
        // dy of this group's channels, images side by side: [mg, nbb * outVol].
        for (let ch = 0; ch < mg; ch++) {
          const src = ((b0 + i) * M + gi * mg + ch) * outVol;
          dyg.set(dy.subarray(src, src + outVol), ch * ld + i * outVol);
        }
      }
      gemm({ m: mg, n: kk, k: ld, a: dyg, lda: ld, b: col, ldb: ld, transB: true, c: gp.w, cOffset: gi * mg * kk, beta: 1 });
    }
  }
}
