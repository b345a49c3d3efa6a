// How far a zoo network is from its reference program, and from the closest program of the reference's size: for
// each output, the best affine function of the reference's output for it (y_j ~ a_j * ref_j(x) + c_j, least squares
// on the domain points: two numbers per output on top of the reference). When even that is farther from the net
// than a budget, no faithful program near the reference's size exists within it, and a budgeted explain must keep
// the named value's residual.
//   node --import tsx zoo/floor.ts [CASE[:OBF,OBF|all]...] [--seed N] [--points N] [--results FILE]
// (default: edge:all argmax4:all, the cells each.ts --tolerance 0.01 leaves above 1.5x; writes bench/results/zoo-floor.json)
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { findCase } from "./cases/index.ts";
import { generateCase } from "./generate.ts";
import { forwardNet } from "./net.ts";
import { casePoints } from "./domain.ts";
import { subSeed } from "./rng.ts";
import { parseObfuscations } from "./obfuscate.ts";
import { cholSolve } from "../src/passes/refit.ts";

interface Floor {
  case: string; obfuscations: string; points: number;
  /** max |net - reference| on the points. */
  toReference: number;
  /** max |net - (a_j ref_j + c_j)|, a and c fitted per output by least squares. */
  toAffineOfReference: number;
  /** max |net - ref_j (1 + w_j . x + c_j)|: a residual affine in x where the reference's output is on (a one-hot's
   *  winner), zero where it is 0; w_j and c_j fitted per output by least squares (n_in + 1 numbers per output). */
  toGatedAffine: number;
}

/** The two distances for one case under one set of obfuscations. */
export function floorOf(name: string, obfSpec: string, seed: number, random: number): Floor {
  const def = findCase(name);
  if (!def) throw new Error(`no compiled zoo case '${name}'`);
  const g = generateCase(def, seed, parseObfuscations(obfSpec));
  const pts = casePoints(def, { seed: subSeed(seed, `${name}:floor`), random });
  const k = def.outputSize;
  const Y = pts.map((x) => forwardNet(g.net, x)), R = pts.map((x) => def.reference(x));
  let toReference = 0, toAffine = 0;
  for (let j = 0; j < k; j++) {
    // Normal equations of min sum (y - a r - c)^2.
    let sr = 0, srr = 0, sy = 0, sry = 0;
    const n = pts.length;
    for (let i = 0; i < n; i++) { const r = R[i][j], y = Y[i][j]; sr += r; srr += r * r; sy += y; sry += r * y; }
    const det = n * srr - sr * sr;
    const a = Math.abs(det) > 1e-12 * n * srr ? (n * sry - sr * sy) / det : 0;
    const c = (sy - a * sr) / n;
    for (let i = 0; i < n; i++) {
      toReference = Math.max(toReference, Math.abs(Y[i][j] - R[i][j]));
      toAffine = Math.max(toAffine, Math.abs(Y[i][j] - (a * R[i][j] + c)));
    }
  }
  // Residual r_j = y_j - ref_j fitted by ref_j * [x, 1] (normal equations, a tiny ridge).
  const nIn = pts[0].length, f = nIn + 1;
  let toGated = 0;
  for (let j = 0; j < k; j++) {
    const G = new Float64Array(f * f), rhs = new Float64Array(f);
    const feat = (i: number) => [...pts[i], 1].map((v) => v * R[i][j]);
    for (let i = 0; i < pts.length; i++) {
      const z = feat(i), r = Y[i][j] - R[i][j];
      for (let a = 0; a < f; a++) { rhs[a] += z[a] * r; for (let c = 0; c < f; c++) G[a * f + c] += z[a] * z[c]; }
    }
    let diag = 0;
    for (let a = 0; a < f; a++) diag = Math.max(diag, G[a * f + a]);
    for (let a = 0; a < f; a++) G[a * f + a] += 1e-10 * diag + 1e-300;
    const w = cholSolve(G, rhs, f) ?? new Float64Array(f);
    for (let i = 0; i < pts.length; i++) {
      const z = feat(i);
      let fit = R[i][j];
      for (let a = 0; a < f; a++) fit += w[a] * z[a];
      toGated = Math.max(toGated, Math.abs(Y[i][j] - fit));
    }
  }
  return { case: name, obfuscations: obfSpec, points: pts.length, toReference, toAffineOfReference: toAffine, toGatedAffine: toGated };
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!);
if (isMain) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { seed: { type: "string", default: "1" }, points: { type: "string", default: "4000" }, results: { type: "string", default: "bench/results/zoo-floor.json" } } });
  const cells = positionals.length ? positionals : ["edge:all", "argmax4:all"];
  const seed = Number(values.seed);
  const rows = cells.map((c) => {
    const [name, obf = "all"] = c.split(":");
    return floorOf(name, obf, seed, Number(values.points));
  });
  process.stdout.write(`max |net - program| on the domain points (seed ${seed}): the reference program, the best per-output affine function of it, and the reference times (1 + an affine function of x) per output\n`);
  for (const r of rows) process.stdout.write(`${r.case.padEnd(10)} ${r.obfuscations.padEnd(12)} ${String(r.points).padStart(5)} points   reference ${r.toReference.toExponential(2)}   a_j ref_j + c_j ${r.toAffineOfReference.toExponential(2)}   ref_j (1 + w_j.x + c_j) ${r.toGatedAffine.toExponential(2)}\n`);
  mkdirSync(dirname(values.results!), { recursive: true });
  writeFileSync(values.results!, JSON.stringify({ seed, cells: rows }, null, 1) + "\n");
  process.stdout.write(`wrote ${values.results}\n`);
}
