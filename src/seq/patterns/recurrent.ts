// LSTM / GRU / RNN (ONNX ops) whose only output read is Y -> lstm / gru / rnn: the cell run over time.
import { gruDef, lstmDef, rnnDef } from "../ops/recurrent.ts";
import type { SeqPattern } from "./pattern.ts";

const DEFS = { LSTM: lstmDef, GRU: gruDef, RNN: rnnDef } as const;

export const recurrentPattern: SeqPattern = {
  name: "recurrent",
  doc: "LSTM/GRU/RNN with constant float weights, only Y read -> lstm/gru/rnn(x, W, R, B) as a loop over time",
  at(gv, v) {
    const n = gv.prod(v, "LSTM", "GRU", "RNN");
    if (!n || n.outputs[0] !== v || n.outputs.slice(1).some((o) => o && gv.uses(o))) return undefined;
    const def = DEFS[n.op as keyof typeof DEFS];
    const [x, W, R, B, lens, h0, c0] = n.inputs;
    if (![W, R].every((w) => gv.init(w)?.dtype === "float32") || (B && gv.init(B)?.dtype !== "float32")) return undefined;
    // Constant initial states go to the weight slots, computed ones to the data slots.
    const state = (v: string | undefined) => (v && !gv.init(v) ? v : "");
    const konst = (v: string | undefined) => (v && gv.init(v)?.dtype === "float32" ? v : "");
    const data = n.op === "LSTM" ? [x, lens ?? "", state(h0), state(c0)] : [x, lens ?? "", state(h0)];
    const ws = n.op === "LSTM" ? [W, R, B ?? "", konst(h0), konst(c0)] : [W, R, B ?? "", konst(h0)];
    const attrs: Record<string, number | number[] | string | string[]> = {};
    for (const [k, a] of Object.entries(n.attrs)) if (a.kind === "int" || a.kind === "float" || a.kind === "string" || a.kind === "ints" || a.kind === "floats" || a.kind === "strings") attrs[k] = a.value as never;
    gv.replace(def, v, [...data, ...ws], attrs, n.name);
    return `${v}: ${def.kind}, hidden ${attrs.hidden_size}, ${attrs.direction ?? "forward"}`;
  },
};
