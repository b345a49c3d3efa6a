// A slice is emitted where its first layer stands, so it may only read values set by then: a concat that also
// reads a branch computed later in Net order stays outside the slice (regression: the zoo's modules2 / repeat4 /
// twofns under --obfuscate split read a variable before it was set).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Layer, Net } from "../../src/net/net.ts";
import { sliceAt } from "../../src/recover/slice.ts";
import { explainNet } from "./slice-nets.ts";

const f32 = (xs: number[]) => Float32Array.from(xs);
const base = { dtype: "float32" as const, origin: [] };

/** y = [|x0 - x1|, x0 + x1]: the abs slice fc1 -> relu1 -> fc2 first, the later branch fc3, then their concat. */
function net(): Net {
  const layers: Layer[] = [
    { ...base, kind: "affine", id: "fc1", inputs: ["x"], shape: [2], W: f32([1, -1, -1, 1]), b: f32([0, 0]), inFeatures: 2, outFeatures: 2 },
    { ...base, kind: "act", fn: "relu", id: "relu1", inputs: ["fc1"], shape: [2] },
    { ...base, kind: "affine", id: "fc2", inputs: ["relu1"], shape: [1], W: f32([1, 1]), b: f32([0]), inFeatures: 2, outFeatures: 1 },
    { ...base, kind: "affine", id: "fc3", inputs: ["x"], shape: [1], W: f32([1, 1]), b: f32([0]), inFeatures: 2, outFeatures: 1 },
    { ...base, kind: "concat", axis: 0, id: "cat", inputs: ["fc2", "fc3"], shape: [2] },
  ];
  return { inputs: [{ name: "x", dtype: "float32", shape: [2], batchDim: "N" }], layers, outputs: [{ name: "y", from: "cat" }] };
}

describe("slice order", () => {
  it("a slice reads no value computed after its first layer", () => {
    const n = net();
    const layers = new Map(n.layers.map((l) => [l.id, l]));
    const consumers = new Map<string, string[]>();
    for (const l of n.layers) for (const i of l.inputs) consumers.set(i, [...(consumers.get(i) ?? []), l.id]);
    const s = sliceAt(n.layers[0], n, layers, consumers, new Set(["cat"]), new Set());
    assert.ok(s);
    assert.deepEqual(s.layers.map((l) => l.id), ["fc1", "relu1", "fc2"]);
    assert.deepEqual(s.sources.map((x) => x.id), ["x"]);
  });

  it("the program built around it runs and equals the net", () => {
    const { program, maxErr } = explainNet(net(), 2, -1, 1);
    assert.ok(maxErr < 1e-5, `max error ${maxErr}`);
    assert.ok(program.functions[0].body.length > 0);
  });
});
