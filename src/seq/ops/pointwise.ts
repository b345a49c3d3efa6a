// pointwise(x) = f(x) elementwise, f an expression over x with constants, kept as text: "((1 - x) * -10000)".
// The exporters' scalar arithmetic (a padding mask turned into an additive bias, a scale) reads as the formula.
// The text is fully parenthesised, so its expansion repeats the original float32 operations in the same order.
import type { Expander, SeqDef } from "../defs.ts";
import { f32 } from "../../graph/tensor.ts";

const BIN: Record<string, string> = { "+": "Add", "-": "Sub", "*": "Mul", "/": "Div", "^": "Pow" };
export const FNS: Record<string, string> = { erf: "Erf", tanh: "Tanh", sqrt: "Sqrt", neg: "Neg", exp: "Exp", sigmoid: "Sigmoid", recip: "Reciprocal" };

/** Emit the nodes of an expression; returns the value name. */
function emit(e: Expander, text: string, x: string): string {
  let i = 0;
  const ws = () => { while (text[i] === " ") i++; };
  const primary = (): string => {
    ws();
    if (text[i] === "(") {
      i++;
      const a = primary();
      ws();
      const op = text[i++];
      const b = primary();
      ws();
      if (text[i++] !== ")" || !BIN[op]) throw new Error(`pointwise: bad expression '${text}'`);
      return e.one(BIN[op], [a, b]);
    }
    const m = /^(-?(?:Infinity|\d+(?:\.\d*)?(?:e[-+]?\d+)?|NaN)|[a-z]+)/.exec(text.slice(i));
    if (!m) throw new Error(`pointwise: bad expression '${text}' at ${i}`);
    i += m[0].length;
    if (m[0] === "x") return x;
    if (FNS[m[0]]) {
      ws();
      if (text[i++] !== "(") throw new Error(`pointwise: bad expression '${text}'`);
      const a = primary();
      ws();
      i++;
      return e.one(FNS[m[0]], [a]);
    }
    return e.constant(f32([], [Number(m[0])]));
  };
  return primary();
}

export const pointwiseDef: SeqDef = {
  kind: "pointwise",
  op: "Pointwise",
  doc: "an elementwise formula of x with constants",
  data: 1,
  weights: [],
  expand: (e, [x], a) => [emit(e, a.expr as string, x)],
  print: ([x], a) => (a.expr as string).replace(/\bx\b/g, x).replace(/^\((.*)\)$/, "$1"),
};
