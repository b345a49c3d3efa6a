// RNN: the plain recurrent cell H_t = f(X_t W^T + H_{t-1} R^T + Wb + Rb); clip, sequence_lens, layout.
import type { Tensor } from "../graph/tensor.ts";
import type { Op } from "./op.ts";
import {
  activate, floatsLike, inputProjection, isReverse, recurrentTerm, rnnAttrs, rnnData, rnnOutputs, rnnShapes, timeIndex,
} from "./util/rnn.ts";

export const rnn: Op = {
  name: "RNN",
  shape(inputs, ctx) {
    return rnnShapes(ctx, inputs, 1, 1);
  },
  run(inputs: (Tensor | undefined)[], ctx) {
    const at = rnnAttrs(ctx, ["tanh"]);
    const data = rnnData(ctx, at, inputs, 1);
    const { batch, seq, lens } = data;
    const H = at.hidden;
    const D = at.numDir;
    const y = new Float64Array(seq * D * batch * H);
    const hFinal = data.h0.slice();
    const hr = floatsLike(data.x, batch * H); // H_prev · R^T
    const pre = new Float64Array(H); // one entry's pre-activation, then its new state
    for (let d = 0; d < D; d++) {
      const [f] = at.acts[d];
      const reverse = isReverse(at, d);
      const xw = inputProjection(data, d, H, () => true);
      const h = hFinal.subarray(d * batch * H, (d + 1) * batch * H);
      for (let s = 0; s < seq; s++) {
        recurrentTerm(h, batch, H, data.r, d * H * H, H, hr);
        for (let b = 0; b < batch; b++) {
          if (s >= lens[b]) continue;
          const t = timeIndex(reverse, s, lens[b]);
          const row = (t * batch + b) * H;
          for (let k = 0; k < H; k++) pre[k] = hr[b * H + k] + xw[row + k];
          activate(f, at.clip, pre, 0, H);
          h.set(pre, b * H);
          y.set(pre, ((t * D + d) * batch + b) * H);
        }
      }
    }
    return rnnOutputs(ctx, at, data, y, [hFinal]);
  },
};
