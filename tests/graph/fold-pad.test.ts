// fold-pad: a zero Pad folds into the Conv / AveragePool / MaxPool reading it exactly when the padding means the same
// (checked by running both graphs with the interpreter and onnxruntime), and is kept, with the reason, otherwise.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Attr, Model } from "../../src/graph/graph.ts";
import { f32 } from "../../src/graph/tensor.ts";
import { foldPad } from "../../src/graph/passes/index.ts";
import { rng, randnArray } from "../helpers/rng.ts";
import { attr, GraphBuilder, i64, randomFeeds } from "../helpers/nets.ts";
import { assertEquivalent } from "./equiv.ts";

const count = (m: Model, op: string) => m.graph.nodes.filter((n) => n.op === op).length;

/** x [batch, 2, 7, 6] -> (act) -> Pad -> window op -> output; pads as an input (opset 13) or attribute (opset 2 style). */
function padded(op: string, attrs: Record<string, Attr>, opts: { act?: string; pads?: number[]; value?: number; opset?: number } = {}): Model {
  const r = rng(5);
  const b = new GraphBuilder(`pad-${op}`);
  let x = b.input("input", ["batch", 2, 7, 6]);
  if (opts.act) x = b.node("/act", opts.act, [x]);
  const pads = opts.pads ?? [0, 0, 1, 2, 0, 0, 1, 0];
  const opset = opts.opset ?? 13;
  const p = opset >= 11
    ? b.node("/pad", "Pad", [x, b.init("pads", i64([8], pads)), ...(opts.value !== undefined ? [b.init("v", f32([], [opts.value]))] : [])])
    : b.node("/pad", "Pad", [x], { pads: attr.ints(pads), value: attr.float(opts.value ?? 0) });
  const inputs = op === "Conv" ? [p, b.init("w", f32([3, 2, 3, 3], randnArray(r, 54))), b.init("bias", f32([3], randnArray(r, 3)))] : [p];
  b.output(b.node("/win", op, inputs, attrs), "output", ["batch", op === "Conv" ? 3 : 2, null, null]);
  return b.model(opset);
}

async function folds(model: Model, expectFolded: boolean): Promise<Model> {
  const { out, report } = foldPad.run(model);
  assert.equal(report.pass, "fold-pad");
  assert.equal(count(out, "Pad"), expectFolded ? 0 : 1, report.details.join("; "));
  await assertEquivalent(model, out, randomFeeds(rng(9), model, 3), { label: model.graph.name });
  return out;
}

test("fold-pad: Conv takes the Pad's zeros as its own pads, added to its pads", async () => {
  const out = await folds(padded("Conv", { pads: attr.ints([1, 0, 0, 1]), strides: attr.ints([2, 1]) }), true);
  assert.deepEqual(out.graph.nodes[0].attrs.pads, { kind: "ints", value: [2, 2, 1, 1] });
  await folds(padded("Conv", {}, { opset: 2 }), true);
});

test("fold-pad: AveragePool counts the Pad's zeros, so it folds as count_include_pad", async () => {
  const out = await folds(padded("AveragePool", { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]) }), true);
  assert.deepEqual(out.graph.nodes[0].attrs.count_include_pad, { kind: "int", value: 1 });
  await folds(padded("AveragePool", { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 0, 0, 0]), count_include_pad: attr.int(1) }, { pads: [0, 0, 1, 0, 0, 0, 0, 1] }), true);
  // Pads as large as the window: a window would be all padding (onnxruntime refuses such a pool).
  await folds(padded("AveragePool", { kernel_shape: attr.ints([2, 2]), pads: attr.ints([1, 1, 0, 0]), count_include_pad: attr.int(1) }), false);
  // Its own pads are left out of the average, the Pad's zeros are not: keep.
  await folds(padded("AveragePool", { kernel_shape: attr.ints([2, 2]), pads: attr.ints([1, 1, 0, 0]) }), false);
  await folds(padded("AveragePool", { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), ceil_mode: attr.int(1) }), false);
});

test("fold-pad: MaxPool folds only after a non-negative op, and only when no window is all padding", async () => {
  await folds(padded("MaxPool", { kernel_shape: attr.ints([3, 3]) }, { act: "Relu" }), true);
  await folds(padded("MaxPool", { kernel_shape: attr.ints([3, 3]) }), false); // x may be negative: -inf padding differs
  await folds(padded("MaxPool", { kernel_shape: attr.ints([2, 2]) }, { act: "Relu", pads: [0, 0, 2, 0, 0, 0, 0, 0] }), false);
});

test("fold-pad: a non-zero or non-constant Pad, or one touching the channels, is kept", async () => {
  await folds(padded("Conv", {}, { value: 1 }), false);
  await folds(padded("MaxPool", { kernel_shape: attr.ints([2, 2]) }, { act: "Relu", pads: [0, 1, 0, 0, 0, 0, 0, 1] }), false);
  const m = padded("Conv", {});
  m.graph.nodes[0].attrs.mode = attr.string("reflect");
  await folds(m, false);
});
