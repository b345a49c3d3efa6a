// Shape inference over a Graph: each node's shape rule, in topological order, from the graph inputs (symbolic dims
// kept) and initialisers (values known, so Reshape/Slice/... targets computed from constants infer exactly).
import { topoSort, type Dim, type Model, type Node, type ValueInfo } from "./graph.ts";
import { shapeStr } from "./tensor.ts";
import type { ShapeInfo } from "../ops/op.ts";
import { findOp, supportedOps } from "../ops/registry.ts";
import { OpError, UnsupportedOpError, UserError } from "../errors.ts";

export interface InferOptions {
  /** Types to use for graph inputs instead of the declared ones (e.g. the shapes of the data about to be run). */
  inputs?: Record<string, ShapeInfo>;
  /** Leave the outputs of nodes without a kernel (and everything downstream) unknown instead of throwing. */
  skipUnsupported?: boolean;
}

/** Infer every value's dtype and shape; throws OpError naming the first node whose inputs don't agree. */
export function inferShapes(model: Model, opts: InferOptions = {}): Map<string, ShapeInfo> {
  const g = model.graph;
  const env = new Map<string, ShapeInfo>();
  for (const [name, t] of g.initializers) env.set(name, { dtype: t.dtype, shape: [...t.shape], value: t });
  for (const vi of g.inputs) env.set(vi.name, opts.inputs?.[vi.name] ?? { dtype: vi.dtype, shape: vi.shape });
  const declared = new Map<string, ValueInfo>([...g.valueInfo, ...g.outputs].map((v) => [v.name, v]));
  let order: Node[];
  try {
    order = topoSort(g);
  } catch (e) {
    throw e instanceof UserError ? e : new UserError(`the graph is malformed: ${(e as Error).message}`);
  }
  for (const node of order) {
    const version = model.opset.get(node.domain) ?? model.opset.get("") ?? 1;
    const op = findOp(node.op, node.domain);
    if (!op) {
      if (opts.skipUnsupported) continue;
      throw new UnsupportedOpError(node, version, supportedOps());
    }
    // A value produced by a skipped node is unknown, not omitted: skip this node too.
    if (node.inputs.some((v) => v !== "" && !env.has(v))) continue;
    const inputs = node.inputs.map((v) => (v === "" ? undefined : env.get(v)));
    const outs = runShapeRule(node, inputs, (ins) => op.shape(ins, { node, opset: version }));
    node.outputs.forEach((name, k) => {
      if (name !== "" && outs[k]) env.set(name, withDeclared(outs[k], declared.get(name)));
    });
  }
  return env;
}

function runShapeRule(node: Node, inputs: (ShapeInfo | undefined)[], rule: (i: (ShapeInfo | undefined)[]) => ShapeInfo[]): ShapeInfo[] {
  try {
    return rule(inputs);
  } catch (e) {
    if (e instanceof UserError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new OpError(node, `${msg} (inputs: ${inputs.map(infoStr).join(", ")})`);
  }
}

/** Fill what inference left unknown (rank or single dims) from the type the file declares for the value. */
function withDeclared(info: ShapeInfo, decl: ValueInfo | undefined): ShapeInfo {
  if (!decl?.shape) return info;
  if (info.shape === null) return { ...info, shape: [...decl.shape] };
  if (info.shape.length !== decl.shape.length || !info.shape.includes(null)) return info;
  const shape: Dim[] = info.shape.map((d, k) => (d === null ? decl.shape![k] : d));
  return { ...info, shape };
}

/** A value's type for messages: "float32 [batch, 10]". */
export function infoStr(info: ShapeInfo | undefined): string {
  if (!info) return "none";
  return `${info.dtype} ${info.shape ? shapeStr(info.shape) : "(unknown shape)"}`;
}
