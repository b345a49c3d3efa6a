// The difference bound (CROWN on the product network, with IBP): sound against the exact maximum over all
// linear regions and against dense sampling, never looser than IBP, and at rounding level for a net against a
// permuted, rescaled or split copy of itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Net } from "../../src/net/net.ts";
import { runNet } from "../../src/net/run.ts";
import { certifiedMaxErr, ibpMaxErr } from "../../src/verify/bounds.ts";
import { crownDiff } from "../../src/verify/crown.ts";
import type { BoxDomain } from "../../src/passes/simplify.ts";
import { rng } from "../helpers/rng.ts";
import { disguisedCopy, imageNet, layer, perturbed, reluCNN, reluMLP, sampleBox, uniformBox, vectorNet } from "./bound-nets.ts";
import { exhaustiveMaxDiff } from "./regions.ts";

/** The largest sampled |a - b| per output element (outputs concatenated), float32 evaluation. */
function sampledMaxDiff(a: Net, b: Net, box: BoxDomain, n: number, seed: number): number[] {
  const feeds = sampleBox(rng(seed), a, box, n);
  const ya = runNet(a, feeds).outputs, yb = runNet(b, feeds).outputs;
  const per: number[] = [];
  a.outputs.forEach((o, j) => {
    const da = ya[o.name].data, db = yb[b.outputs[j].name].data;
    const k = da.length / n;
    for (let i = 0; i < k; i++) {
      let m = 0;
      for (let s = 0; s < n; s++) m = Math.max(m, Math.abs(Number(da[s * k + i]) - Number(db[s * k + i])));
      per.push(m);
    }
  });
  return per;
}

test("the difference bound is never below the exact maximum over all linear regions (tiny 2-D MLPs)", () => {
  for (let seed = 1; seed <= 6; seed++) {
    const a = reluMLP(rng(seed), [2, 3, 3, 2]);
    const b = seed % 2 ? perturbed(rng(seed + 100), a, 0.2) : reluMLP(rng(seed + 50), [2, 3, 3, 2]);
    const box = uniformBox(a, -1, 1);
    const exact = exhaustiveMaxDiff(a, b, -1, 1);
    const crown = crownDiff(a, b, box), ibp = ibpMaxErr(a, b, box);
    const cert = certifiedMaxErr(a, b, box).perOutput;
    exact.forEach((e, o) => {
      assert.ok(crown[o] >= e - 1e-9 * (1 + e), `seed ${seed} output ${o}: CROWN ${crown[o]} below the exact maximum ${e}`);
      assert.ok(ibp[o] >= e - 1e-9 * (1 + e), `seed ${seed} output ${o}: IBP ${ibp[o]} below the exact maximum ${e}`);
      assert.equal(cert[o], Math.min(crown[o], ibp[o]));
    });
    // CROWN is not tighter than IBP on every pair of nets by construction (hence the elementwise minimum); on a net
    // and its perturbed copy (what simplification produces) it is, overall
    const sum = (v: number[]) => v.reduce((x, y) => x + y, 0);
    if (seed % 2) assert.ok(sum(crown) <= sum(ibp), `seed ${seed}: CROWN ${sum(crown)} looser than IBP ${sum(ibp)} overall`);
  }
});

test("the difference bound is never below the sampled maximum and never looser than IBP (MLP, CNN, every layer kind)", () => {
  const cases: [string, Net, Net, BoxDomain][] = [];
  const mlp = reluMLP(rng(21), [5, 12, 12, 3]);
  cases.push(["mlp vs perturbed", mlp, perturbed(rng(22), mlp, 0.05), uniformBox(mlp, -1, 1)]);
  for (const mode of ["avg", "max"] as const) {
    const cnn = reluCNN(rng(23), mode);
    cases.push([`cnn (${mode} pool) vs perturbed`, cnn, perturbed(rng(24), cnn, 0.05), uniformBox(cnn, 0, 1)]);
  }
  const vec = vectorNet(rng(25));
  cases.push(["all activations vs perturbed", vec, perturbed(rng(26), vec, 0.05), uniformBox(vec, -1, 1)]);
  const img = imageNet(rng(27));
  cases.push(["pools and convs vs perturbed", img, perturbed(rng(28), img, 0.05), uniformBox(img, -1, 1)]);
  for (const [label, a, b, box] of cases) {
    const cert = certifiedMaxErr(a, b, box);
    const ibp = ibpMaxErr(a, b, box), crown = crownDiff(a, b, box);
    const seen = sampledMaxDiff(a, b, box, 3000, 29);
    seen.forEach((s, i) => {
      assert.ok(cert.perOutput[i] >= s - 1e-5 * (1 + s), `${label} [${i}]: bound ${cert.perOutput[i]} below sampled ${s}`);
      assert.ok(crown[i] >= s - 1e-5 * (1 + s), `${label} [${i}]: CROWN ${crown[i]} below sampled ${s}`);
    });
    assert.equal(cert.maxErr, Math.max(...cert.perOutput));
    if (label.startsWith("mlp") || label.startsWith("cnn")) {
      const sum = (v: number[]) => v.reduce((x, y) => x + y, 0);
      assert.ok(sum(crown) <= sum(ibp), `${label}: CROWN (${sum(crown)}) looser than IBP (${sum(ibp)})`);
      crown.forEach((c, i) => assert.ok(c <= ibp[i] + 1e-9, `${label} [${i}]: CROWN ${c} > IBP ${ibp[i]}`));
    }
  }
});

test("a net against a permuted, rescaled or split copy of itself certifies at rounding level; IBP does not", () => {
  const mlp = reluMLP(rng(31), [6, 16, 16, 4]);
  const box = uniformBox(mlp, -1, 1);
  for (const [label, copy] of [["permuted and rescaled", disguisedCopy(rng(32), mlp)], ["split", disguisedCopy(rng(33), mlp, true)]] as const) {
    const c = certifiedMaxErr(mlp, copy, box);
    assert.ok(c.maxErr <= 1e-5, `${label}: certified ${c.maxErr}`);
    assert.ok(Math.max(...ibpMaxErr(mlp, copy, box)) > 1, `${label}: IBP alone is loose`);
  }
  for (const mode of ["avg", "max"] as const) {
    const cnn = reluCNN(rng(34), mode);
    const copy: Net = JSON.parse(JSON.stringify({ ...cnn, layers: [] }));
    copy.layers = cnn.layers.map((l) => ({ ...l }));
    const c = certifiedMaxErr(cnn, copy, uniformBox(cnn, 0, 1));
    assert.ok(c.maxErr <= 1e-5, `cnn (${mode} pool) vs its copy: certified ${c.maxErr}`);
  }
});

test("relu(z) - relu(-z) against z itself (a skip connection) certifies at rounding level", () => {
  const w = [0.7, -1.3, 0.4], u = [1.1, 0.2, -0.9];
  const dense = (id: string, input: string, rows: number[][], b: number[]) => layer(id, [input], [rows.length], {
    kind: "affine", W: Float32Array.from(rows.flat()), b: Float32Array.from(b), inFeatures: rows[0].length, outFeatures: rows.length,
  });
  const a: Net = {
    inputs: [{ name: "x", dtype: "float32", shape: [3], batchDim: "N" }],
    layers: [dense("fc1", "x", [w, w.map((v) => -2 * v), u], [0.1, -0.2, 0.3]), layer("r", ["fc1"], [3], { kind: "act", fn: "relu" }), dense("fc2", "r", [[1, -0.5, 0.8]], [0])],
    outputs: [{ name: "y", from: "fc2" }],
  };
  // b: relu(z) - relu(-z) = z = w.x + 0.1 written as a skip connection beside the remaining unit
  const b: Net = {
    inputs: a.inputs,
    layers: [dense("fc1", "x", [u], [0.3]), layer("r", ["fc1"], [1], { kind: "act", fn: "relu" }), layer("cat", ["r", "x"], [4], { kind: "concat", axis: 0 }), dense("fc2", "cat", [[0.8, ...w]], [0.1])],
    outputs: [{ name: "y", from: "fc2" }],
  };
  const box = uniformBox(a, -1, 1);
  assert.ok(certifiedMaxErr(a, b, box).maxErr <= 1e-6, `certified ${certifiedMaxErr(a, b, box).maxErr}`);
  assert.ok(ibpMaxErr(a, b, box)[0] > 0.5);
});
