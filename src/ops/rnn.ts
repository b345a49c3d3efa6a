// RNN: the plain recurrent cell H_t = f(X_t W^T + H_{t-1} R^T + Wb + Rb); clip, sequence_lens, layout.
import type { Tensor } from "../graph/tensor.ts";
import type { Op } from "./op.ts";
import {
  activate, inputProjection, isReverse, packOutputs, rnnAttrs, rnnData, rnnShapes, timeIndex, zeroEmpty,
} from "./util/rnn.ts";
import { gemmABt } from "./util/rnn-gemm.ts";

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
    const hr = new Float64Array(batch * H);
    for (let d = 0; d < D; d++) {
      const [f] = at.acts[d];
      const reverse = isReverse(at, d);
      const xw = inputProjection(data, d, H, () => true);
      const h = hFinal.subarray(d * batch * H, (d + 1) * batch * H);
      for (let s = 0; s < seq; s++) {
        hr.fill(0);
        gemmABt(h, 0, batch, H, data.r, d * H * H, H, hr, 0, H);
        for (let b = 0; b < batch; b++) {
          if (s >= lens[b]) continue;
          const t = timeIndex(reverse, s, lens[b]);
          const row = (t * batch + b) * H;
          for (let k = 0; k < H; k++) hr[b * H + k] += xw[row + k];
          activate(f, at.clip, hr, b * H, H);
          h.set(hr.subarray(b * H, (b + 1) * H), b * H);
          y.set(hr.subarray(b * H, (b + 1) * H), ((t * D + d) * batch + b) * H);
        }
      }
    }
    zeroEmpty(data, at, [hFinal]);
    return packOutputs(at, data, y, [hFinal]).slice(0, Math.max(1, ctx.node.outputs.length));
  },
};
