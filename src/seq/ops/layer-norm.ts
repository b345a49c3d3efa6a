// layer_norm(x) = (x - mean(x)) / sqrt(var(x) + eps) * gamma + beta over the last axis (the exporters' ReduceMean,
// Sub, Pow, Add, Sqrt, Div, Mul, Add chain, and ONNX LayerNormalization).
import type { SeqDef } from "../defs.ts";

export const layerNormDef: SeqDef = {
  kind: "layer_norm",
  op: "LayerNorm",
  doc: "(x - mean(x)) / sqrt(var(x) + eps) * gamma + beta over the last axis",
  data: 1,
  weights: ["gamma", "beta"],
  expand(e, [x, gamma, beta], a) {
    const mean = e.meanLast(x);
    const d = e.one("Sub", [x, mean]);
    const variance = e.meanLast(e.one("Mul", [d, d]));
    const sd = e.one("Sqrt", [e.one("Add", [variance, e.constant({ dtype: "float32", shape: [], data: new Float32Array([a.epsilon as number]) })])]);
    return [e.one("Add", [e.one("Mul", [e.one("Div", [d, sd]), gamma]), beta])];
  },
  print: ([x], a, w) => `layer_norm(${x}, ${w.gamma}, ${w.beta}, eps=${+(a.epsilon as number).toPrecision(6)})`,
};
