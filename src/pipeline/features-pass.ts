// The features pass of explain: after build, feature groups of the wide layers no rule named
// (src/recover/feature-groups.ts), written into the Program ("features" in program.json), as a comment on each
// statement they group, and, for image inputs, as pictures of each group's top inputs in features/.
import type { Tensor } from "../graph/tensor.ts";
import { encodePng, imageShape, pictureOf, sideBySide } from "../data/png-write.ts";
import { findFeatureGroups, oneHot, type FeatureFindings } from "../recover/feature-groups.ts";
import { MIN_STEPS, netMacs, stepsWithin, VIS_BUDGET, visualise, type VisTarget } from "../recover/feature-vis.ts";
import { groupLine, groupsClause, MAX_SHOWN_INPUT, type FeatureAnalysis } from "../program/features.ts";
import type { Net } from "../net/net.ts";
import { UserError } from "../errors.ts";
import type { Program, Stmt } from "../program/program.ts";
// Types only from explain.ts: it lists this pass, so a value import would be circular.
import type { ExplainFiles, ExplainPass, ExplainState } from "./explain.ts";
import type { PassResult } from "./pass.ts";

/** Pictures are drawn this many times larger than the input (a 28 x 28 digit as 56 x 56). */
const SCALE = 2;

export const featuresPass: ExplainPass = {
  name: "features",
  doc: "feature groups: NMF of each wide unnamed ReLU layer's activations; each group's units, share and top inputs",
  run(s) {
    if (s.input.featureGroups === 0) return { out: s, report: { pass: "features", summary: "not asked for (--feature-groups 0)", details: [] } };
    try {
      return runFeatures(s);
    } catch (e) {
      // A reading aid: a failure is reported, never fatal to the explanation.
      return { out: s, report: { pass: "features", summary: `feature groups failed: ${e instanceof Error ? e.message : String(e)}`, details: [] } };
    }
  },
};

/** The pass's work: groups, pictures, comments and the report. */
function runFeatures(s: ExplainState): PassResult<ExplainState> {
  const program = needs(s, "program", "build");
  const data = needs(s, "data", "read");
  const net = needs(s, "net", "lower");
  if (data.oneSample) return { out: s, report: { pass: "features", summary: "none: the data is one sample", details: [] } };
  const found = findFeatureGroups(program, net, data.analysis, data.analysisRows, { seed: s.input.seed ?? 0, ...(s.input.featureGroups !== undefined ? { groups: s.input.featureGroups } : {}) });
  const a = found.analysis;
  const files: ExplainFiles = new Map(s.extraFiles ?? []);
  const input = data.analysis[0];
  const img = input && imageShape(input.shape.slice(1) as number[]);
  const size = input ? input.shape.slice(1).reduce((q, d) => q * d, 1) : 0;
  if (input && !img && size <= MAX_SHOWN_INPUT) {
    // Small vector inputs: the top examples' values go with them, for the explorer's table.
    const d = input.data as ArrayLike<number>;
    a.groups.forEach((g, i) => g.top.forEach((t, j) => (t.input = Array.from({ length: size }, (_, k) => sig(Number(d[found.topLocal[i][j] * size + k]))))));
  }
  if (img && a.groups.length) {
    const { lo, hi } = range(input);
    const size = img[0] * img[1] * img[2];
    a.groups.forEach((g, i) => {
      const rows = found.topLocal[i];
      if (!rows.length) return;
      const pics = rows.map((r) => pictureOf((input.data as ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> }).subarray(r * size, (r + 1) * size), img, lo, hi, SCALE));
      const file = `features/${g.name}-top.png`;
      files.set(file, encodePng(sideBySide(pics)));
      g.pictures = { ...g.pictures, top: file };
    });
    visualiseGroups(net, found, input, img, range(input), s.input.seed ?? 0, files);
  }
  const out = a.layers.length || a.skipped.length ? withComments({ ...program, features: a }, a) : program;
  return {
    out: { ...s, program: out, ...(files.size ? { extraFiles: files } : {}) },
    report: {
      pass: "features",
      summary: a.layers.length
        ? `${a.groups.length} groups in ${a.layers.length} statement(s): ${a.layers.map((l) => `${l.stmt} ${l.k} (${l.chosenBy})`).join(", ")}`
        : a.skipped.length ? `none (${a.skipped.length} statement(s) left out)` : "none: no unnamed ReLU layer",
      details: [
        ...a.layers.map((l) => `${l.stmt}: ${l.units} of ${l.width} units vary; NMF on ${l.fitRows} rows, k = ${l.k} by ${l.chosenBy === "knee" ? `the knee of the explained variance over k = 1..${l.explained.length} (${l.explained.map((e) => e.toFixed(2)).join(", ")})` : "the budget"}; top inputs from ${l.rows} rows`),
        ...a.groups.map((g) => `${g.stmt}: ${groupLine(g)}, units ${g.units.slice(0, 12).map((u) => u.index).join(", ")}${g.units.length > 12 ? ", ..." : ""}; top rows ${g.top.map((t) => t.row).join(", ")}`),
        ...a.skipped.map((k) => `${k.stmt} left out: ${k.reason}`),
      ],
    },
  };
}

/** Feature visualisations of every group and of each group's strongest unit, by gradient ascent through the Net
 *  (src/recover/feature-vis.ts), written as PNGs and scored (objective reached vs the data's largest). A Net the
 *  backward pass can't go through (an opaque layer) gets none, and the analysis says why. */
function visualiseGroups(net: Net, found: FeatureFindings, input: Tensor, img: [number, number, number], box: { lo: number; hi: number }, seed: number, files: ExplainFiles): void {
  const a = found.analysis;
  const targets: VisTarget[] = [];
  const unitOf = new Map<string, { fn: string; stmt: string; index: number; origin?: string[]; dataMax: number }>();
  found.objectives.forEach((o, i) => {
    const g = a.groups[i];
    targets.push({ name: g.name, layer: o.layer, weights: o.weights });
    if (!o.topUnit) return;
    const name = `${g.stmt}_unit${o.topUnit.index}`;
    if (unitOf.has(name)) return;
    unitOf.set(name, { fn: g.fn, stmt: g.stmt, index: o.topUnit.index, ...(o.topUnit.origin ? { origin: o.topUnit.origin } : {}), dataMax: o.topUnit.dataMax });
    targets.push({ name, layer: o.layer, weights: oneHot(o.weights.length, o.topUnit.index) });
  });
  const steps = stepsWithin(net, targets.length);
  if (!steps) {
    a.visNote = `no visualisations: ${targets.length} pictures through a Net of ${netMacs(net).toExponential(1)} multiply-adds per input would take fewer than ${MIN_STEPS} steps within the budget of ${VIS_BUDGET.toExponential(0)}`;
    return;
  }
  let vis;
  try {
    vis = visualise(net, targets, img, box, { seed, steps, prior: meanImage(input, img[0] * img[1] * img[2]) });
  } catch (e) {
    // The backward pass refuses what it can't differentiate (an opaque layer, a run-time dim): no pictures, and why.
    a.visNote = `no visualisations: ${e instanceof UserError ? e.message : `the gradient could not be taken (${e instanceof Error ? e.message : String(e)})`}`;
    return;
  }
  const score = (objective: number, dataMax: number) => ({ objective: sig(objective), dataMax: sig(dataMax) });
  a.units = [];
  for (const v of vis) {
    const file = `features/${v.name}-vis.png`;
    files.set(file, encodePng(pictureOf(v.image, img, box.lo, box.hi, SCALE)));
    const g = a.groups.find((x) => x.name === v.name);
    if (g) {
      g.pictures = { ...g.pictures, vis: file };
      g.vis = score(v.end, found.objectives[a.groups.indexOf(g)].dataMax);
    } else {
      const u = unitOf.get(v.name)!;
      a.units.push({ fn: u.fn, stmt: u.stmt, index: u.index, ...(u.origin ? { origin: u.origin } : {}), picture: file, vis: score(v.end, u.dataMax) });
    }
  }
}

/** The mean input over the rows (the visualisation's start and prior). */
function meanImage(t: Tensor, size: number): Float32Array {
  const d = t.data as ArrayLike<number>;
  const n = d.length / size;
  const m = new Float64Array(size);
  for (let i = 0; i < n; i++) for (let k = 0; k < size; k++) m[k] += d[i * size + k];
  return Float32Array.from(m, (v) => v / n);
}

function sig(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(4)) : 0;
}

/** An IR this pass needs, or a one-line error naming the pass that makes it (as explain.ts's need). */
function needs<K extends "program" | "data" | "net">(s: ExplainState, key: K, madeBy: string): NonNullable<ExplainState[K]> {
  const v = s[key];
  if (v === undefined) throw new UserError(`pass 'features' needs the ${key}, which pass '${madeBy}' makes: run it first`);
  return v as NonNullable<ExplainState[K]>;
}

/** The program with each grouped statement's comment naming its groups. */
function withComments(p: Program, a: FeatureAnalysis): Program {
  const names = new Map<string, string[]>();
  for (const g of a.groups) names.set(`${g.fn}/${g.stmt}`, [...(names.get(`${g.fn}/${g.stmt}`) ?? []), g.name]);
  const note = (fn: string, st: Stmt): Stmt => {
    if (st.kind !== "prim") return st;
    const gs = names.get(`${fn}/${st.out.name}`);
    if (!gs) return st;
    const text = groupsClause(gs);
    return { ...st, comment: st.comment ? `${st.comment}; ${text}` : text };
  };
  return { ...p, functions: p.functions.map((f) => ({ ...f, body: f.body.map((st) => note(f.name, st)) })) };
}

/** The data's smallest and largest value, as Math.min / Math.max over every value give them (NaN if one is NaN;
 *  -0 below +0), in one pass of comparisons; memoised per tensor (the pass asks twice). */
function range(t: Tensor): { lo: number; hi: number } {
  const hit = ranges.get(t);
  if (hit) return hit;
  let lo = Infinity, hi = -Infinity, nan = false;
  const d = t.data as ArrayLike<number>;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v < lo || (v === 0 && lo === 0 && 1 / v < 0)) lo = v;
    if (v > hi || (v === 0 && hi === 0 && 1 / v > 0)) hi = v;
    if (v !== v) nan = true;
  }
  const r = nan ? { lo: NaN, hi: NaN } : { lo, hi };
  ranges.set(t, r);
  return r;
}

const ranges = new WeakMap<Tensor, { lo: number; hi: number }>();
