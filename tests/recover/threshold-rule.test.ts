// Threshold units and wide bits slices: units two-valued on the data become `l(x) > c` statements; a parity
// of more bits than a truth table holds is fitted on the samples (and says so).
import { test } from "node:test";
import assert from "node:assert/strict";
import { allPrimStmts } from "../../src/program/program.ts";
import { rng } from "../../src/util/rng.ts";
import type { CaseDef } from "../../zoo/case.ts";
import { compileNet, xor, type Lin } from "../../zoo/compile.ts";
import { single, st } from "../../zoo/refprog.ts";
import { explainCase, simplifyCost } from "./helpers.ts";
import { f32 } from "../../src/graph/tensor.ts";
import { runNet } from "../../src/net/run.ts";
import { runExplain } from "../../src/pipeline/explain.ts";
import { buildProgram } from "../../src/program/build.ts";
import { printProgram } from "../../src/program/printer.ts";
import { runProgram } from "../../src/program/run.ts";
import { generateCase } from "../../zoo/generate.ts";
import { ORDER } from "../../zoo/obfuscate.ts";

/** Bits as a box whose every entry is discrete: sampled (2^n points are too many to list), given as data. */
const bitsBox = (n: number) => ({ kind: "box" as const, lo: Array(n).fill(0), hi: Array(n).fill(1), discrete: Array.from({ length: n }, (_, i) => i) });
const stub = (n: number) => () => single("t", [{ name: "x", n, bits: true }], [st("y", { kind: "affine", W: [Array(n).fill(0)], b: [0] }, "x")], ["y"]);

/** y = number of pairs (x_2k, x_2k+1) with both bits on, for 2m bits in a shuffled pairing: and-units summed. */
function pairCount(m: number, seed: number): CaseDef {
  const u = rng(seed);
  const order = Array.from({ length: 2 * m }, (_, i) => i).sort(() => u() - 0.5);
  return {
    name: `pairs${m}_${seed}`, title: "pairs both on", inputShape: [2 * m], outputSize: 1, domain: bitsBox(2 * m), output: "real",
    build: () => compileNet(Array(2 * m).fill(0), Array(2 * m).fill(1), (C, xs) => [
      C.combo(Array.from({ length: m }, (_, k) => [1, C.relu(C.combo([[1, xs[order[2 * k]]], [1, xs[order[2 * k + 1]]]], -1))] as [number, Lin])),
    ]),
    reference: (x) => [Array.from({ length: m }, (_, k) => x[order[2 * k]] * x[order[2 * k + 1]]).reduce((a, b) => a + b, 0)],
    program: stub(2 * m), primitives: [],
  };
}

test("and-units over 20 bits (no truth table: too many bits) become thresholds l(x) > c, exact on the data", async () => {
  for (const seed of [1, 2, 3]) {
    const def = pairCount(10, seed);
    const g = generateCase(def, seed, ORDER);
    const x = f32([g.points.length, 20], g.points.flat());
    const s = await runExplain({ model: g.model, data: [x], dataLabel: "points" }, { until: "carve" });
    // The slice rules on their own (the module builder, tried first by default, has its own tests).
    const { program } = buildProgram(s.net!, { stats: s.stats!, modules: false });
    const text = printProgram(program);
    const th = allPrimStmts(program).filter(({ stmt }) => stmt.prim.kind === "threshold");
    assert.ok(th.length >= 10, `seed ${seed}: ${th.length} thresholds\n${text}`);
    assert.match(text, /= \w+ > 1\.5/);
    const [y] = runProgram(program, [x]);
    const ref = runNet(s.net!, { x }).outputs[s.net!.outputs[0].name];
    let err = 0;
    (y.data as Float32Array).forEach((v, i) => (err = Math.max(err, Math.abs(v - (ref.data as Float32Array)[i]))));
    assert.ok(err <= 2e-4, `seed ${seed}: program vs simplified Net ${err}`);
  }
});

/** Parity of n bits as a tree of xors over a shuffled order. */
function parityTree(n: number, seed: number): CaseDef {
  const u = rng(seed);
  const order = Array.from({ length: n }, (_, i) => i).sort(() => u() - 0.5);
  return {
    name: `parity${n}_${seed}`, title: "parity", inputShape: [n], outputSize: 1, domain: bitsBox(n), output: "bits",
    build: () => compileNet(Array(n).fill(0), Array(n).fill(1), (C, xs) => {
      let level = order.map((i) => xs[i]);
      while (level.length > 1) {
        const next: Lin[] = [];
        for (let i = 0; i + 1 < level.length; i += 2) next.push(xor(C, level[i], level[i + 1]));
        if (level.length % 2) next.push(level[level.length - 1]);
        level = next;
      }
      return level;
    }),
    reference: (x) => [x.reduce((a, b) => a ^ b, 0)],
    program: stub(n), primitives: [],
  };
}

test("parity of 20 bits: fitted on the samples (more bits than a table holds) as one xor of all 20", async () => {
  const e = await explainCase(parityTree(20, 4), 4, []);
  const xors = allPrimStmts(e.program).filter(({ stmt }) => stmt.prim.kind === "logic" && stmt.prim.params.op === "xor");
  assert.equal(xors.length, 1, e.text);
  assert.equal(xors[0].stmt.args.length, 20);
  assert.ok(e.fidelity.maxAbsErr <= e.simplifyErr + 2e-5, `${e.fidelity.maxAbsErr}`);
});
