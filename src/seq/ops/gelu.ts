// gelu(x) = x * Phi(x): the erf form x/2 (1 + erf(x / sqrt 2)) or the tanh form x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
import type { SeqDef } from "../defs.ts";
import { f32 } from "../../graph/tensor.ts";

export const geluDef: SeqDef = {
  kind: "gelu",
  op: "Gelu",
  doc: "x * Phi(x), the Gaussian error linear unit (erf form, or the tanh approximation)",
  data: 1,
  weights: [],
  expand(e, [x], a) {
    const c = (v: number) => e.constant(f32([], [v]));
    const half = e.one("Mul", [x, c(0.5)]);
    let inner: string;
    if (a.approximate === "tanh") {
      const cube = e.one("Mul", [e.one("Mul", [x, x]), x]);
      const u = e.one("Mul", [e.one("Add", [x, e.one("Mul", [cube, c(0.044715)])]), c(Math.sqrt(2 / Math.PI))]);
      inner = e.one("Tanh", [u]);
    } else inner = e.one("Erf", [e.one("Div", [x, c(Math.SQRT2)])]);
    return [e.one("Mul", [half, e.one("Add", [inner, c(1)])])];
  },
  print: ([x], a) => (a.approximate === "tanh" ? `gelu_tanh(${x})` : `gelu(${x})`),
};
