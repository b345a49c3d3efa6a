// What the seq patterns read of a Graph: producers, readers, constants and inferred shapes, and how they rewrite it
// (a block node replaces the node producing a value; the nodes it made dead are removed at the end of the pass).
import type { Dim, Graph, Model, Node } from "../../graph/graph.ts";
import type { Tensor } from "../../graph/tensor.ts";
import type { ShapeInfo } from "../../ops/op.ts";
import { consumerMap, producerMap, removeDead } from "../../graph/passes/edit.ts";
import { floats } from "../../graph/passes/consts.ts";
import { inferShapes } from "../../graph/infer.ts";
import { nodeAttrs, SEQ_DOMAIN, type SeqAttrs, type SeqDef } from "../defs.ts";

/** A Graph being rewritten, with its lookups (refreshed after each rewrite). */
export class GraphView {
  producers!: Map<string, Node>;
  readers!: Map<string, Node[]>;
  shapes!: Map<string, ShapeInfo>;
  private k = 0;
  constructor(readonly model: Model) {
    this.refresh();
  }
  get g(): Graph {
    return this.model.graph;
  }
  /** Recompute producers, readers and (when `shapes`) inferred shapes; a rewrite keeps every value's shape. */
  refresh(shapes = true): void {
    removeDead(this.g);
    this.producers = producerMap(this.g);
    this.readers = consumerMap(this.g);
    if (shapes) this.shapes = inferShapes(this.model, { skipUnsupported: true });
  }
  /** The node producing v when it has op `op` (any of them). */
  prod(v: string | undefined, ...ops: string[]): Node | undefined {
    const n = v ? this.producers.get(v) : undefined;
    return n && n.domain === "" && (ops.length === 0 || ops.includes(n.op)) ? n : undefined;
  }
  init(v: string | undefined): Tensor | undefined {
    return v ? this.g.initializers.get(v) : undefined;
  }
  /** The value of a one-element float constant, else undefined. */
  scalar(v: string | undefined): number | undefined {
    const t = this.init(v);
    const f = t && t.dtype !== "string" ? floats(t) : undefined;
    return f && f.length === 1 ? f[0] : undefined;
  }
  isScalar(v: string | undefined, value: number, tol = 1e-6): boolean {
    const s = this.scalar(v);
    return s !== undefined && Math.abs(s - value) <= tol * Math.max(1, Math.abs(value));
  }
  shape(v: string): Dim[] | null {
    return this.shapes.get(v)?.shape ?? null;
  }
  dtype(v: string): string | undefined {
    return this.shapes.get(v)?.dtype;
  }
  /** Number of nodes reading v (graph outputs count as readers). */
  uses(v: string): number {
    return (this.readers.get(v)?.length ?? 0) + (this.g.outputs.some((o) => o.name === v) ? 1 : 0);
  }
  /** Number of nodes reading v for its values (Shape nodes read only its dims), graph outputs included. */
  dataUses(v: string): number {
    return this.uses(v) - (this.readers.get(v) ?? []).filter((r) => r.op === "Shape").length;
  }
  /** A float32 initializer named for a block weight (new name when `data` differs from an existing one). */
  weight(name: string, t: Tensor): string {
    if (this.g.initializers.get(name) === t) return name;
    let n = name;
    while (this.g.initializers.has(n)) n = `${name}_${++this.k}`;
    this.g.initializers.set(n, t);
    return n;
  }
  /** Add a block node computing a new value (placed before `before`); returns the value's name. */
  insert(def: SeqDef, inputs: string[], attrs: SeqAttrs, name: string, before: Node, shape: ShapeInfo): string {
    let out = `${name}_${def.kind}`;
    while (this.producers.has(out) || this.g.initializers.has(out)) out = `${out}_${++this.k}`;
    const node: Node = { name: `${def.kind}_${name}`, op: def.op, domain: SEQ_DOMAIN, inputs, outputs: [out], attrs: nodeAttrs(attrs) };
    this.g.nodes.splice(this.g.nodes.indexOf(before), 0, node);
    this.producers.set(out, node);
    this.shapes.set(out, shape);
    return out;
  }
  /** Replace the node producing `out` by a block node reading `inputs` (data then weights, "" when absent). */
  replace(def: SeqDef, out: string, inputs: string[], attrs: SeqAttrs, name: string): Node {
    const old = this.producers.get(out)!;
    const node: Node = { name: `${def.kind}_${name || ++this.k}`, op: def.op, domain: SEQ_DOMAIN, inputs, outputs: [out], attrs: nodeAttrs(attrs) };
    const i = this.g.nodes.indexOf(old);
    // A multi-output node keeps its other outputs: the block is added beside it and takes over `out` alone.
    if (old.outputs.length > 1) {
      old.outputs = old.outputs.map((o) => (o === out ? "" : o));
      this.g.nodes.splice(i + 1, 0, node);
    } else this.g.nodes[i] = node;
    this.producers.set(out, node);
    return node;
  }
}

/** The two inputs of a binary node, ordered so that the first satisfies `first` (undefined when neither does). */
export function ordered(n: Node, first: (v: string) => boolean): [string, string] | undefined {
  const [a, b] = n.inputs;
  if (first(a)) return [a, b];
  if (first(b)) return [b, a];
  return undefined;
}
