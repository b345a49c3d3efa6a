// Build Graph IR models node by node in tests, naming values the way PyTorch's exporter does.
import type { Attr, Dim, Graph, Model, Node, ValueInfo } from "../../src/graph/graph.ts";
import { tensor, type DType, type Tensor } from "../../src/graph/tensor.ts";

/** Shorthands for attribute values. */
export const attr = {
  int: (value: number): Attr => ({ kind: "int", value }),
  float: (value: number): Attr => ({ kind: "float", value }),
  ints: (value: number[]): Attr => ({ kind: "ints", value }),
  floats: (value: number[]): Attr => ({ kind: "floats", value }),
  string: (value: string): Attr => ({ kind: "string", value }),
  strings: (value: string[]): Attr => ({ kind: "strings", value }),
  tensor: (value: Tensor): Attr => ({ kind: "tensor", value }),
};

/** An int64 tensor, e.g. a Reshape shape. */
export function i64(shape: number[], values: number[]): Tensor {
  return tensor("int64", shape, values);
}

/** Builds a Graph node by node, naming values the way PyTorch's exporter does (`/fc1/Gemm_output_0`). */
export class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly initializers = new Map<string, Tensor>();
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  private count = new Map<string, number>();

  constructor(readonly name = "main_graph") {}

  /** Declare a graph input; returns its name. */
  input(name: string, shape: Dim[], dtype: DType = "float32"): string {
    this.inputs.push({ name, dtype, shape });
    return name;
  }

  /** Add an initialiser; returns its name. */
  init(name: string, t: Tensor): string {
    if (this.initializers.has(name)) throw new Error(`GraphBuilder: initializer '${name}' defined twice`);
    this.initializers.set(name, t);
    return name;
  }

  /** Add a node under a scope (e.g. "/fc1"); returns its output names. */
  nodeN(scope: string, op: string, inputs: string[], attrs: Record<string, Attr> = {}, nOut = 1): string[] {
    const key = `${scope}/${op}`;
    const k = this.count.get(key) ?? 0;
    this.count.set(key, k + 1);
    const name = k === 0 ? key : `${key}_${k}`;
    const outputs = Array.from({ length: nOut }, (_, i) => `${name}_output_${i}`);
    this.nodes.push({ name, op, domain: "", inputs, outputs, attrs });
    return outputs;
  }

  /** Add a single-output node; returns the output name. */
  node(scope: string, op: string, inputs: string[], attrs: Record<string, Attr> = {}): string {
    return this.nodeN(scope, op, inputs, attrs)[0];
  }

  /** Mark a value as a graph output, renaming its producer's output so the output has a stable name. */
  output(value: string, name: string, shape: Dim[] | null, dtype: DType = "float32"): void {
    for (const n of this.nodes) {
      n.outputs = n.outputs.map((o) => (o === value ? name : o));
      n.inputs = n.inputs.map((o) => (o === value ? name : o));
    }
    this.outputs.push({ name, dtype, shape });
  }

  /** The finished model at an opset. */
  model(opset = 13): Model {
    const graph: Graph = {
      name: this.name,
      inputs: this.inputs,
      outputs: this.outputs,
      nodes: this.nodes,
      initializers: this.initializers,
      valueInfo: [],
    };
    return {
      graph, opset: new Map([["", opset]]), irVersion: 8, producerName: "pseudonet-tests",
      producerVersion: "", docString: "", metadata: {},
    };
  }
}
