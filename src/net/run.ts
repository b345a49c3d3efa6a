// Run a Net directly, layer by layer, keeping per-layer activations. Each layer runs the nodes lift would
// write for it (emit.ts) through the interpreter's kernels, so there is one implementation of the math.
import type { Graph } from "../graph/graph.ts";
import type { Tensor } from "../graph/tensor.ts";
import { UserError } from "../errors.ts";
import { runGraph } from "../run/interp.ts";
import { NameAllocator } from "../graph/passes/edit.ts";
import { emitLayer } from "./emit.ts";
import type { Layer, Net } from "./net.ts";

/** Kernel semantics the layers run at: opset 20 has Gelu, and every other layer op means the same as at 13. */
export const RUN_OPSET = new Map([["", 20]]);

export interface RunNetOptions {
  /** Layer ids whose outputs to return in `activations`; all layers when omitted. */
  keep?: readonly string[];
}

export interface NetRun {
  /** Net outputs by name. */
  outputs: Record<string, Tensor>;
  /** Kept layer outputs by layer id (batch axis first). */
  activations: Record<string, Tensor>;
}

// A layer's nodes as a small graph, built once per layer object.
const plans = new WeakMap<Layer, Graph>();

function plan(l: Layer): Graph {
  let g = plans.get(l);
  if (g) return g;
  if (l.kind === "opaque") g = l.graph;
  else {
    const ins = l.inputs.map((_, i) => `in${i}`);
    const names = new NameAllocator();
    ins.forEach((n) => names.take(n));
    names.take("out");
    const e = emitLayer(l, ins, "out", RUN_OPSET.get("")!, names);
    g = {
      name: l.id, inputs: ins.map((name) => ({ name, dtype: l.dtype, shape: null })), outputs: [{ name: "out", dtype: l.dtype, shape: null }],
      nodes: e.nodes, initializers: e.initializers, valueInfo: [],
    };
  }
  plans.set(l, g);
  return g;
}

/** Compute one layer's output from its input tensors. */
export function runLayer(l: Layer, xs: Tensor[]): Tensor {
  if (l.kind === "reshape") {
    const n = xs[0].shape[0];
    return { dtype: xs[0].dtype, shape: [n, ...l.shape], data: xs[0].data };
  }
  const g = plan(l);
  const feeds: Record<string, Tensor> = {};
  g.inputs.forEach((v, i) => (feeds[v.name] = xs[i]));
  const opset = l.kind === "opaque" ? l.opset : RUN_OPSET;
  return runGraph(g, opset, feeds)[g.outputs[0].name];
}

/** Run a Net on a batch of inputs (by Net input name); returns its outputs and the kept activations. */
export function runNet(net: Net, inputs: Record<string, Tensor>, opts: RunNetOptions = {}): NetRun {
  const env = new Map<string, Tensor>();
  for (const i of net.inputs) {
    const t = inputs[i.name];
    if (!t) throw new UserError(`no value given for net input '${i.name}' (expected ${i.dtype} [${[i.batchDim ?? "?", ...i.shape].join(", ")}])`);
    env.set(i.name, t);
  }
  const keep = new Set(opts.keep ?? net.layers.map((l) => l.id));
  const wanted = new Set(net.outputs.map((o) => o.from));
  const lastUse = new Map<string, number>();
  net.layers.forEach((l, k) => l.inputs.forEach((r) => lastUse.set(r, k)));
  const activations: Record<string, Tensor> = {};
  net.layers.forEach((l, k) => {
    const xs = l.inputs.map((r) => {
      const t = env.get(r);
      if (!t) throw new UserError(`layer '${l.id}' reads '${r}', which no earlier layer or input provides`);
      return t;
    });
    const y = runLayer(l, xs);
    env.set(l.id, y);
    if (keep.has(l.id)) activations[l.id] = y;
    // Free what no later layer reads: probe runs big batches through deep nets.
    for (const r of l.inputs) if (lastUse.get(r) === k && !wanted.has(r)) env.delete(r);
  });
  const outputs: Record<string, Tensor> = {};
  for (const o of net.outputs) {
    const t = env.get(o.from);
    if (!t) throw new UserError(`net output '${o.name}' comes from '${o.from}', which was not computed`);
    outputs[o.name] = t;
  }
  return { outputs, activations };
}
