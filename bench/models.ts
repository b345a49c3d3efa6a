// The benchmark networks, built as Graphs in code with seeded random weights, laid out the way PyTorch
// exports them (Gemm with transB=1, Conv with bias, NCHW).
import type { Attr, Model, Node } from "../src/graph/graph.ts";
import type { Tensor } from "../src/graph/tensor.ts";
import { randn, rng } from "../src/util/rng.ts";

/** Seeded standard normal samples (src/util/rng.ts). */
export function normals(seed: number): () => number {
  const u = rng(seed);
  return () => randn(u);
}

/** A float32 tensor of normal samples times `scale`. */
export function randomTensor(rnd: () => number, shape: number[], scale = 1): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rnd() * scale;
  return { dtype: "float32", shape, data };
}

/** Accumulates nodes and initialisers of a single-input, single-output float32 model. */
class Builder {
  readonly nodes: Node[] = [];
  readonly inits = new Map<string, Tensor>();
  private n = 0;
  constructor(private readonly normal: () => number) {}

  node(op: string, inputs: string[], attrs: Record<string, Attr> = {}): string {
    const name = `${op.toLowerCase()}${this.n++}`;
    this.nodes.push({ name, op, domain: "", inputs, outputs: [`${name}_out`], attrs });
    return `${name}_out`;
  }

  /** A weight with He-style scale so activations stay O(1) through the layers. */
  weight(name: string, shape: number[], fanIn: number): string {
    this.inits.set(name, randomTensor(this.normal, shape, Math.sqrt(2 / fanIn)));
    return name;
  }

  bias(name: string, n: number): string {
    this.inits.set(name, randomTensor(this.normal, [n], 0.1));
    return name;
  }

  /** PyTorch's Linear: Gemm(x, W[out, in], b, transB=1). */
  linear(x: string, inF: number, outF: number, tag: string): string {
    const w = this.weight(`${tag}.weight`, [outF, inF], inF);
    return this.node("Gemm", [x, w, this.bias(`${tag}.bias`, outF)], { transB: { kind: "int", value: 1 } });
  }

  conv(x: string, inC: number, outC: number, k: number, pad: number, tag: string): string {
    const w = this.weight(`${tag}.weight`, [outC, inC, k, k], inC * k * k);
    const pads: Attr = { kind: "ints", value: [pad, pad, pad, pad] };
    return this.node("Conv", [x, w, this.bias(`${tag}.bias`, outC)], { kernel_shape: { kind: "ints", value: [k, k] }, pads });
  }

  model(name: string, input: { name: string; shape: (number | string)[] }, output: string, outDims: (number | string)[]): Model {
    return {
      graph: {
        name,
        inputs: [{ name: input.name, dtype: "float32", shape: input.shape }],
        outputs: [{ name: output, dtype: "float32", shape: outDims }],
        nodes: this.nodes,
        initializers: this.inits,
        valueInfo: [],
      },
      opset: new Map([["", 17]]),
      irVersion: 8,
      producerName: "pseudonet-bench",
      producerVersion: "",
      docString: "",
      metadata: {},
    };
  }
}

/** MLP 784-256-256-10 with ReLU. */
export function mlp(seed: number): Model {
  const b = new Builder(normals(seed));
  let h = b.linear("x", 784, 256, "fc1");
  h = b.node("Relu", [h]);
  h = b.linear(h, 256, 256, "fc2");
  h = b.node("Relu", [h]);
  h = b.linear(h, 256, 10, "fc3");
  return b.model("mlp_784_256_256_10", { name: "x", shape: ["batch", 784] }, h, ["batch", 10]);
}

/** LeNet-5: conv5x5(6, pad 2)-relu-maxpool-conv5x5(16)-relu-maxpool-fc120-relu-fc84-relu-fc10, input [N, 1, 28, 28]. */
export function lenet5(seed: number): Model {
  const b = new Builder(normals(seed));
  const pool = (x: string) => b.node("MaxPool", [x], { kernel_shape: { kind: "ints", value: [2, 2] }, strides: { kind: "ints", value: [2, 2] } });
  let h = b.conv("x", 1, 6, 5, 2, "conv1");
  h = pool(b.node("Relu", [h]));
  h = b.conv(h, 6, 16, 5, 0, "conv2");
  h = pool(b.node("Relu", [h]));
  h = b.node("Flatten", [h], { axis: { kind: "int", value: 1 } });
  h = b.node("Relu", [b.linear(h, 16 * 5 * 5, 120, "fc1")]);
  h = b.node("Relu", [b.linear(h, 120, 84, "fc2")]);
  h = b.linear(h, 84, 10, "fc3");
  return b.model("lenet5", { name: "x", shape: ["batch", 1, 28, 28] }, h, ["batch", 10]);
}
