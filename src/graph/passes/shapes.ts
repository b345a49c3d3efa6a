// What the normalize passes know of each value's shape: the op shape rules run over the graph in
// order (src/graph/infer.ts), from the declared input shapes, optionally with the batch dim made symbolic.
import { topoSort, type Dim, type Model, type ValueInfo } from "../graph.ts";
import { inferShapes } from "../infer.ts";
import type { ShapeInfo } from "../../ops/op.ts";

export interface ShapeOptions {
  /** Give all-numeric graph inputs a symbolic dim 0 ("batch"), so nothing batch-dependent folds to a constant. */
  symbolicBatch?: boolean;
}

/** The symbol used for a fixed batch dim made symbolic. */
export const BATCH = "batch";

/** Input shapes as declared, or with an all-numeric dim 0 replaced by the batch symbol. */
export function inputInfos(model: Model, opts: ShapeOptions = {}): ValueInfo[] {
  return model.graph.inputs.map((v) => {
    if (!opts.symbolicBatch || !v.shape || v.shape.length === 0) return v;
    if (v.shape.some((d) => typeof d !== "number")) return v;
    return { ...v, shape: [BATCH, ...v.shape.slice(1)] as Dim[] };
  });
}

/** Shape info per value name (inputs, initialisers with their values, node outputs) from src/graph/infer.ts.
 *  Values after a node without a kernel are absent; if a shape rule rejects the graph, only inputs and initialisers are
 *  known, so the passes leave every shape-dependent node alone rather than fail. */
export function valueShapes(model: Model, opts: ShapeOptions = {}): Map<string, ShapeInfo> {
  const inputs: Record<string, ShapeInfo> = {};
  for (const v of inputInfos(model, opts)) inputs[v.name] = { dtype: v.dtype, shape: v.shape };
  try {
    return inferShapes(model, { inputs, skipUnsupported: true });
  } catch {
    const out = new Map<string, ShapeInfo>(Object.entries(inputs));
    for (const [name, t] of model.graph.initializers) out.set(name, { dtype: t.dtype, shape: [...t.shape], value: t });
    return out;
  }
}

/** The rank of a value, if known. */
export function rankOf(shapes: Map<string, ShapeInfo>, name: string): number | undefined {
  return shapes.get(name)?.shape?.length;
}

/** Per-value shapes in which the batch axis is marked: dims that scale with the batch are BATCH, other
 *  run-time dims (sequence lengths, ...) are null, everything else is a number. */
export interface BatchShapes {
  shapes: Map<string, ShapeInfo>;
  /** "varied": inferred at two batch sizes and compared; "declared": from the declared shapes, dim 0 of
   *  input-dependent values taken as the batch (for fixed-batch graphs that bake the batch size in). */
  mode: "varied" | "declared";
  /** The batch dim the first graph input declares (a symbol, a fixed size, or null). */
  declaredBatch: Dim;
}

// Two runs with different sizes: a dim that is 2 then 5 follows the batch; one that changes otherwise
// follows some other run-time size; one that stays put is static.
const RUNS = [{ batch: 2, other: 3 }, { batch: 5, other: 7 }];

function concreteInputs(model: Model, batchSym: Dim, run: { batch: number; other: number }, varyFixed: boolean): Record<string, ShapeInfo> {
  const out: Record<string, ShapeInfo> = {};
  for (const v of model.graph.inputs) {
    const allFixed = v.shape !== null && v.shape.every((d) => typeof d === "number");
    const shape = v.shape?.map((d, i) => {
      if (typeof d === "number") return i === 0 && allFixed && varyFixed ? run.batch : d;
      return d === batchSym ? run.batch : run.other;
    }) ?? null;
    out[v.name] = { dtype: v.dtype, shape };
  }
  return out;
}

/** Values computed from the graph inputs (as opposed to from initialisers alone). */
export function inputDependent(model: Model): Set<string> {
  const dep = new Set(model.graph.inputs.map((v) => v.name));
  for (const n of topoSort(model.graph)) {
    if (n.inputs.some((v) => dep.has(v)) || Object.values(n.attrs).some((a) => a.kind === "graph" || a.kind === "graphs")) {
      n.outputs.forEach((o) => o !== "" && dep.add(o));
    }
  }
  return dep;
}

/** Shapes with the batch axis marked; see BatchShapes. */
export function batchShapes(model: Model): BatchShapes {
  const declaredBatch: Dim = model.graph.inputs[0]?.shape?.[0] ?? null;
  const anySymbolic = model.graph.inputs.some((v) => v.shape?.some((d) => typeof d !== "number"));
  // Fixed-shape inputs are varied too (their dim 0 is taken as the batch); if the graph bakes the batch
  // size in, vary only the symbolic dims, and with none left, read the declared shapes.
  for (const varyFixed of anySymbolic ? [true, false] : [true]) {
    let a: Map<string, ShapeInfo>;
    let b: Map<string, ShapeInfo>;
    try {
      a = inferShapes(model, { inputs: concreteInputs(model, declaredBatch, RUNS[0], varyFixed), skipUnsupported: true });
      b = inferShapes(model, { inputs: concreteInputs(model, declaredBatch, RUNS[1], varyFixed), skipUnsupported: true });
    } catch {
      continue; // e.g. a Reshape to a constant [1, ...] rejects any batch but the declared one
    }
    const shapes = new Map<string, ShapeInfo>();
    for (const [name, ia] of a) {
      const ib = b.get(name);
      if (!ib) continue;
      const same = ia.shape && ib.shape && ia.shape.length === ib.shape.length;
      const shape = same ? ia.shape!.map((d, k) => mergeDim(d, ib.shape![k])) : null;
      shapes.set(name, { dtype: ia.dtype, shape, value: model.graph.initializers.get(name) });
    }
    return { shapes, mode: "varied", declaredBatch };
  }
  const dep = inputDependent(model);
  const shapes = new Map<string, ShapeInfo>();
  for (const [name, info] of valueShapes(model)) {
    const shape = info.shape?.map((d, k) => {
      if (k === 0 && dep.has(name) && d === declaredBatch && declaredBatch !== null) return BATCH as Dim;
      return typeof d === "number" ? d : null;
    }) ?? null;
    shapes.set(name, { dtype: info.dtype, shape, value: model.graph.initializers.get(name) });
  }
  return { shapes, mode: "declared", declaredBatch };
}

function mergeDim(x: Dim, y: Dim): Dim {
  if (typeof x !== "number" || typeof y !== "number") return null;
  if (x === y) return x;
  return x === RUNS[0].batch && y === RUNS[1].batch ? BATCH : null;
}
