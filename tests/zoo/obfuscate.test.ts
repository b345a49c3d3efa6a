// Obfuscations, one at a time: the exact ones keep the function, dead units never fire, module labels
// follow their units through permutation, splitting and interleaving, and everything is seeded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeModel } from "../../src/onnx/write.ts";
import { UserError } from "../../src/errors.ts";
import { CASES, findCase } from "../../zoo/cases/index.ts";
import { domainBox, type CaseDef } from "../../zoo/case.ts";
import { casePoints } from "../../zoo/domain.ts";
import { generateCase } from "../../zoo/generate.ts";
import { cloneNet, forwardLayer, forwardNet, type ZooNet } from "../../zoo/net.ts";
import { applyObfuscation, ORDER, parseObfuscations, type ObfuscationName } from "../../zoo/obfuscate.ts";
import { rng } from "../../src/util/rng.ts";
import { DEAD, getUnits, setUnits } from "../../zoo/units.ts";

const EXACT: ObfuscationName[] = ["conv2dense", "interleave", "split", "dead", "rescale", "permute"];

function obfuscated(def: CaseDef, names: readonly ObfuscationName[], seed = 5): ZooNet {
  const { lo, hi } = domainBox(def.domain);
  const net = cloneNet(def.build());
  const cx = { u: rng(seed), lo: Float64Array.from(lo), hi: Float64Array.from(hi) };
  for (const n of names) applyObfuscation(n, net, cx);
  return net;
}

function maxErr(def: CaseDef, net: ZooNet, points: number[][]): number {
  let e = 0;
  for (const p of points) {
    const y = forwardNet(net, p);
    def.reference(p).forEach((v, i) => (e = Math.max(e, Math.abs(v - y[i]))));
  }
  return e;
}

for (const name of ORDER) {
  test(`obfuscation ${name} alone keeps every case's function${EXACT.includes(name) ? " exactly" : " within its small recorded level"}`, () => {
    for (const def of CASES) {
      const points = casePoints(def, { random: 150 });
      const e = maxErr(def, obfuscated(def, [name]), points);
      assert.ok(e <= (EXACT.includes(name) ? 1e-9 : 0.02), `${def.name} after ${name}: error ${e}`);
    }
  });
}

test("permute, rescale and split change the weights (the obfuscation is real)", () => {
  const def = findCase("sort3")!;
  const clean = def.build().branches[0].layers[0];
  for (const n of ["permute", "rescale", "split"] as const) {
    const l = obfuscated(def, [n]).branches[0].layers[0];
    assert.ok(l.kind === "dense" && clean.kind === "dense");
    assert.ok(l.nOut !== clean.nOut || l.W.some((v, i) => v !== clean.W[i]), `${n} left layer 0 unchanged`);
  }
});

test("dead units never fire on domain samples, and interval bounds prove it over the whole box", () => {
  for (const def of CASES) {
    const net = obfuscated(def, ["conv2dense", "interleave", "split", "dead", "rescale", "permute"]);
    const points = casePoints(def, { random: 200 });
    let dead = 0;
    for (const br of net.branches) {
      for (const p of points) {
        let h: Float64Array = Float64Array.from(br.slice ? p.slice(br.slice[0], br.slice[1]) : p);
        for (const l of br.layers) {
          const pre = forwardLayer({ ...l, relu: false }, h);
          const per = pre.length / l.modules.length;
          l.modules.forEach((m, u) => {
            if (m !== DEAD) return;
            for (let k = 0; k < per; k++) assert.ok(pre[u * per + k] < 0, `${def.name}: a dead unit fires at ${p}`);
          });
          h = forwardLayer(l, h);
        }
      }
      dead += br.layers.reduce((s, l) => s + l.modules.filter((m) => m === DEAD).length, 0);
    }
    if (def.name !== "linchain") assert.ok(dead > 0, `${def.name}: no dead units were added`);
    const g = generateCase(def, 5, [...ORDER]);
    if (g.truth.dead) assert.ok(g.truth.dead.maxUpperBound < 0);
  }
});

/** Zero the outgoing weights of every hidden unit with a label: what the network computes without that module. */
function ablate(net: ZooNet, label: string): ZooNet {
  const out = cloneNet(net);
  for (const br of out.branches) {
    for (let k = 0; k + 1 < br.layers.length; k++) {
      setUnits(br, k, getUnits(br, k).map((u) => (u.module === label ? { ...u, out: u.out.map(() => 0) } : u)));
    }
  }
  return out;
}

test("module labels follow their units: ablating one module changes only its own outputs", () => {
  const cases: [string, string, number[]][] = [["modules2", "xor", [3]], ["modules2", "sort3", [0, 1, 2]], ["repeat4", "f2", [4, 5]], ["adder2", "bit1", [1, 2]]];
  for (const [name, label, owned] of cases) {
    const def = findCase(name)!;
    const net = obfuscated(def, ["interleave", "split", "dead", "rescale", "permute"], 11);
    assert.equal(net.branches.length, 1, "interleave merges the submodules");
    const cut = ablate(net, label);
    let changed = false;
    for (const p of casePoints(def, { random: 100 })) {
      const a = forwardNet(net, p);
      const b = forwardNet(cut, p);
      a.forEach((v, i) => {
        if (owned.includes(i)) changed ||= Math.abs(v - b[i]) > 1e-6;
        else assert.ok(Math.abs(v - b[i]) < 1e-9, `${name}: ablating ${label} changed output ${i}`);
      });
    }
    assert.ok(changed, `${name}: ablating ${label} changed none of its outputs`);
  }
});

test("--obfuscate parsing: all, none, a list in application order, and a clear error for unknown names", () => {
  assert.deepEqual(parseObfuscations("all"), [...ORDER]);
  assert.deepEqual(parseObfuscations("none"), []);
  assert.deepEqual(parseObfuscations("noise, permute"), ["permute", "noise"]);
  assert.throws(() => parseObfuscations("permute,shuffle"), (e: unknown) => e instanceof UserError && /shuffle/.test(e.message) && /permute/.test(e.message));
});

test("generation is deterministic in the seed", () => {
  const def = findCase("modules2")!;
  const a = generateCase(def, 42, [...ORDER]);
  const b = generateCase(def, 42, [...ORDER]);
  const c = generateCase(def, 43, [...ORDER]);
  assert.deepEqual(encodeModel(a.model), encodeModel(b.model));
  assert.equal(JSON.stringify(a.truth), JSON.stringify(b.truth));
  assert.notDeepEqual(encodeModel(a.model), encodeModel(c.model));
});
