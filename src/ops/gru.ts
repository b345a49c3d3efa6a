// GRU: gates z, r, h; linear_before_reset picks where the reset gate applies; clip, sequence_lens, layout.
import type { Tensor } from "../graph/tensor.ts";
import { attrInt, type Op, type OpCtx } from "./op.ts";
import {
  activate, floatsLike, inputProjection, isReverse, recurrentTerm, rnnAttrs, rnnData, rnnOutputs, rnnShapes, timeIndex,
  type RnnAttrs, type RnnData,
} from "./util/rnn.ts";

/** Run one direction d, writing Y rows and leaving the final h in hOut ([batch, H]). */
function runDirection(ctx: OpCtx, at: RnnAttrs, data: RnnData, d: number, y: Float64Array, hOut: Float64Array): void {
  const H = at.hidden;
  const G = 3 * H;
  const { batch, seq, lens } = data;
  const D = at.numDir;
  const [fAct, gAct] = at.acts[d];
  const lbr = attrInt(ctx.node, "linear_before_reset", 0) !== 0;
  const reverse = isReverse(at, d);
  // With linear_before_reset, Rbh sits inside r * (H R_h^T + Rbh), so it stays out of the input projection.
  const xw = inputProjection(data, d, G, (g) => !(lbr && g >= 2 * H));
  const rbh = data.b.subarray(d * 2 * G + G + 2 * H, d * 2 * G + 2 * G);
  const rOff = d * G * H;
  const hr = floatsLike(data.x, batch * G); // H_prev · R^T, per gate
  const gate = new Float64Array(batch * G); // pre-activations, then activations
  const rh = new Float64Array(batch * H); // r ⊙ H_prev (linear_before_reset = 0)
  const hh = floatsLike(data.x, batch * H); // (r ⊙ H_prev) · R_h^T
  const active = new Int32Array(batch).fill(-1); // time index of each batch entry this step, -1 when done
  for (let s = 0; s < seq; s++) {
    recurrentTerm(hOut, batch, H, data.r, rOff, lbr ? G : 2 * H, hr, G);
    for (let b = 0; b < batch; b++) {
      active[b] = s < lens[b] ? timeIndex(reverse, s, lens[b]) : -1;
      if (active[b] < 0) continue;
      const row = (active[b] * batch + b) * G;
      const go = b * G;
      for (let g = 0; g < 2 * H; g++) gate[go + g] = xw[row + g] + hr[go + g];
      activate(fAct, at.clip, gate, go, 2 * H);
      if (lbr) {
        for (let k = 0; k < H; k++) gate[go + 2 * H + k] = xw[row + 2 * H + k] + gate[go + H + k] * (hr[go + 2 * H + k] + rbh[k]);
      } else {
        for (let k = 0; k < H; k++) rh[b * H + k] = gate[go + H + k] * hOut[b * H + k];
      }
    }
    if (!lbr) {
      recurrentTerm(rh, batch, H, data.r, rOff + 2 * H * H, H, hh);
    }
    for (let b = 0; b < batch; b++) {
      if (active[b] < 0) continue;
      const go = b * G;
      if (!lbr) {
        const row = (active[b] * batch + b) * G;
        for (let k = 0; k < H; k++) gate[go + 2 * H + k] = xw[row + 2 * H + k] + hh[b * H + k];
      }
      activate(gAct, at.clip, gate, go + 2 * H, H);
      const yo = ((active[b] * D + d) * batch + b) * H;
      for (let k = 0; k < H; k++) {
        const z = gate[go + k];
        const h = (1 - z) * gate[go + 2 * H + k] + z * hOut[b * H + k];
        hOut[b * H + k] = h;
        y[yo + k] = h;
      }
    }
  }
}

export const gru: Op = {
  name: "GRU",
  shape(inputs, ctx) {
    return rnnShapes(ctx, inputs, 3, 1);
  },
  run(inputs: (Tensor | undefined)[], ctx) {
    const at = rnnAttrs(ctx, ["sigmoid", "tanh"]);
    const data = rnnData(ctx, at, inputs, 3);
    const { batch, seq } = data;
    const H = at.hidden;
    const D = at.numDir;
    const y = new Float64Array(seq * D * batch * H);
    const hFinal = data.h0.slice();
    for (let d = 0; d < D; d++) runDirection(ctx, at, data, d, y, hFinal.subarray(d * batch * H, (d + 1) * batch * H));
    return rnnOutputs(ctx, at, data, y, [hFinal]);
  },
};
