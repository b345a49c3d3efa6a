// Resolve chains of pure data reorderings: Transpose∘Transpose composes into one Transpose (gone when the
// composition is the identity); a run of Reshape/Flatten/Squeeze/Unsqueeze becomes one Reshape to a
// constant shape (batch dim as -1), or disappears when it ends where it started. This also turns
// PyTorch's x.view(x.size(0), -1) (Shape/Gather/Concat feeding Reshape) into Reshape(x, [-1, n]).
import { topoSort, type Dim, type Graph, type Model, type Node } from "../graph.ts";
import { tensor } from "../tensor.ts";
import type { Pass } from "../../pipeline/pass.ts";
import type { ShapeInfo } from "../../ops/op.ts";
import { attrInts } from "../../ops/op.ts";
import { bypassNode, cloneModel, isGraphOutput, NameAllocator, producerMap, removeDead } from "./edit.ts";
import { batchShapes } from "./shapes.ts";

const RESHAPES = new Set(["Reshape", "Flatten", "Squeeze", "Unsqueeze"]);

function isReshape(n: Node | undefined): n is Node {
  return !!n && n.domain === "" && RESHAPES.has(n.op);
}

/** Dims equal as known dims: numbers equal, or both the batch axis. Unknown dims are never equal. */
function sameShape(a: readonly Dim[] | null | undefined, b: readonly Dim[] | null | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  return a.every((d, i) => d !== null && d === b[i]);
}

/** A Reshape spec for a shape: numbers as they are, the one run-time dim (batch or other) as -1. */
function encode(shape: readonly Dim[] | null | undefined): number[] | undefined {
  if (!shape) return undefined;
  if (shape.filter((d) => typeof d !== "number").length > 1 || shape.some((d) => d === 0)) return undefined;
  return shape.map((d) => (typeof d === "number" ? d : -1));
}

/** A Transpose's permutation (the default reverses the axes), or undefined when the rank is unknown. */
function permOf(n: Node, shapes: Map<string, ShapeInfo>): number[] | undefined {
  const p = attrInts(n, "perm");
  if (p) return p;
  const rank = shapes.get(n.inputs[0])?.shape?.length;
  return rank === undefined ? undefined : Array.from({ length: rank }, (_, i) => rank - 1 - i);
}

interface Counts {
  transposes: number;
  reshapes: number;
  removed: number;
}

function transposeStep(g: Graph, n: Node, shapes: Map<string, ShapeInfo>, producers: Map<string, Node>, c: Counts, details: string[]): void {
  const p2 = permOf(n, shapes);
  if (!p2) return;
  const prod = producers.get(n.inputs[0]);
  let perm = p2;
  if (prod && prod.op === "Transpose" && prod.domain === "") {
    const p1 = permOf(prod, shapes);
    if (!p1 || p1.length !== p2.length) return;
    perm = p2.map((i) => p1[i]);
    n.inputs = [prod.inputs[0]];
    n.attrs = { ...n.attrs, perm: { kind: "ints", value: perm } };
    details.push(`Transpose '${prod.name}' then '${n.name}' composed`);
    c.transposes++;
  }
  if (perm.every((v, i) => v === i) && bypassNode(g, n)) {
    details.push(`Transpose '${n.name}' is the identity: removed`);
    c.removed++;
  }
}

function reshapeStep(model: Model, n: Node, shapes: Map<string, ShapeInfo>, producers: Map<string, Node>, names: NameAllocator, c: Counts, details: string[]): void {
  const g = model.graph;
  let root = n.inputs[0];
  for (let p = producers.get(root); isReshape(p); p = producers.get(root)) root = p.inputs[0];
  const y = shapes.get(n.outputs[0])?.shape;
  if (sameShape(shapes.get(root)?.shape, y)) {
    const saved = n.inputs;
    n.inputs = [root];
    if (bypassNode(g, n)) {
      details.push(`${n.op} '${n.name}' leaves the shape unchanged: removed`);
      c.removed++;
      return;
    }
    n.inputs = saved;
  }
  const dynamic = n.op === "Reshape" && !g.initializers.has(n.inputs[1] ?? "");
  const spec = encode(y);
  if ((root === n.inputs[0] && !dynamic) || !spec || (model.opset.get("") ?? 1) < 5) return;
  const shapeName = names.fresh(`${n.name}_shape`);
  g.initializers.set(shapeName, tensor("int64", [spec.length], spec));
  const q: Node = { name: n.name, op: "Reshape", domain: "", inputs: [root, shapeName], outputs: [n.outputs[0]], attrs: {} };
  g.nodes[g.nodes.indexOf(n)] = q;
  producers.set(q.outputs[0], q);
  details.push(`${n.op} '${n.name}'${root !== n.inputs[0] ? " and the reshapes before it" : ""} -> Reshape to [${spec.join(", ")}]`);
  c.reshapes++;
}

/** Resolve reshape and transpose chains; see the file comment. */
export const reshapeChains: Pass<Model, Model> = {
  name: "reshape-chains",
  doc: "compose Transpose chains, merge Reshape/Flatten/Squeeze/Unsqueeze runs into one constant Reshape, drop no-op reshapes (exact)",
  run(input) {
    const model = cloneModel(input);
    const g = model.graph;
    const { shapes } = batchShapes(model);
    const names = new NameAllocator(g);
    const c: Counts = { transposes: 0, reshapes: 0, removed: 0 };
    const details: string[] = [];
    // Producers stay valid as nodes are bypassed or replaced (outputs keep their names), except when a
    // bypass renames a value to keep a graph output name: then the map is rebuilt.
    const producers = producerMap(g);
    const alive = new Set(g.nodes);
    for (const n of topoSort(g)) {
      if (!alive.has(n) || n.domain !== "") continue;
      const before = g.nodes.length;
      if (n.op === "Transpose") transposeStep(g, n, shapes, producers, c, details);
      else if (RESHAPES.has(n.op)) reshapeStep(model, n, shapes, producers, names, c, details);
      if (g.nodes.length === before) continue;
      alive.delete(n);
      if (isGraphOutput(g, n.outputs[0])) {
        producers.clear();
        for (const [k, v] of producerMap(g)) producers.set(k, v);
      }
    }
    removeDead(g);
    const parts = [
      c.transposes && `composed ${c.transposes} Transpose pairs`,
      c.reshapes && `merged ${c.reshapes} reshapes into constant Reshape`,
      c.removed && `removed ${c.removed} no-op reorderings`,
    ].filter(Boolean);
    return {
      out: model,
      report: { pass: "reshape-chains", summary: parts.length ? parts.join(", ") : "no reshape chains", details },
    };
  },
};
