// The Graph IR: ONNX's model, without protobuf. Only src/onnx/ converts between the two.
import type { DType, Tensor } from "./tensor.ts";

/** A dimension: a number when known, a symbolic name (e.g. "batch") or null when unknown. */
export type Dim = number | string | null;

/** A named value's type: dtype and (possibly symbolic) shape; shape null when even the rank is unknown. */
export interface ValueInfo {
  name: string;
  dtype: DType;
  shape: Dim[] | null;
}

/** One ONNX attribute value, tagged by its ONNX attribute type. */
export type Attr =
  | { kind: "float"; value: number }
  | { kind: "int"; value: number }
  | { kind: "string"; value: string }
  | { kind: "tensor"; value: Tensor }
  | { kind: "graph"; value: Graph }
  | { kind: "floats"; value: number[] }
  | { kind: "ints"; value: number[] }
  | { kind: "strings"; value: string[] }
  | { kind: "tensors"; value: Tensor[] }
  | { kind: "graphs"; value: Graph[] };

export interface Node {
  /** The node's name; readers give unnamed nodes a stable one (`${op}_${index}`). */
  name: string;
  op: string;
  /** "" for the default ONNX domain ("ai.onnx" is normalised to ""). */
  domain: string;
  /** Input value names; "" marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attrs: Record<string, Attr>;
}

export interface Graph {
  name: string;
  /** The real inputs (initialisers that old exporters also list as inputs are not here). */
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /** In topological order once the reader has sorted them. */
  nodes: Node[];
  initializers: Map<string, Tensor>;
  /** Types of intermediate values, when the file records them. */
  valueInfo: ValueInfo[];
}

export interface Model {
  graph: Graph;
  /** Opset version per domain; the default domain is "". */
  opset: Map<string, number>;
  irVersion: number;
  producerName: string;
  producerVersion: string;
  docString: string;
  metadata: Record<string, string>;
}

/** Sort nodes so every value is produced before it is used; throws naming the node in a cycle or with a missing input. */
export function topoSort(graph: Graph): Node[] {
  const available = new Set<string>([...graph.inputs.map((v) => v.name), ...graph.initializers.keys(), ""]);
  const producers = new Map<string, number>();
  graph.nodes.forEach((n, i) => n.outputs.forEach((o) => producers.set(o, i)));
  const order: Node[] = [];
  const state = new Uint8Array(graph.nodes.length); // 0 new, 1 visiting, 2 done
  const visit = (start: number) => {
    // Iterative DFS: real graphs (GPT-2 exports) have thousands of nodes in long chains.
    const stack: [number, number][] = [[start, 0]];
    state[start] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1];
      const node = graph.nodes[top[0]];
      if (top[1] < node.inputs.length) {
        const inp = node.inputs[top[1]++];
        if (available.has(inp)) continue;
        const p = producers.get(inp);
        if (p === undefined) {
          throw new Error(`node '${node.name}' (${node.op}) uses '${inp}', which no node, input or initializer provides`);
        }
        if (state[p] === 1) throw new Error(`the graph has a cycle through node '${graph.nodes[p].name}'`);
        if (state[p] === 0) {
          state[p] = 1;
          stack.push([p, 0]);
        }
      } else {
        state[top[0]] = 2;
        node.outputs.forEach((o) => available.add(o));
        order.push(node);
        stack.pop();
      }
    }
  };
  for (let i = 0; i < graph.nodes.length; i++) if (state[i] === 0) visit(i);
  return order;
}
