import { findOp } from "../src/ops/registry.ts";
const op = findOp("MaxPool")!;
const node = { name: "p", op: "MaxPool", domain: "", inputs: ["x"], outputs: ["y"], attrs: { kernel_shape: { kind: "ints" as const, value: [2, 2] }, strides: { kind: "ints" as const, value: [2, 2] } } };
const nodeP = { ...node, attrs: { ...node.attrs, pads: { kind: "ints" as const, value: [0, 0, 1, 1] } } };
const x = { dtype: "float32" as const, shape: [1000, 6, 28, 28], data: new Float32Array(1000 * 6 * 784).map(() => Math.random()) };
const cpu = (f: () => void) => { const c = process.cpuUsage(); f(); const d = process.cpuUsage(c); return (d.user + d.system) / 1000; };
for (let r = 0; r < 5; r++) {
  const a = cpu(() => op.run([x], { node, opset: 13 }));
  const b = cpu(() => op.run([x], { node: nodeP, opset: 13 }));
  const c = cpu(() => { const y = new Float32Array(x.data.length); for (let i = 0; i < y.length; i++) y[i] = x.data[i] < 0 ? 0 : x.data[i]; });
  console.log("inside", a.toFixed(1), "padded(row path)", b.toFixed(1), "relu-like loop", c.toFixed(1));
}
