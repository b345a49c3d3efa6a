// The logic recogniser: bits slices become short gate formulas, exact on every point of {0,1}^k, on the
// zoo's compiled cases under every obfuscation (all at once and each alone, several seeds), on random truth
// tables compiled to ReLU layers here, and on the trained gate networks (with their residual stated).
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { decodeNpy } from "../../src/data/npy.ts";
import { readFileSync } from "node:fs";
import { readModel } from "../../src/onnx/read.ts";
import { runExplain } from "../../src/pipeline/explain.ts";
import { allPrimStmts } from "../../src/program/program.ts";
import { rng } from "../../src/util/rng.ts";
import { findCase } from "../../zoo/cases/index.ts";
import type { CaseDef } from "../../zoo/case.ts";
import { compileNet, type Lin } from "../../zoo/compile.ts";
import { ORDER } from "../../zoo/obfuscate.ts";
import { TRAINED_DIR } from "../../zoo/zoo.ts";
import { signatures } from "../../zoo/score.ts";
import { single, st } from "../../zoo/refprog.ts";
import { bitPoints, explainCase, simplifyCost } from "./helpers.ts";

const WANT: Record<string, { sigs: string[]; text?: RegExp }> = {
  xor: { sigs: ["logic:xor"], text: /= [\w[\]]+ xor [\w[\]]+/ },
  parity4: { sigs: ["logic:xor"], text: /xor [\w[\]]+ xor [\w[\]]+ xor/ },
  majority3: { sigs: ["logic:maj"], text: /maj\(/ },
  adder2: { sigs: ["logic:xor", "logic:and", "logic:maj"] },
  mux3: { sigs: ["logic:and", "logic:or", "logic:not"] },
};

for (const name of Object.keys(WANT)) {
  test(`zoo ${name}: gates found under all obfuscations (3 seeds) and each alone, fidelity at rounding level`, async () => {
    const def = findCase(name)!;
    const runs = [...[1, 2, 3].map((seed) => ({ seed, obf: ORDER })), ...ORDER.map((o, k) => ({ seed: 10 + k, obf: [o] }))];
    for (const { seed, obf } of runs) {
      const e = await explainCase(def, seed, obf);
      for (const s of WANT[name].sigs) assert.ok(e.sigs.has(s), `${name} seed ${seed} [${obf}]: no ${s} in\n${e.text}`);
      if (WANT[name].text) assert.match(e.text, WANT[name].text!);
      assert.ok(e.fidelity.maxAbsErr <= e.simplifyErr + 2e-5, `${name} seed ${seed} [${obf}]: maxAbsErr ${e.fidelity.maxAbsErr}\n${e.text}`);
    }
  });
}

/** A random truth table on n bits compiled as a sum of minterm units relu(sum of literals - (n - 1)). */
function randomTable(n: number, seed: number): CaseDef {
  const u = rng(seed);
  const table = Array.from({ length: 1 << n }, () => (u() < 0.5 ? 1 : 0));
  const at = (x: readonly number[]) => table[x.reduce((p, b, i) => p | (b << i), 0)];
  return {
    name: `table${n}_${seed}`, title: "random table", inputShape: [n], outputSize: 1, domain: { kind: "bits", n }, output: "bits",
    build: () => compileNet(Array(n).fill(0), Array(n).fill(1), (C, xs) => {
      const terms: [number, Lin][] = [];
      table.forEach((v, p) => {
        if (!v) return;
        // literal x_i (bit set) or 1 - x_i: sum - (n - 1) is 1 on the minterm, <= 0 elsewhere
        const lits = xs.map((x, i) => [(p >>> i) & 1 ? 1 : -1, x] as [number, Lin]);
        const ones = xs.filter((_, i) => (p >>> i) & 1).length;
        terms.push([1, C.relu(C.combo(lits, -(ones - 1)))]);
      });
      return [terms.length ? C.combo(terms) : C.combo([[0, xs[0]]])];
    }),
    reference: (x) => [at(x)],
    program: () => single("t", [{ name: "x", n, bits: true }], [st("y", { kind: "affine", W: [Array(n).fill(0)], b: [0] }, "x")], ["y"]),
    primitives: [],
  };
}

test("property: random truth tables of 3 and 4 bits, compiled and obfuscated, come back as formulas equal to the table", async () => {
  for (let seed = 1; seed <= 8; seed++) {
    const n = 3 + (seed % 2);
    const def = randomTable(n, seed);
    const e = await explainCase(def, seed);
    const pts = bitPoints(n);
    const y = e.run(pts);
    pts.forEach((p, i) => assert.ok(Math.abs(y[i] - def.reference(p)[0]) <= e.netVsRef + 1e-5, `seed ${seed} point ${p}: ${y[i]}\n${e.text}`));
    const gates = allPrimStmts(e.program).filter(({ stmt }) => stmt.prim.kind === "logic").length;
    const ones = pts.filter((p) => def.reference(p)[0]).length;
    if (ones > 0 && ones < pts.length && ones !== 1) assert.ok(gates > 0, `seed ${seed}: no gate\n${e.text}`);
    assert.ok(e.fidelity.maxAbsErr <= e.simplifyErr + 2e-5);
  }
});

for (const [name, sig] of [["xor_trained", "logic:xor"], ["parity4_trained", "logic:xor"], ["and3_trained", "logic:and"]] as const) {
  test(`trained ${name}: named ${sig}, residual stated, every decision kept`, async () => {
    const dir = join(TRAINED_DIR, name);
    const model = readModel(join(dir, "model.onnx"));
    const x = decodeNpy(readFileSync(join(dir, "data.npy")));
    const s = await runExplain({ model, data: [x], dataLabel: "data.npy", name }, { until: "verify" });
    const sigs = new Set(allPrimStmts(s.program!).flatMap(({ stmt }) => signatures(stmt.prim)));
    assert.ok(sigs.has(sig), `${name}: ${[...sigs]}`);
    assert.ok(s.fidelity!.maxAbsErr <= simplifyCost(s) + 2e-5, `${name}: maxAbsErr ${s.fidelity!.maxAbsErr}`);
  });
}
