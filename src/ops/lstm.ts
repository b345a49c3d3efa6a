// LSTM: gates i, o, f, c; optional peepholes P, clip, input_forget, sequence_lens, initial_h/initial_c, layout.
import { attrInt, type Op, type OpCtx } from "./op.ts";
import type { Tensor } from "../graph/tensor.ts";
import {
  activate, f64, floatsLike, initialState, inputProjection, isReverse, recurrentTerm, rnnAttrs, rnnData, rnnOutputs,
  rnnShapes, timeIndex, type RnnAttrs, type RnnData,
} from "./util/rnn.ts";

/** Run one direction d, writing Y rows and leaving the final h and c in hOut/cOut (each [batch, H]). */
function runDirection(
  ctx: OpCtx, at: RnnAttrs, data: RnnData, d: number, p: Float64Array | undefined,
  y: Float64Array, hOut: Float64Array, cOut: Float64Array,
): void {
  const H = at.hidden;
  const G = 4 * H;
  const { batch, seq, lens } = data;
  const D = at.numDir;
  const [fAct, gAct, hAct] = at.acts[d];
  const inputForget = attrInt(ctx.node, "input_forget", 0) !== 0;
  const reverse = isReverse(at, d);
  const xw = inputProjection(data, d, G, () => true);
  const hr = floatsLike(data.x, batch * G); // H_prev · R^T
  const gate = new Float64Array(G);
  const hc = new Float64Array(H);
  const po = d * 3 * H; // peepholes, in order i, o, f
  for (let s = 0; s < seq; s++) {
    recurrentTerm(hOut, batch, H, data.r, d * G * H, G, hr);
    for (let b = 0; b < batch; b++) {
      if (s >= lens[b]) continue;
      const t = timeIndex(reverse, s, lens[b]);
      const row = (t * batch + b) * G;
      for (let g = 0; g < G; g++) gate[g] = xw[row + g] + hr[b * G + g];
      const c = cOut.subarray(b * H, (b + 1) * H);
      if (p) {
        for (let k = 0; k < H; k++) {
          gate[k] += p[po + k] * c[k];
          gate[2 * H + k] += p[po + 2 * H + k] * c[k];
        }
      }
      activate(fAct, at.clip, gate, 0, H);
      // onnxruntime couples the gates as f = 1 - i.
      if (inputForget) for (let k = 0; k < H; k++) gate[2 * H + k] = 1 - gate[k];
      else activate(fAct, at.clip, gate, 2 * H, H);
      activate(gAct, at.clip, gate, 3 * H, H);
      for (let k = 0; k < H; k++) c[k] = gate[2 * H + k] * c[k] + gate[k] * gate[3 * H + k];
      if (p) for (let k = 0; k < H; k++) gate[H + k] += p[po + H + k] * c[k];
      activate(fAct, at.clip, gate, H, H);
      hc.set(c);
      activate(hAct, undefined, hc, 0, H);
      const yo = ((t * D + d) * batch + b) * H;
      for (let k = 0; k < H; k++) {
        const h = gate[H + k] * hc[k];
        hOut[b * H + k] = h;
        y[yo + k] = h;
      }
    }
  }
}

export const lstm: Op = {
  name: "LSTM",
  shape(inputs, ctx) {
    return rnnShapes(ctx, inputs, 4, 2);
  },
  run(inputs: (Tensor | undefined)[], ctx) {
    const at = rnnAttrs(ctx, ["sigmoid", "tanh", "tanh"]);
    const data = rnnData(ctx, at, inputs, 4);
    const { batch, seq } = data;
    const H = at.hidden;
    const D = at.numDir;
    const c0 = initialState(ctx.node, at, inputs[6], batch, "initial_c");
    const p = inputs[7] ? f64(ctx.node, inputs[7], [D, 3 * H], "P") : undefined;
    const y = new Float64Array(seq * D * batch * H);
    const hFinal = data.h0.slice();
    const cFinal = c0.slice();
    for (let d = 0; d < D; d++) {
      const hd = hFinal.subarray(d * batch * H, (d + 1) * batch * H);
      const cd = cFinal.subarray(d * batch * H, (d + 1) * batch * H);
      runDirection(ctx, at, data, d, p, y, hd, cd);
    }
    return rnnOutputs(ctx, at, data, y, [hFinal, cFinal]);
  },
};
