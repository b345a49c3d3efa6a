// The sequence op family (recurrent cells) and quantisation: one import per op file, listed here for the registry.
import type { Op } from "./op.ts";
import { dequantizeLinear } from "./dequantizelinear.ts";
import { gru } from "./gru.ts";
import { lstm } from "./lstm.ts";
import { quantizeLinear } from "./quantizelinear.ts";
import { rnn } from "./rnn.ts";

export const ops: Op[] = [dequantizeLinear, gru, lstm, quantizeLinear, rnn];
