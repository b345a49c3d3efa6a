// x/2 (1 + erf(x / sqrt 2)) -> gelu(x);  x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) -> gelu_tanh(x)
// Exporters write these in many arrangements (Mul by 0.5 first or last, Div by sqrt 2 or Mul by its inverse, x^3 as
// Pow or as products). So the pattern is semantic: the largest fragment of elementwise ops with scalar constants
// over one variable is evaluated on a grid of 4001 points in [-12, 12] and must equal one of the two forms there to
// float32 rounding (2e-6 relative); the forms differ by up to 5e-4, so they are never confused.
import type { Graph, Node } from "../../graph/graph.ts";
import { f32 } from "../../graph/tensor.ts";
import { runGraph } from "../../run/interp.ts";
import { geluDef } from "../ops/gelu.ts";
import type { GraphView } from "./graph-view.ts";
import type { SeqPattern } from "./pattern.ts";

const UNARY = new Set(["Erf", "Tanh", "Sqrt", "Neg", "Exp", "Sigmoid", "Reciprocal"]);
const BINARY = new Set(["Add", "Sub", "Mul", "Div", "Pow"]);

/** The elementwise cone of one variable ending at v: its nodes and its one variable, else undefined. */
export function scalarCone(gv: GraphView, v: string, minNodes = 3): { nodes: Node[]; x: string } | undefined {
  let nodes = new Set<Node>();
  let prev = new Set<Node>();
  const leaves = new Set<string>();
  const visit = (u: string, root: boolean) => {
    const n = gv.prod(u);
    const ok = n && n.outputs.length === 1 && (UNARY.has(n.op) || BINARY.has(n.op)) && gv.dtype(u) === "float32" &&
      n.inputs.every((w) => gv.init(w) === undefined || gv.scalar(w) !== undefined);
    const inside = (r: Node) => nodes.has(r) || prev.has(r);
    if (!ok || (!root && !(gv.readers.get(u) ?? []).every(inside))) {
      if (gv.init(u) === undefined) leaves.add(u);
      return;
    }
    if (nodes.has(n)) return;
    nodes.add(n);
    for (const w of n.inputs) if (gv.init(w) === undefined) visit(w, false);
  };
  // Readers are checked against the nodes found so far, so iterate until the cone stops growing.
  for (let size = -1; size !== nodes.size; ) {
    size = nodes.size;
    prev = nodes;
    nodes = new Set();
    leaves.clear();
    visit(v, true);
  }
  if (leaves.size !== 1 || nodes.size < minNodes) return undefined;
  return { nodes: [...nodes], x: [...leaves][0] };
}

const GRID = Float32Array.from({ length: 4001 }, (_, i) => -12 + (24 * i) / 4000);
const erf = (x: number) => {
  // Abramowitz-Stegun 7.1.26 is too coarse here; use the series/continued fraction via Math where possible.
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const y = 1 - t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? y : -y;
};
const FORMS: Record<string, (x: number) => number> = {
  none: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  tanh: (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))),
};

/** Which gelu form (if any) the cone computes on the grid. */
function geluForm(gv: GraphView, cone: { nodes: Node[]; x: string }, out: string): string | undefined {
  const g: Graph = {
    name: "cone", inputs: [{ name: cone.x, dtype: "float32", shape: [GRID.length] }], outputs: [{ name: out, dtype: "float32", shape: null }],
    nodes: cone.nodes, initializers: gv.g.initializers, valueInfo: [],
  };
  let y: Float32Array;
  try {
    y = runGraph(g, gv.model.opset, { [cone.x]: f32([GRID.length], GRID) })[out].data as Float32Array;
  } catch {
    return undefined;
  }
  for (const [form, f] of Object.entries(FORMS)) {
    // erf above is good to 1.2e-7 absolute; the test allows float32 rounding of the exporter's arrangement.
    if (GRID.every((x, i) => Math.abs(y[i] - f(x)) <= 2e-6 * Math.max(1, Math.abs(f(x))))) return form;
  }
  return undefined;
}

export const geluPattern: SeqPattern = {
  name: "gelu",
  doc: "x/2 (1 + erf(x/sqrt 2)) -> gelu(x); x/2 (1 + tanh(sqrt(2/pi)(x + 0.044715 x^3))) -> gelu_tanh(x) (checked on a grid)",
  at(gv, v) {
    const n = gv.prod(v, "Mul", "Div");
    if (!n) return undefined;
    const cone = scalarCone(gv, v);
    if (!cone || !cone.nodes.some((m) => m.op === "Erf" || m.op === "Tanh")) return undefined;
    const form = geluForm(gv, cone, v);
    if (!form) return undefined;
    gv.replace(geluDef, v, [cone.x], form === "tanh" ? { approximate: "tanh" } : {}, n.name);
    return `${v}: gelu${form === "tanh" ? "_tanh" : ""} (${cone.nodes.length} ops)`;
  },
};
