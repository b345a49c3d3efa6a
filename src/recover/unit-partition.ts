// The module partition of a Net's hidden units, read from the dataflow of its dense layers (the partition the
// zoo scores and program.json reports). It extends dataflow-modules.ts in two ways the compiled and trained nets
// need:
//   * carriers: a unit that is linear on the data (always active, or one of a pair relu(z), relu(-z) whose
//     in-weights are negatives: relu(z) - relu(-z) = z) computes nothing, it carries values. Units are traced
//     through carriers to what they really read (skip connections, made or kept), and a carrier joins the module
//     of what it carries;
//   * fresh inputs: a unit that reads input entries no module has read yet, beside values of existing modules,
//     starts the module of those inputs, which receives the other modules' values as messages
//     (a 2-bit adder's bit 1 reads a1, b1 and bit 0's carry). Units that read only values of several modules
//     start a new module where the streams meet (max(max(a, b), max(c, d)): the outer max).
// Weights below `eps` of their row's largest (with unit scales divided out, as module-graph.ts does) are treated
// as absent; what dropping them costs is measured by the caller (modules-pass.ts).
import type { AffineLayer, Layer, Net } from "../net/net.ts";
import type { NetStats } from "../passes/stats.ts";
import { statsFor } from "../passes/stats.ts";

export interface UnitPartition {
  /** Module of each hidden unit (`affineLayerId:unit`); units in no module (never active, constant) are absent. */
  labels: Map<string, number>;
  count: number;
  /** Hidden units read through as carriers (linear on the data). */
  carriers: Set<string>;
  /** Weights treated as absent (below eps of their row), and how many there were. */
  ignored: number;
}

export interface PartitionOptions {
  /** Relative weight below which an edge is absent (default 1e-2, module-graph.ts's). */
  eps?: number;
}

type Affine = AffineLayer & Layer;

/** One hidden unit: its node key, direct sources (node keys), and whether it only carries values. */
interface HUnit {
  key: string;
  layer: number;
  src: string[];
  carrier: boolean;
  dead: boolean;
}

/** Whether some 1-D dense layer reads another through a ReLU (else there are no hidden dense units to partition). */
export function hasHiddenDense(net: Net): boolean {
  const byId = new Map(net.layers.map((l) => [l.id, l]));
  const reluOfDense = (v: string) => { const l = byId.get(v); const p = l?.kind === "act" && l.fn === "relu" ? byId.get(l.inputs[0]) : undefined; return p?.kind === "affine" && p.shape.length === 1; };
  return net.layers.some((l) => {
    if (l.kind !== "affine" || l.shape.length !== 1) return false;
    const v = byId.get(l.inputs[0]);
    return (v?.kind === "concat" ? v.inputs : [l.inputs[0]]).some(reluOfDense);
  });
}

/** Partition the hidden units of a Net's 1-D dense layers into dataflow modules (see the file comment). */
export function partitionUnits(net: Net, stats?: NetStats, opts: PartitionOptions = {}): UnitPartition {
  const eps = opts.eps ?? 1e-2;
  const byId = new Map(net.layers.map((l) => [l.id, l]));
  const affines = net.layers.filter((l): l is Affine => l.kind === "affine" && l.shape.length === 1);
  // A value an affine layer reads: a hidden layer (affine + relu), or entries of anything else (input, slices).
  const hiddenOf = (v: string): Affine | undefined => {
    const l = byId.get(v);
    if (l?.kind !== "act" || l.fn !== "relu") return undefined;
    const p = byId.get(l.inputs[0]);
    return p?.kind === "affine" && p.shape.length === 1 ? p : undefined;
  };
  const parts = (a: Affine): { v: string; n: number; hidden?: Affine }[] => {
    const l = byId.get(a.inputs[0]);
    const vs = l?.kind === "concat" && l.axis === 0 && l.shape.length === 1 ? l.inputs : [a.inputs[0]];
    return vs.map((v) => {
      const h = hiddenOf(v);
      const n = h ? h.outFeatures : (byId.get(v)?.shape ?? net.inputs.find((i) => i.name === v)?.shape ?? [0]).reduce((x, y) => x * y, 1);
      return { v, n, ...(h ? { hidden: h } : {}) };
    });
  };
  // Largest |value| of entry q of a value on the data (1 when not probed).
  const maxCache = new Map<string, Float64Array | null>();
  const srcMax = (v: string, q: number): number => {
    let c = maxCache.get(v);
    if (c === undefined) {
      const x = stats?.sample.inputs[v];
      const st = stats ? statsFor(stats, v) : undefined;
      if (x) {
        const n = x.shape.slice(1).reduce((a, b) => a * b, 1);
        c = new Float64Array(n);
        for (let r = 0; r < x.shape[0]; r++) for (let i = 0; i < n; i++) c[i] = Math.max(c[i], Math.abs(Number(x.data[r * n + i])));
      } else c = st ? Float64Array.from(st.min, (lo, i) => Math.max(Math.abs(lo), Math.abs(st.max[i]))) : null;
      maxCache.set(v, c);
    }
    return c ? c[q] ?? 1 : 1;
  };
  const rowMax = (a: Affine, j: number) => {
    let m = 0;
    for (let i = 0; i < a.inFeatures; i++) m = Math.max(m, Math.abs(a.W[j * a.inFeatures + i]));
    return m || 1;
  };
  const layerIndex = new Map(affines.map((a, k) => [a.id, k]));
  const units = new Map<string, HUnit>();
  const readers = new Map<string, string[]>();
  const readW = new Map<string, { r: string; w: number }[]>();
  let ignored = 0;
  // Hidden layers: affine layers some other affine layer reads through a relu.
  const hiddenLayers = new Set<string>();
  // Where each hidden layer is read: the reading layer and the offset of its part there.
  const readAt = new Map<string, { r: Affine; off: number }[]>();
  for (const a of affines) {
    let off = 0;
    for (const p of parts(a)) {
      if (p.hidden) { hiddenLayers.add(p.hidden.id); (readAt.get(p.hidden.id) ?? readAt.set(p.hidden.id, []).get(p.hidden.id)!).push({ r: a, off }); }
      off += p.n;
    }
  }
  for (const a of affines) {
    const ps = parts(a);
    if (ps.reduce((s, p) => s + p.n, 0) !== a.inFeatures) continue;
    const isHidden = hiddenLayers.has(a.id);
    const act = net.layers.find((l) => l.kind === "act" && l.inputs[0] === a.id);
    const st = stats && act ? statsFor(stats, act.id) : undefined;
    const pre = stats ? statsFor(stats, a.id) : undefined;
    // Per source entry, its key and its readers' lists, made once per layer (not once per weight: 100k weights
    // made 100k strings and 200k map look-ups); the lists are created on first use, so the maps' order is as before.
    const keys = ps.map((p) => Array.from({ length: p.n }, (_, q) => (p.hidden ? `${p.hidden.id}:${q}` : `in:${p.v}:${q}`)));
    const rdList = ps.map((p) => new Array<string[] | undefined>(p.n));
    const rwList = ps.map((p) => new Array<{ r: string; w: number }[] | undefined>(p.n));
    for (let j = 0; j < a.outFeatures; j++) {
      const key = `${a.id}:${j}`;
      const m = rowMax(a, j);
      const src: string[] = [];
      let off = 0;
      // How far the weights treated as absent (and a bias below eps) can move this unit's pre-activation.
      let slack = Math.abs(a.b[j]) <= eps * m ? Math.abs(a.b[j]) : 0;
      for (let pi = 0; pi < ps.length; pi++) {
        const p = ps[pi], pk = keys[pi], prd = rdList[pi], prw = rwList[pi];
        for (let q = 0; q < p.n; q++) {
          const w = Math.abs(a.W[j * a.inFeatures + off + q]);
          if (w === 0) continue;
          if (w <= eps * m) { ignored++; slack += w * srcMax(p.v, q); continue; }
          const from = pk[q];
          src.push(from);
          (prd[q] ??= readers.get(from) ?? readers.set(from, []).get(from)!).push(key);
          (prw[q] ??= readW.get(from) ?? readW.set(from, []).get(from)!).push({ r: key, w: a.W[j * a.inFeatures + off + q] });
        }
        off += p.n;
      }
      if (!isHidden) continue;
      // Never active on the data: it carries nothing there, whatever it reads (the dead units simplify proves are among these).
      const dead = !!st && st.neverActive[j];
      // Linear on the data: never below zero, but for what the absent weights may add.
      // (plus float32 rounding: the bound is reached exactly at a corner of a bits domain).
      const carrier = !!pre && pre.min[j] >= -(slack + 1e-6 * (m + slack));
      units.set(key, { key, layer: layerIndex.get(a.id)!, src, carrier, dead });
    }
  }
  for (const a of affines) if (hiddenLayers.has(a.id)) markPairs(a, units, readW, eps);
  // Effective sources: through carriers to input entries and computing units.
  const effMemo = new Map<string, Set<string>>();
  const eff = (k: string, depth = 0): Set<string> => {
    const u = units.get(k);
    if (!u || !u.carrier || depth > 64) return new Set([k]);
    let e = effMemo.get(k);
    if (!e) {
      e = new Set();
      for (const s of u.src) if (!units.get(s)?.dead) for (const x of eff(s, depth + 1)) e.add(x);
      effMemo.set(k, e);
    }
    return e;
  };
  const labels = new Map<string, number>();
  const entryMod = new Map<string, number>();
  let count = 0;
  const byLayer = [...units.values()].filter((u) => !u.dead).sort((a, b) => a.layer - b.layer);
  for (let i = 0; i < byLayer.length;) {
    const L = byLayer[i].layer;
    const layer: HUnit[] = [];
    while (i < byLayer.length && byLayer[i].layer === L) layer.push(byLayer[i++]);
    const computing = layer.filter((u) => !u.carrier);
    // Fresh input entries join units into components (union-find); module sets key the rest.
    const parent = new Map<string, string>();
    const find = (x: string): string => {
      // Path halving keeps the trees flat (a layer of 128 units over 784 pixels unions 100k times).
      while (parent.get(x) !== x) { const g = parent.get(parent.get(x)!)!; parent.set(x, g); x = g; }
      return x;
    };
    const union = (x: string, y: string) => { for (const z of [x, y]) if (!parent.has(z)) parent.set(z, z); parent.set(find(x), find(y)); };
    const keyOf = new Map<string, string>();
    for (const u of computing) {
      const ins = [...new Set([...u.src].flatMap((s) => (units.get(s)?.dead ? [] : [...eff(s)])))];
      const fresh = ins.filter((s) => s.startsWith("in:") && !entryMod.has(s));
      const mods = [...new Set(ins.flatMap((s) => { const m = s.startsWith("in:") ? entryMod.get(s) : labels.get(s); return m === undefined ? [] : [m]; }))].sort((a, b) => a - b);
      if (fresh.length) { union(u.key, u.key); for (const f of fresh) union(u.key, f); }
      else if (mods.length === 1) labels.set(u.key, mods[0]);
      else if (mods.length > 1) keyOf.set(u.key, `m${mods.join(",")}`);
    }
    const fresh = new Map<string, number>();
    for (const u of computing) {
      if (labels.has(u.key)) continue;
      const k = parent.has(u.key) ? `c${find(u.key)}` : keyOf.get(u.key);
      if (k === undefined) continue;
      if (!fresh.has(k)) fresh.set(k, count++);
      labels.set(u.key, fresh.get(k)!);
    }
    // The fresh entries now belong to the module that read them.
    for (const [x] of parent) if (x.startsWith("in:") && !entryMod.has(x)) {
      const m = fresh.get(`c${find(x)}`);
      if (m !== undefined) entryMod.set(x, m);
    }
  }
  // Carriers: the module of what they carry; else (carrying only fresh entries) of the computing units reading them.
  const carriers = new Set<string>();
  const readerMods = (k: string, depth = 0): number[] => (readers.get(k) ?? []).flatMap((r) => {
    const u = units.get(r);
    if (!u || u.dead) return [];
    if (!u.carrier) return labels.has(r) ? [labels.get(r)!] : [];
    return depth > 64 ? [] : readerMods(r, depth + 1);
  });
  for (const u of byLayer) {
    if (!u.carrier) continue;
    carriers.add(u.key);
    const srcMods = [...new Set([...eff(u.key)].flatMap((s) => { const m = s.startsWith("in:") ? entryMod.get(s) : labels.get(s); return m === undefined ? [] : [m]; }))];
    const rm = [...new Set(readerMods(u.key))];
    const m = srcMods.length === 1 ? srcMods[0] : rm.length === 1 ? rm[0] : undefined;
    if (m !== undefined) labels.set(u.key, m);
  }
  // Units never active on the data carry nothing and took no part above; each is placed with a live unit of its
  // layer that reads the same values, or with what it reads when that is one module (else it stays out), so the partition still covers the units a user sees.
  const srcKey = (u: HUnit) => [...new Set(u.src.flatMap((x) => [...eff(x)]))].sort().join("|");
  const bySources = new Map<string, number>();
  for (const u of byLayer) if (!u.carrier && labels.has(u.key)) bySources.set(`${u.layer}/${srcKey(u)}`, labels.get(u.key)!);
  for (const u of units.values()) {
    if (!u.dead) continue;
    const same = bySources.get(`${u.layer}/${srcKey(u)}`);
    if (same !== undefined) { labels.set(u.key, same); continue; }
    const ms = [...new Set(u.src.flatMap((x) => [...eff(x)]).flatMap((x) => { const m = x.startsWith("in:") ? entryMod.get(x) : labels.get(x); return m === undefined ? [] : [m]; }))];
    if (ms.length === 1) labels.set(u.key, ms[0]);
  }
  return { labels, count, carriers, ignored };
}

/** Pairs of units whose in-weights (and biases) are negatives of each other up to a positive scale, within eps of
 *  the row's largest, read with opposite signs: relu(z) - relu(-z) = z, so together they carry z (read with the
 *  same sign they compute |z|, and stay). Reads are followed through always-on carriers (relu(c relu(z)) =
 *  c relu(z) on the data), which may carry each half of the pair a layer further before it is combined. */
function markPairs(a: Affine, units: Map<string, HUnit>, readW: Map<string, { r: string; w: number }[]>, eps: number): void {
  const n = a.inFeatures;
  const norm: Float64Array[] = [], scale: number[] = [];
  for (let j = 0; j < a.outFeatures; j++) {
    let m = Math.abs(a.b[j]);
    for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(a.W[j * n + i]));
    const r = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) r[i] = a.W[j * n + i] / (m || 1);
    r[n] = a.b[j] / (m || 1);
    norm.push(r);
    scale.push(m);
  }
  // Effective out-weights of a unit on the first units that are not always-on carriers.
  const effOut = (k: string, depth = 0): Map<string, number> => {
    const out = new Map<string, number>();
    for (const { r, w } of readW.get(k) ?? []) {
      const u = units.get(r);
      if (u?.carrier && !u.dead && depth < 16) for (const [r2, w2] of effOut(r, depth + 1)) out.set(r2, (out.get(r2) ?? 0) + w * w2);
      else if (!u?.dead) out.set(r, (out.get(r) ?? 0) + w);
    }
    return out;
  };
  // Copies first (a unit split in two: equal normalised rows): each group reads as one unit, its out-weights summed.
  const near = (x: Float64Array, y: Float64Array, sign: number) => { for (let i = 0; i <= n; i++) if (Math.abs(x[i] - sign * y[i]) > eps) return false; return true; };
  const groups: number[][] = [];
  for (let j = 0; j < a.outFeatures; j++) {
    const g = groups.find((gr) => near(norm[gr[0]], norm[j], 1));
    if (g) g.push(j); else groups.push([j]);
  }
  const outs = groups.map((gr) => {
    const m = new Map<string, number>();
    for (const j of gr) for (const [r, w] of effOut(`${a.id}:${j}`)) m.set(r, (m.get(r) ?? 0) + w * scale[j]);
    return m;
  });
  const pairs: [number, number][] = [];
  for (let j = 0; j < groups.length; j++) {
    for (let k = j + 1; k < groups.length; k++) {
      if (!near(norm[groups[j][0]], norm[groups[k][0]], -1)) continue;
      // Out-weights (times the unit's scale) opposite on every reader.
      let ok = true;
      for (const r of new Set([...outs[j].keys(), ...outs[k].keys()])) {
        const wj = outs[j].get(r) ?? 0, wk = outs[k].get(r) ?? 0;
        if (!(ok = Math.abs(wj + wk) <= eps * Math.max(Math.abs(wj), Math.abs(wk)))) break;
      }
      if (ok) for (const x of groups[j]) for (const y of groups[k]) pairs.push([x, y]);
    }
  }
  for (const [j, k] of pairs) for (const u of [j, k]) { const h = units.get(`${a.id}:${u}`); if (h) h.carrier = true; }
}
