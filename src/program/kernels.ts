// Program kernels: plain TypeScript with no imports, shared by the Program interpreter (run.ts) and
// inlined verbatim (minus `export`, with kernels-more.ts) into the emitted program.ts, so both compute exactly
// the same thing.
// Every value is a batch { data: Float32Array, shape } with the batch axis first; axes given to kernels
// count per-sample axes (0 = first axis after the batch). Sums accumulate in float64, then round to float32.

export interface Arr {
  data: Float32Array;
  shape: number[];
}

export interface ActArgs {
  fn: string;
  alpha?: number;
  min?: number;
  max?: number;
}

/** Number of elements of a shape. */
export function sizeOfShape(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Decode base64 little-endian float32 values (works in Node and browsers). */
export function fromBase64(s: string): Float32Array {
  const bin = atob(s);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const view = new DataView(bytes.buffer);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** erf(x) to about 1.2e-7 relative error in erfc (Numerical Recipes' erfcc). */
export function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - r : r - 1;
}

/** Apply an activation in place. */
export function applyAct(d: Float32Array, a: ActArgs | undefined): void {
  if (!a) return;
  const n = d.length;
  switch (a.fn) {
    case "relu": for (let i = 0; i < n; i++) if (d[i] < 0) d[i] = 0; return;
    case "leaky_relu": {
      const al = a.alpha ?? 0.01;
      for (let i = 0; i < n; i++) if (d[i] < 0) d[i] = al * d[i];
      return;
    }
    case "sigmoid": for (let i = 0; i < n; i++) d[i] = 1 / (1 + Math.exp(-d[i])); return;
    case "tanh": for (let i = 0; i < n; i++) d[i] = Math.tanh(d[i]); return;
    case "gelu": for (let i = 0; i < n; i++) d[i] = 0.5 * d[i] * (1 + erf(d[i] / Math.SQRT2)); return;
    case "gelu_tanh": {
      const k = Math.sqrt(2 / Math.PI);
      for (let i = 0; i < n; i++) { const x = d[i]; d[i] = 0.5 * x * (1 + Math.tanh(k * (x + 0.044715 * x * x * x))); }
      return;
    }
    case "exp": for (let i = 0; i < n; i++) d[i] = Math.exp(d[i]); return;
    case "abs": for (let i = 0; i < n; i++) d[i] = Math.abs(d[i]); return;
    case "clip": {
      const lo = a.min ?? -Infinity, hi = a.max ?? Infinity;
      for (let i = 0; i < n; i++) d[i] = d[i] < lo ? lo : d[i] > hi ? hi : d[i];
      return;
    }
    case "identity": return;
    default: throw new Error(`unknown activation '${a.fn}'`);
  }
}

/** A copy of x with an activation applied. */
export function activation(x: Arr, a: ActArgs): Arr {
  const y = { data: Float32Array.from(x.data), shape: [...x.shape] };
  applyAct(y.data, a);
  return y;
}

/** act(W x + b) over the last axis; W is [nOut, nIn] row-major. */
export function affine(x: Arr, W: Float32Array, b: Float32Array, nOut: number, act?: ActArgs): Arr {
  const nIn = x.shape[x.shape.length - 1];
  const rows = x.data.length / nIn;
  const y = new Float32Array(rows * nOut);
  const xd = x.data;
  for (let r = 0; r < rows; r++) {
    const xo = r * nIn;
    for (let o = 0; o < nOut; o++) {
      let s = b[o];
      const wo = o * nIn;
      for (let i = 0; i < nIn; i++) s += W[wo + i] * xd[xo + i];
      y[r * nOut + o] = s;
    }
  }
  applyAct(y, act);
  return { data: y, shape: [...x.shape.slice(0, -1), nOut] };
}

/** Spatial geometry of a 1-D or 2-D window op, 1-D treated as height 1. */
interface Geom { H: number; W: number; kh: number; kw: number; sh: number; sw: number; dh: number; dw: number; pt: number; pl: number; pb: number; pr: number }

function geom(shape: number[], kernel: number[], strides: number[], pads: number[], dilations: number[]): Geom {
  const two = kernel.length === 2;
  const at = (a: number[], i2: number, i1: number, d: number) => (two ? a[i2] : i1 < 0 ? d : a[i1]) ?? d;
  return {
    H: two ? shape[2] : 1, W: two ? shape[3] : shape[2],
    kh: two ? kernel[0] : 1, kw: two ? kernel[1] : kernel[0],
    sh: at(strides, 0, -1, 1), sw: at(strides, 1, 0, 1),
    dh: at(dilations, 0, -1, 1), dw: at(dilations, 1, 0, 1),
    pt: at(pads, 0, -1, 0), pl: at(pads, 1, 0, 0),
    pb: at(pads, 2, -1, 0), pr: at(pads, 3, 1, 0),
  };
}

function outLen(n: number, k: number, s: number, d: number, pb: number, pe: number, ceil: boolean): number {
  const span = n + pb + pe - ((k - 1) * d + 1);
  let o = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  // A ceil-mode window that would start in the end padding is dropped (ONNX semantics).
  if (ceil && (o - 1) * s >= n + pb) o--;
  return o;
}

function spatialShape(x: Arr, c: number, two: boolean, oh: number, ow: number): number[] {
  return two ? [x.shape[0], c, oh, ow] : [x.shape[0], c, ow];
}

/** Planes of h x w values (from a flat array) copied into zero-filled planes of hp x wp at offset (top, left). */
function padPlanes(d: Float32Array, planes: number, h: number, w: number, top: number, left: number, hp: number, wp: number): Float32Array {
  const out = new Float32Array(planes * hp * wp);
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < h; i++) out.set(d.subarray((p * h + i) * w, (p * h + i + 1) * w), (p * hp + i + top) * wp + left);
  }
  return out;
}

/** act(conv(x, w) + bias) for NCL or NCHW input; w is [outC, inC/groups, ...kernel]. The input is zero-padded
 *  once, so no tap needs a bounds check; output rows are summed in cache-sized blocks, and the common 3-wide
 *  kernel row is summed three taps at a time (about twice as fast in plain JS). */
export function conv(x: Arr, w: Float32Array, bias: Float32Array, outC: number, kernel: number[], strides: number[],
  pads: number[], dilations: number[], groups: number, act?: ActArgs): Arr {
  const { H, W, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr } = geom(x.shape, kernel, strides, pads, dilations);
  const N = x.shape[0], C = x.shape[1];
  const OH = outLen(H, kh, sh, dh, pt, pb, false), OW = outLen(W, kw, sw, dw, pl, pr, false);
  const HP = H + pt + pb, WP = W + pl + pr;
  const xp = pt || pl || pb || pr ? padPlanes(x.data, N * C, H, W, pt, pl, HP, WP) : x.data;
  const cpg = C / groups, opg = outC / groups;
  const y = new Float32Array(N * outC * OH * OW);
  const RB = Math.max(1, Math.floor(4096 / Math.max(OW, 1)));
  const acc = new Float64Array(RB * OW);
  const dw2 = 2 * dw;
  for (let n = 0; n < N; n++) {
    for (let oc = 0; oc < outC; oc++) {
      const grp = Math.floor(oc / opg);
      for (let r0 = 0; r0 < OH; r0 += RB) {
        const r1 = Math.min(OH, r0 + RB);
        acc.fill(bias.length ? bias[oc] : 0);
        for (let ic = 0; ic < cpg; ic++) {
          const base = (n * C + grp * cpg + ic) * HP * WP;
          for (let ky = 0; ky < kh; ky++) {
            const wb = ((oc * cpg + ic) * kh + ky) * kw;
            const w0 = w[wb], w1 = w[wb + 1], w2 = w[wb + 2];
            for (let oy = r0; oy < r1; oy++) {
              const row = base + (oy * sh + ky * dh) * WP, ao = (oy - r0) * OW;
              if (kw === 3) {
                for (let ox = 0, b = row; ox < OW; ox++, b += sw) acc[ao + ox] += w0 * xp[b] + w1 * xp[b + dw] + w2 * xp[b + dw2];
                continue;
              }
              for (let kx = 0; kx < kw; kx++) {
                const wv = w[wb + kx];
                for (let ox = 0, b = row + kx * dw; ox < OW; ox++, b += sw) acc[ao + ox] += wv * xp[b];
              }
            }
          }
        }
        y.set(acc.subarray(0, (r1 - r0) * OW), ((n * outC + oc) * OH + r0) * OW);
      }
    }
  }
  applyAct(y, act);
  return { data: y, shape: spatialShape(x, outC, kernel.length === 2, OH, OW) };
}

/** Max or average pooling over windows of NCL/NCHW input; kinds maxpool, avgpool, global_maxpool, global_avgpool. */
export function pool(kind: string, x: Arr, kernel: number[], strides: number[], pads: number[], dilations: number[],
  ceilMode: boolean, countIncludePad: boolean): Arr {
  const two = x.shape.length === 4;
  const N = x.shape[0], C = x.shape[1];
  const isMax = kind === "maxpool" || kind === "global_maxpool";
  const global = kind.startsWith("global_");
  const g = global
    ? geom(x.shape, two ? [x.shape[2], x.shape[3]] : [x.shape[2]], [], [], [])
    : geom(x.shape, kernel, strides, pads, dilations);
  const OH = outLen(g.H, g.kh, g.sh, g.dh, g.pt, g.pb, ceilMode), OW = outLen(g.W, g.kw, g.sw, g.dw, g.pl, g.pr, ceilMode);
  const y = new Float32Array(N * C * OH * OW);
  const xd = x.data;
  for (let nc = 0; nc < N * C; nc++) {
    const xBase = nc * g.H * g.W;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        let v: number;
        if (isMax) {
          v = -Infinity;
          for (let ky = 0; ky < g.kh; ky++) {
            const iy = oy * g.sh - g.pt + ky * g.dh;
            if (iy < 0 || iy >= g.H) continue;
            for (let kx = 0; kx < g.kw; kx++) {
              const ix = ox * g.sw - g.pl + kx * g.dw;
              if (ix < 0 || ix >= g.W) continue;
              const e = xd[xBase + iy * g.W + ix];
              if (e > v || Number.isNaN(e)) v = e;
            }
          }
        } else {
          // Windows (no dilation) clipped first to the padded input, then to the input itself.
          let y0 = oy * g.sh - g.pt, x0 = ox * g.sw - g.pl;
          let y1 = Math.min(y0 + g.kh, g.H + g.pb), x1 = Math.min(x0 + g.kw, g.W + g.pr);
          const padded = (y1 - y0) * (x1 - x0);
          y0 = Math.max(y0, 0); x0 = Math.max(x0, 0); y1 = Math.min(y1, g.H); x1 = Math.min(x1, g.W);
          let s = 0;
          for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) s += xd[xBase + iy * g.W + ix];
          v = s / (countIncludePad ? padded : (y1 - y0) * (x1 - x0));
        }
        y[(nc * OH + oy) * OW + ox] = v;
      }
    }
  }
  return { data: y, shape: spatialShape(x, C, two, OH, OW) };
}
