// canonical-scale and canonical-order: a network and a rescaled, permuted copy of it become the same network,
// weight for weight; every ReLU row then has max |entry| = 1.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Layer, Net } from "../../src/net/net.ts";
import { canonicalScalePass } from "../../src/passes/canonical-scale.ts";
import { canonicalOrderPass } from "../../src/passes/canonical-order.ts";
import { applyPlan, incoming, siteAt, unitSites } from "../../src/passes/sites.ts";
import { assertSameFunction, randomNet, stateFor } from "./simplify-helpers.ts";
import { rng } from "../helpers/rng.ts";
import { permutation } from "../../zoo/rng.ts";

/** Every hidden layer's units permuted and rescaled by c in [0.25, 4]. */
function disguise(nt: Net, seed: number): Net {
  const r = rng(seed);
  let cur = nt;
  for (const s0 of unitSites(nt)) {
    const s = siteAt(cur, cur.layers.find((l) => l.id === s0.pre.id)!)!;
    const p = permutation(s.units, r);
    cur = applyPlan(cur, s, p.map((u) => {
      const c = 0.25 * 16 ** r();
      return { src: u, inScale: c, out: [{ from: u, coef: 1 / c }] };
    }));
  }
  return cur;
}

function canonical(nt: Net): Net {
  const s = stateFor(nt);
  return canonicalOrderPass.run(canonicalScalePass.run(s).out).out.net;
}

function weights(nt: Net): number[] {
  return nt.layers.flatMap((l: Layer) => (l.kind === "affine" ? [...l.W, ...l.b] : []));
}

test("rescaled and permuted copies of random nets print the same weights", () => {
  for (const seed of [1, 2, 3, 4]) {
    const nt = randomNet(seed, [3, 6, 5, 2]);
    const a = canonical(nt);
    const b = canonical(disguise(nt, seed + 100));
    const wa = weights(a);
    const wb = weights(b);
    assert.equal(wa.length, wb.length);
    for (let i = 0; i < wa.length; i++) assert.ok(Math.abs(wa[i] - wb[i]) <= 1e-4 * Math.max(1, Math.abs(wa[i])), `seed ${seed} weight ${i}: ${wa[i]} vs ${wb[i]}`);
    assertSameFunction(nt, b);
    for (const s of unitSites(a)) {
      for (let u = 0; u < s.units; u++) assert.ok(Math.abs(Math.max(...incoming(s.pre, u).map(Math.abs)) - 1) < 1e-6);
    }
  }
});
