// Obfuscations: what training leaves in a network that a clean compiled one lacks. One function
// each, each switchable alone; applied in a fixed order (ORDER) so structure changes come first and
// permutation last. Each returns a record of what it did, stored in truth.json. Module labels ride
// on the units, so the partition of hidden units stays known through every rewrite.
import { UserError } from "../src/errors.ts";
import { convToDense, interleave } from "./restructure.ts";
import { boundsBefore, cloneNet, intervalLayer, unitCount, type Branch, type ZLayer, type ZooNet } from "./net.ts";
import { logUniform, permutation, randn } from "./rng.ts";
import { DEAD, getUnits, hiddenLayers, mainLabel, setUnits, type Unit } from "./units.ts";


export type ObfuscationName = "conv2dense" | "interleave" | "split" | "dead" | "rescale" | "permute" | "nearzero" | "noise";

/** The order obfuscations are applied in. */
export const ORDER: readonly ObfuscationName[] = ["conv2dense", "interleave", "split", "dead", "rescale", "permute", "nearzero", "noise"];

/** What one obfuscation did, with its parameters (JSON-ready). */
export interface ObfRecord {
  name: ObfuscationName;
  /** One line for people. */
  summary: string;
  params: Record<string, unknown>;
}

/** Inputs every obfuscation gets: the net, a seeded generator, the domain box. */
export interface ObfContext {
  u: () => number;
  lo: Float64Array;
  hi: Float64Array;
}

/** Tunable levels; the defaults are what `pseudonet zoo` uses. */
export const LEVELS = {
  rescale: [0.25, 4] as [number, number],
  splitFraction: 0.3,
  deadFraction: 0.25,
  /** Dead units' pre-activation stays below -margin * (row scale) on the whole box. */
  deadMargin: 0.5,
  nearZero: 2e-5,
  noise: 1e-4,
};

/** Apply `fn` to each branch; a branch sharing weights with an earlier one gets that one's layers. */
function perBranch(net: ZooNet, fn: (br: Branch, bi: number) => Record<string, unknown> | null): Record<string, unknown>[] {
  const recs: Record<string, unknown>[] = [];
  const leaders = new Map<string, number>();
  net.branches.forEach((br, bi) => {
    const lead = br.shareKey !== undefined ? leaders.get(br.shareKey) : undefined;
    if (lead !== undefined) {
      copyShared(net.branches[lead], br);
      return;
    }
    if (br.shareKey !== undefined) leaders.set(br.shareKey, bi);
    const r = fn(br, bi);
    if (r) recs.push({ branch: br.name || "main", ...r });
  });
  return recs;
}

/** Make `to` use `from`'s weights (shared initialisers), keeping its own module labels. */
function copyShared(from: Branch, to: Branch): void {
  const own = mainLabel(to);
  const theirs = mainLabel(from);
  to.layers = cloneNet({ inputShape: [], branches: [from] }).branches[0].layers.map((l) => ({ ...l, modules: l.modules.map((m) => (m === theirs ? own : m)) }));
}

/** Reorder every hidden layer's units at random. perm[new] = old. */
export function permute(net: ZooNet, cx: ObfContext): ObfRecord {
  const layers = perBranch(net, (br) => {
    const perms = hiddenLayers(br).map((k) => {
      const units = getUnits(br, k);
      const p = permutation(units.length, cx.u);
      setUnits(br, k, p.map((i) => units[i]));
      return { layer: k, perm: p };
    });
    return { layers: perms };
  });
  return { name: "permute", summary: "hidden units of every layer permuted", params: { branches: layers } };
}

/** Scale each hidden unit's incoming weights and bias by c > 0 and its outgoing weights by 1/c. */
export function rescale(net: ZooNet, cx: ObfContext): ObfRecord {
  const [lo, hi] = LEVELS.rescale;
  const layers = perBranch(net, (br) => ({
    layers: hiddenLayers(br).map((k) => {
      const units = getUnits(br, k);
      const scales = units.map(() => round4(logUniform(lo, hi, cx.u)));
      setUnits(br, k, units.map((un, i) => scaled(un, scales[i], 1 / scales[i])));
      return { layer: k, scales };
    }),
  }));
  return { name: "rescale", summary: `hidden units rescaled by c in [${lo}, ${hi}] (in x c, out x 1/c)`, params: { range: [lo, hi], branches: layers } };
}

function scaled(un: Unit, cin: number, cout: number): Unit {
  return { w: un.w.map((v) => v * cin), b: un.b * cin, out: un.out.map((v) => v * cout), module: un.module };
}

/** Replace some hidden units by 2-3 copies: copy j has incoming weights x a_j, outgoing x t_j / a_j, sum t_j = 1. */
export function split(net: ZooNet, cx: ObfContext): ObfRecord {
  const layers = perBranch(net, (br) => ({
    layers: hiddenLayers(br).map((k) => {
      const units = getUnits(br, k);
      const chosen = units.map((un) => un.module !== DEAD && cx.u() < LEVELS.splitFraction);
      if (!chosen.some(Boolean)) chosen[Math.floor(cx.u() * units.length)] = true;
      const out: Unit[] = [];
      const splits: { unit: number; copies: number }[] = [];
      units.forEach((un, i) => {
        if (!chosen[i]) return void out.push(un);
        const copies = cx.u() < 0.7 ? 2 : 3;
        const t = Array.from({ length: copies }, () => 0.2 + cx.u());
        const ts = t.reduce((a, b) => a + b, 0);
        for (let j = 0; j < copies; j++) {
          const a = logUniform(0.5, 2, cx.u);
          out.push(scaled(un, a, t[j] / ts / a));
        }
        splits.push({ unit: i, copies });
      });
      setUnits(br, k, out);
      return { layer: k, split: splits };
    }),
  }));
  return { name: "split", summary: `about ${LEVELS.splitFraction * 100}% of hidden units split into 2-3 copies`, params: { fraction: LEVELS.splitFraction, branches: layers } };
}

/** Add units to each ReLU hidden layer that interval bounds prove never active on the domain box. */
export function dead(net: ZooNet, cx: ObfContext): ObfRecord {
  const layers = perBranch(net, (br) => ({
    layers: hiddenLayers(br).filter((k) => br.layers[k].relu).map((k) => {
      const units = getUnits(br, k);
      const n = Math.max(1, Math.round(LEVELS.deadFraction * units.length));
      const rowScale = meanAbs(units.flatMap((un) => [...un.w]));
      const outScale = meanAbs(units.flatMap((un) => [...un.out]));
      const added: Unit[] = Array.from({ length: n }, () => ({
        w: units[0].w.map(() => rowScale * randn(cx.u)),
        b: 0,
        out: units[0].out.map(() => outScale * randn(cx.u)),
        module: DEAD,
      }));
      setUnits(br, k, [...units, ...added]);
      // Bias each new unit below its interval upper bound over the box, so it provably never fires.
      const { lo, hi } = boundsBefore(br, k, cx.lo, cx.hi);
      const ub = unitUpper(br.layers[k], lo, hi);
      const all = getUnits(br, k);
      for (let i = units.length; i < all.length; i++) all[i].b = -ub[i] - LEVELS.deadMargin * (rowScale + 1e-3);
      setUnits(br, k, all);
      return { layer: k, added: n };
    }),
  }));
  return { name: "dead", summary: `about ${LEVELS.deadFraction * 100}% dead units added to each ReLU layer (proved off by interval bounds)`, params: { fraction: LEVELS.deadFraction, branches: layers } };
}

/** Per unit (row or channel), the largest pre-activation upper bound over its positions. */
export function unitUpper(l: ZLayer, lo: Float64Array, hi: Float64Array): number[] {
  const { preHi } = intervalLayer(l, lo, hi);
  const n = unitCount(l);
  const per = preHi.length / n;
  return Array.from({ length: n }, (_, i) => Math.max(...preHi.subarray(i * per, (i + 1) * per)));
}

/** Fill every exactly-zero weight with a tiny one (|w| up to level x the layer's largest weight). */
export function nearZero(net: ZooNet, cx: ObfContext): ObfRecord {
  let count = 0;
  perBranch(net, (br) => {
    for (const l of br.layers) {
      const w = l.kind === "dense" ? l.W : l.weight;
      const eps = LEVELS.nearZero * maxAbs(w);
      for (let i = 0; i < w.length; i++) if (w[i] === 0) {
        w[i] = eps * (0.1 + 0.9 * cx.u()) * (cx.u() < 0.5 ? -1 : 1);
        count++;
      }
    }
    return null;
  });
  return { name: "nearzero", summary: `${count} zero weights set to tiny values (|w| <= ${LEVELS.nearZero} x layer max)`, params: { level: LEVELS.nearZero, weights: count } };
}

/** Add Gaussian noise of level x (the layer's mean |non-zero weight|) to every weight and bias. */
export function noise(net: ZooNet, cx: ObfContext): ObfRecord {
  perBranch(net, (br) => {
    for (const l of br.layers) {
      const [w, b] = l.kind === "dense" ? [l.W, l.b] : [l.weight, l.bias];
      const s = LEVELS.noise * meanAbs(w);
      for (let i = 0; i < w.length; i++) w[i] += s * randn(cx.u);
      for (let i = 0; i < b.length; i++) b[i] += s * randn(cx.u);
    }
    return null;
  });
  return { name: "noise", summary: `Gaussian weight noise, sigma = ${LEVELS.noise} x each layer's mean |non-zero weight|`, params: { level: LEVELS.noise } };
}

/** Dispatch one obfuscation by name. */
export function applyObfuscation(name: ObfuscationName, net: ZooNet, cx: ObfContext): ObfRecord | null {
  switch (name) {
    case "conv2dense": return convToDense(net);
    case "interleave": return interleave(net, cx);
    case "split": return split(net, cx);
    case "dead": return dead(net, cx);
    case "rescale": return rescale(net, cx);
    case "permute": return permute(net, cx);
    case "nearzero": return nearZero(net, cx);
    case "noise": return noise(net, cx);
  }
}

/** Parse `--obfuscate`: "all", "none" or a comma list of names; returned in ORDER. */
export function parseObfuscations(spec: string): ObfuscationName[] {
  const s = spec.trim();
  if (s === "all") return [...ORDER];
  if (s === "none" || s === "") return [];
  const names = s.split(",").map((x) => x.trim()).filter(Boolean);
  const bad = names.filter((n) => !(ORDER as readonly string[]).includes(n));
  if (bad.length) throw new UserError(`unknown obfuscation ${bad.map((b) => `'${b}'`).join(", ")}; choose from ${ORDER.join(", ")}, all, none`);
  return ORDER.filter((n) => names.includes(n));
}

/** Mean |a| over the non-zero entries: the typical weight of a sparse row. */
function meanAbs(a: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) {
    s += Math.abs(a[i]);
    n++;
  }
  return n ? s / n : 0;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
