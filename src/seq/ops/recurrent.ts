// Recurrent cells run over time: lstm, gru and rnn are the ONNX LSTM/GRU/RNN ops (one layer, forward, reverse or
// both directions), printed as the loop they are. Data inputs: X [n, b, in] (time first), sequence lengths,
// initial h (and c); weights W (input), R (recurrent), B (biases), gates stacked in ONNX order.
import type { SeqDef, SeqKind } from "../defs.ts";
import { nodeAttrs } from "../defs.ts";

/** The gates of each cell, in the order ONNX stacks them in W, R and B. */
export const GATES: Record<"lstm" | "gru" | "rnn", string[]> = {
  lstm: ["input", "output", "forget", "cell"],
  gru: ["update", "reset", "hidden"],
  rnn: ["hidden"],
};

function recurrentDef(kind: "lstm" | "gru" | "rnn", op: "LSTM" | "GRU" | "RNN"): SeqDef {
  const data = kind === "lstm" ? 4 : 3;
  return {
    kind: kind as SeqKind,
    op: op === "LSTM" ? "LstmLoop" : op === "GRU" ? "GruLoop" : "RnnLoop",
    doc: `${op} over time: for t in steps: h = cell(x[t], h) with gates ${GATES[kind].join(", ")}; y[t] = h`,
    data,
    // h0 / c0 as weights: constant initial states (data slots hold computed ones).
    weights: kind === "lstm" ? ["W", "R", "B", "h0", "c0"] : ["W", "R", "B", "h0"],
    outputs: 1,
    expand(e, ins, a) {
      const [x, lens, h0d, c0d] = ins;
      const [W, R, B, h0w, c0w] = ins.slice(data);
      const h0 = h0d || h0w, c0 = kind === "lstm" ? c0d || c0w : "";
      const onnxIns = [x, W, R, B ?? "", lens ?? "", h0 ?? ""];
      if (kind === "lstm") onnxIns.push(c0 ?? "");
      while (onnxIns.length && !onnxIns[onnxIns.length - 1]) onnxIns.pop();
      return e.node(op, onnxIns, nodeAttrs(a), 1);
    },
    print([x, , h0d, c0d], a, w) {
      const h0 = h0d || w.h0, c0 = kind === "lstm" ? c0d || w.c0 : undefined;
      const dir = a.direction && a.direction !== "forward" ? `, ${a.direction}` : "";
      const acts = Array.isArray(a.activations) ? `, activations=${(a.activations as string[]).join("/")}` : "";
      const init = [h0, c0].filter(Boolean).length ? `, init=(${[h0, c0].filter(Boolean).join(", ")})` : "";
      return `${kind}(${x}, ${w.W}, ${w.R}${w.B ? `, ${w.B}` : ""}, hidden=${a.hidden_size}${dir}${acts}${init})`;
    },
  };
}

export const lstmDef = recurrentDef("lstm", "LSTM");
export const gruDef = recurrentDef("gru", "GRU");
export const rnnDef = recurrentDef("rnn", "RNN");
