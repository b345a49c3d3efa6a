// The exporter styles of zoo/exporter-styles.ts: each rewrite computes what the zoo's Gemm export computes (the
// interpreter on random inputs of the case's shape), and after normalize + lower gives the same Net (the same layers,
// kinds and shapes), so the recognisers see the same primitives whatever the exporter. Cases: max2 (flat, every
// obfuscation), modules2 (Slice/Concat branches), edge (convs; NHWC), argmax4 (a classifier). float64 is the known gap
// (the Net is float32: such a model stays opaque) and ort-fusedgemm must fail naming its node; both are checked for that.
// bench/exporters.ts runs the full sweep (every case, explained and scored).
import { test } from "node:test";
import assert from "node:assert/strict";
import { f32, type Tensor } from "../../src/graph/tensor.ts";
import type { Model } from "../../src/graph/graph.ts";
import { runModel } from "../../src/run/interp.ts";
import { findCase } from "../../zoo/cases/index.ts";
import { generateCase } from "../../zoo/generate.ts";
import { ORDER } from "../../zoo/obfuscate.ts";
import { STYLES } from "../../zoo/exporter-styles.ts";
import { normalize } from "../../src/graph/passes/index.ts";
import { lower } from "../../src/net/lower.ts";
import { rng } from "../../src/util/rng.ts";
import { netShape } from "../graph/net-shape.ts";

/** Random rows in [-1, 1] for a model's input, permuted to [N, H, W, C] when `nhwc`. */
function rows(model: Model, n: number, seed: number): Tensor {
  const dims = (model.graph.inputs[0].shape ?? []).slice(1) as number[];
  const u = rng(seed);
  return f32([n, ...dims], Float64Array.from({ length: n * dims.reduce((a, b) => a * b, 1) }, () => 2 * u() - 1));
}

/** The same rows laid out NHWC (from NCHW). */
function toNhwc(t: Tensor): Tensor {
  const [n, c, h, w] = t.shape;
  const d = t.data as Float32Array;
  const out = new Float32Array(d.length);
  for (let b = 0; b < n; b++) for (let ci = 0; ci < c; ci++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[((b * h + y) * w + x) * c + ci] = d[((b * c + ci) * h + y) * w + x];
  return f32([n, h, w, c], out);
}

const CASES: [string, boolean][] = [["max2", true], ["modules2", true], ["edge", false], ["argmax4", false]];
/** Styles whose Net is not the Gemm export's, with the reason. */
const OTHER_NET: Record<string, string> = { float64: "the Net IR is float32: a float64 model stays opaque", "ort-fusedgemm": "not runnable: com.microsoft.FusedGemm" };

test("exporter styles: every rewrite computes the same function and lowers to the same Net", () => {
  for (const [name, all] of CASES) {
    const g = generateCase(findCase(name)!, 1, all ? [...ORDER] : []);
    const x = rows(g.model, 6, 3);
    const ref = runModel(g.model, { x }).y.data as Float32Array;
    const scale = Math.max(1, ...Array.from(ref, Math.abs));
    const refShape = netShape(g.model);
    for (const style of STYLES) {
      if (style.applies && !style.applies(g.model, g.def.output)) continue;
      const m = style.rewrite(g.model, 1);
      const label = `${name}/${style.name}`;
      if (style.unsupportedNode) {
        assert.throws(() => runModel(m, { x }), (e: Error) => e.message.includes(style.unsupportedNode!), label);
        continue;
      }
      const xi = style.inputPerm?.(g.def.inputShape) ? toNhwc(x) : m.graph.inputs[0].dtype === "float64" ? { ...x, dtype: "float64" as const, data: Float64Array.from(x.data as Float32Array) } : x;
      const y = runModel(m, { [m.graph.inputs[0].name]: xi })[m.graph.outputs[0].name].data as ArrayLike<number>;
      for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(y[i] - ref[i]) <= 1e-5 * scale, `${label}: output ${i}: ${y[i]} vs ${ref[i]}`);
      if (OTHER_NET[style.name]) {
        assert.ok(lower(normalize(m).model).net.layers.some((l) => l.kind === "opaque"), `${label}: ${OTHER_NET[style.name]}`);
        continue;
      }
      // NHWC adds a reshape at each end (the 1-channel layout changes), softmax-output its softmax layer; everything
      // else is the same Net.
      const ends = (l: string, k: number, a: string[]) => style.name !== "nhwc" || !(l.startsWith("reshape") && (k === 0 || k === a.length - 1));
      const want = [...refShape.filter(ends), ...(style.name === "softmax-output" ? [`softmax [${g.def.outputSize}]`] : [])];
      assert.deepEqual(netShape(m).filter(ends), want, label);
    }
  }
});
