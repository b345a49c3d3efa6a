// The piecewise recogniser: one-variable slices read as exact breakpoints and slopes (triangle, random
// piecewise functions compiled here), named clamp / |x - c| / affine when they are; trained |x| and clamp
// networks named with their residual stated.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeNpy } from "../../src/data/npy.ts";
import { readModel } from "../../src/onnx/read.ts";
import { runExplain } from "../../src/pipeline/explain.ts";
import { allPrimStmts } from "../../src/program/program.ts";
import { rng } from "../../src/util/rng.ts";
import { box, type CaseDef } from "../../zoo/case.ts";
import { findCase } from "../../zoo/cases/index.ts";
import { compileNet } from "../../zoo/compile.ts";
import { ORDER } from "../../zoo/obfuscate.ts";
import { single, st } from "../../zoo/refprog.ts";
import { signatures } from "../../zoo/score.ts";
import { TRAINED_DIR } from "../../zoo/zoo.ts";
import { explainCase, simplifyCost } from "./helpers.ts";

test("zoo triangle: piecewise(x, breaks=[1, 2, 3], slopes=[1, -1, 1, -1]) under all obfuscations and each alone", async () => {
  const def = findCase("triangle")!;
  const runs = [...[1, 2, 3].map((seed) => ({ seed, obf: ORDER })), ...ORDER.map((o, k) => ({ seed: 10 + k, obf: [o] }))];
  for (const { seed, obf } of runs) {
    const e = await explainCase(def, seed, obf);
    assert.match(e.text, /piecewise\(\w+, breaks=\[1, 2, 3\], slopes=\[1, -1, 1, -1\]\)/, `seed ${seed} [${obf}]\n${e.text}`);
    assert.ok(e.fidelity.maxAbsErr <= e.simplifyErr + 2e-5, `seed ${seed} [${obf}]: ${e.fidelity.maxAbsErr}`);
  }
});

test("zoo clamp: clamp(x, -1, 2) (act:clip or piecewise) under all obfuscations", async () => {
  for (const seed of [1, 2, 3]) {
    const e = await explainCase(findCase("clamp")!, seed);
    assert.ok(e.sigs.has("act:clip") || e.sigs.has("piecewise"), e.text);
    assert.match(e.text, /clamp\(\w+, -1, 2\)|breaks=\[-1, 2\]/);
    assert.ok(e.fidelity.maxAbsErr <= e.simplifyErr + 2e-5);
  }
});

/** A random continuous piecewise-linear function on [-2, 2] with k integer breakpoints and small slopes. */
function randomPL(seed: number): { def: CaseDef; breaks: number[]; slopes: number[] } {
  const u = rng(seed);
  const k = 2 + Math.floor(u() * 3);
  const breaks = [...new Set(Array.from({ length: k }, () => Math.round(u() * 6 - 3) / 2))].filter((b) => b > -2 && b < 2).sort((a, b) => a - b);
  const slopes = [Math.round(u() * 4 - 2) + 0];
  for (let j = 0; j < breaks.length; j++) {
    let s;
    do s = Math.round(u() * 4 - 2) + 0; while (s === slopes[j]);
    slopes.push(s);
  }
  const f = (x: number) => {
    let y = slopes[0] * x;
    breaks.forEach((b, j) => (y += (slopes[j + 1] - slopes[j]) * Math.max(0, x - b)));
    return y;
  };
  const def: CaseDef = {
    name: `pl_${seed}`, title: "random piecewise", inputShape: [1], outputSize: 1, domain: box(1, -2, 2), output: "real",
    build: () => compileNet([-2], [2], (C, [x]) => [C.combo([[slopes[0], x], ...breaks.map((b, j) => [slopes[j + 1] - slopes[j], C.relu(C.combo([[1, x]], -b))] as [number, typeof x])])]),
    reference: ([x]) => [f(x)],
    program: () => single("pl", [{ name: "x", n: 1 }], [st("y", { kind: "affine", W: [[0]], b: [0] }, "x")], ["y"]),
    primitives: [],
  };
  return { def, breaks, slopes };
}

test("property: random piecewise-linear functions, compiled and obfuscated, read back with their breakpoints and slopes", async () => {
  for (let seed = 1; seed <= 8; seed++) {
    const { def, breaks, slopes } = randomPL(seed);
    const e = await explainCase(def, seed);
    const pw = allPrimStmts(e.program).find(({ stmt }) => stmt.prim.kind === "piecewise" || (stmt.prim.kind === "act" && ["clip", "abs"].includes(stmt.prim.params.fn)));
    assert.ok(pw, `seed ${seed}: nothing named\n${e.text}`);
    if (pw.stmt.prim.kind === "piecewise") {
      assert.deepEqual(pw.stmt.prim.params.breakpoints, breaks, `seed ${seed}\n${e.text}`);
      assert.deepEqual(pw.stmt.prim.params.slopes, slopes);
    }
    const xs = Array.from({ length: 41 }, (_, i) => [-2 + i / 10]);
    const y = e.run(xs);
    xs.forEach((x, i) => assert.ok(Math.abs(y[i] - def.reference(x)[0]) <= e.netVsRef + 1e-4, `seed ${seed} x ${x}: ${y[i]} vs ${def.reference(x)[0]}`));
    assert.ok(e.fidelity.maxAbsErr <= e.simplifyErr + 2e-5, `seed ${seed}: ${e.fidelity.maxAbsErr}`);
  }
});

for (const [name, sig, text] of [["abs_trained", "act:abs", /abs\(/], ["clamp_trained", "act:clip", /clamp\(\w+, -1, 2\)/]] as const) {
  test(`trained ${name}: named ${sig} with its residual stated`, async () => {
    const dir = join(TRAINED_DIR, name);
    const model = readModel(join(dir, "model.onnx"));
    const x = decodeNpy(readFileSync(join(dir, "data.npy")));
    const s = await runExplain({ model, data: [x], dataLabel: "data.npy", name }, { until: "verify" });
    const sigs = new Set(allPrimStmts(s.program!).flatMap(({ stmt }) => signatures(stmt.prim)));
    assert.ok(sigs.has(sig), `${name}: ${[...sigs]}`);
    assert.ok(s.fidelity!.maxAbsErr <= simplifyCost(s) + 2e-5, `${name}: maxAbsErr ${s.fidelity!.maxAbsErr}`);
  });
}

test("zoo identity3: y = x through three ReLU layers, named the identity under every obfuscation alone and all at once", async () => {
  const def = findCase("identity3")!;
  for (const obf of [...ORDER.map((o) => [o]), ORDER]) {
    const e = await explainCase(def, 2, obf);
    // simplification may fuse the whole net into one affine map (the identity matrix): the truth accepts that too
    const affines = allPrimStmts(e.program).filter(({ stmt }) => stmt.prim.kind === "affine").length;
    assert.ok(e.sigs.has("act:identity") || (affines === 1 && e.program.functions.length === 1), `[${obf}]\n${e.text}`);
    assert.ok(e.fidelity.maxAbsErr <= e.simplifyErr + 2e-5, `[${obf}]: ${e.fidelity.maxAbsErr}`);
  }
});
