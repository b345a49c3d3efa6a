// Certified bounds see through pseudonet's own SliceAxis (the slices normalize writes for a repeated sub-network):
// before, such an opaque fragment counted as unbounded, so the certified bound of every zoo case read through it
// (repeat4 and twofns, without interleave) was infinite although simplify was exact.
import test from "node:test";
import assert from "node:assert/strict";
import { runExplain } from "../../src/pipeline/explain.ts";
import { certifiedMaxErr, valueShapes } from "../../src/verify/bounds.ts";
import { selectionOf } from "../../src/verify/selection.ts";
import { CASES } from "../../zoo/cases/index.ts";
import { domainBox, domainFlag } from "../../zoo/case.ts";
import { generateCase } from "../../zoo/generate.ts";
import type { ObfuscationName } from "../../zoo/obfuscate.ts";

for (const name of ["repeat4", "twofns"]) {
  for (const obf of ["split", "dead", "rescale", "permute"] as ObfuscationName[]) {
    test(`${name} under ${obf}, --exact: every SliceAxis is a selection, and the certified bound over the box is at rounding level`, async () => {
      const def = CASES.find((c) => c.name === name)!;
      const s = await runExplain({ model: generateCase(def, 1, [obf]).model, source: `${name}.onnx`, exact: true, domain: domainFlag(def.domain)! }, { until: "simplify" });
      const lowered = s.lowered!, shapes = valueShapes(lowered);
      const slices = lowered.layers.filter((l) => l.kind === "opaque" && l.graph.nodes.some((n) => n.op === "SliceAxis"));
      assert.ok(slices.length > 0, "the lowered Net reads its input through SliceAxis");
      for (const l of slices) {
        const sel = selectionOf(l, shapes.get(l.inputs[0])!);
        assert.ok(sel, `${l.id} is a selection`);
        // Each output element copies a distinct input element.
        assert.equal(new Set(sel).size, sel.length);
      }
      const { lo, hi } = domainBox(def.domain);
      const box = { [s.net!.inputs[0].name]: { lo: Float32Array.from(lo), hi: Float32Array.from(hi) } };
      const c = certifiedMaxErr(lowered, s.net!, box).maxErr;
      assert.ok(c <= 1e-5, `certified ${c}`);
    });
  }
}
