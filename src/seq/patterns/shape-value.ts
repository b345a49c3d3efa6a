// The value of a shape computation, symbolically: exporters build Reshape targets from Shape/Gather/Unsqueeze/Concat
// plumbing, which shape inference leaves unknown. Each entry is a number or the symbolic dim it copies.
import type { Dim } from "../../graph/graph.ts";
import type { GraphView } from "./graph-view.ts";

/** The entries of a 1-D int shape value, or undefined when it is not a shape computation we can follow. */
export function shapeValue(gv: GraphView, v: string, depth = 0): Dim[] | undefined {
  if (depth > 12) return undefined;
  const t = gv.init(v);
  if (t) return t.dtype === "int64" || t.dtype === "int32" ? Array.from(t.data as ArrayLike<number>, Number) : undefined;
  const n = gv.prod(v);
  if (!n) return undefined;
  switch (n.op) {
    case "Shape": {
      const s = gv.shape(n.inputs[0]);
      return s && !n.attrs.start && !n.attrs.end ? [...s] : undefined;
    }
    case "Gather": {
      const s = shapeValue(gv, n.inputs[0], depth + 1);
      const idx = gv.init(n.inputs[1]);
      if (!s || !idx || idx.shape.length > 1 || (n.attrs.axis?.kind === "int" && n.attrs.axis.value !== 0)) return undefined;
      const i = Number((idx.data as ArrayLike<number>)[0]);
      return [s[i < 0 ? i + s.length : i]];
    }
    case "Slice": {
      // a run of a shape vector: Slice(s, [a], [b]) with constant bounds on axis 0
      const s = shapeValue(gv, n.inputs[0], depth + 1);
      const [a, b] = [1, 2].map((i) => gv.init(n.inputs[i]));
      if (!s || !a || !b || a.shape.length !== 1 || b.shape.length !== 1 || a.shape[0] !== 1) return undefined;
      const clamp = (x: number) => (x < 0 ? Math.max(0, x + s.length) : Math.min(x, s.length));
      return s.slice(clamp(Number((a.data as ArrayLike<number>)[0])), clamp(Number((b.data as ArrayLike<number>)[0])));
    }
    case "Unsqueeze": case "Squeeze": case "Cast":
      return shapeValue(gv, n.inputs[0], depth + 1);
    case "Div": case "Mul": case "Add": case "Sub": {
      // Integer arithmetic on known entries (d // h of a view): ONNX Div of ints truncates.
      const a = shapeValue(gv, n.inputs[0], depth + 1), b = shapeValue(gv, n.inputs[1], depth + 1);
      if (!a || !b || a.length !== b.length || ![...a, ...b].every((d) => typeof d === "number")) return undefined;
      const f = { Div: (x: number, y: number) => Math.trunc(x / y), Mul: (x: number, y: number) => x * y, Add: (x: number, y: number) => x + y, Sub: (x: number, y: number) => x - y }[n.op]!;
      return a.map((x, i) => f(x as number, b[i] as number));
    }
    case "Concat": {
      const parts = n.inputs.map((u) => shapeValue(gv, u, depth + 1));
      return parts.every(Boolean) ? parts.flatMap((p) => p!) : undefined;
    }
    default:
      return undefined;
  }
}

/** The dims a Reshape of input dims `x` to `target` produces (0 copies, one -1 inferred), or undefined. */
export function reshapeDims(x: Dim[], target: Dim[]): Dim[] | undefined {
  const out = target.map((d, i) => (d === 0 ? x[i] : d));
  const free = out.indexOf(-1);
  if (free >= 0) {
    const known = out.filter((d, i) => i !== free);
    const xs = x.filter((d) => typeof d !== "number");
    const ks = known.filter((d) => typeof d !== "number");
    const num = (ds: Dim[]) => ds.reduce<number>((a, d) => a * (typeof d === "number" ? d : 1), 1);
    // One symbolic dim left over while the numbers cancel: the free dim is that symbol (a batch re-inferred).
    if (xs.length === 1 && ks.length === 0 && num(x) === num(known)) out[free] = xs[0];
    // Otherwise only solvable when the symbolic dims cancel exactly.
    else if (xs.length !== ks.length || xs.some((d) => !ks.includes(d))) return undefined;
    else out[free] = num(x) / num(known);
  }
  return out;
}
