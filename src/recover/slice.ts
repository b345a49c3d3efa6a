// ReLU slices of a Net and their symbolic lifting. A slice is a run of layers affine -> relu -> affine ...
// over vectors, each value read only by the next layer of the run, fed by one source value. Lifting goes layer
// by layer: a unit's pre-activation is a form over the atoms of the layer before; the form rules rewrite it to
// a fixed point; then the unit becomes `s * relu(form / s)` (interned), or is dropped when never active
// (provably over the box, else observably on the data, and the view says which), or is the identity when its
// pre-activation is provably >= 0.
import type { AffineLayer, Layer, Net } from "../net/net.ts";
import { statsFor, type NetStats } from "../passes/stats.ts";
import type { SliceCtx, SliceRecogniser } from "./recogniser.ts";
import { addInto, atomLin, lin, maxCoef, normalized, SymView, type Lin } from "./symbolic.ts";

/** Layers lifted as one slice: a connected set of vector layers (affine, relu, concat) in Net order, fed by
 *  source values from outside (Net inputs or earlier layers), with one exit read outside. */
export interface ReluSlice {
  /** The layers, in Net (topological) order. */
  layers: Layer[];
  /** Values feeding the slice from outside, in first-use order, with their widths. */
  sources: { id: string; width: number }[];
  /** The last layer: its value is the slice's output. */
  exit: Layer;
}

/** Options of lifting: the box of the sources' entries when the domain is a box, probe statistics. */
export interface LiftOptions {
  box?: (source: string) => { lo: number; hi: number } | undefined;
  /** Without a box: per entry of a source, the range seen on the analysis data (claims from it are observations). */
  seen?: (source: string) => { lo: number[]; hi: number[] } | undefined;
  stats?: NetStats;
  ctx: SliceCtx;
  rules: readonly SliceRecogniser[];
}

const isVector = (l: Layer) => l.shape.length === 1 && l.shape[0] > 0;

/** A layer a slice can hold: an affine map, a ReLU, or a concatenation of vectors. */
function liftable(l: Layer): boolean {
  if (!isVector(l)) return false;
  return l.kind === "affine" || (l.kind === "act" && l.fn === "relu") || (l.kind === "concat" && l.axis === 0);
}

/** The slice growing from an affine layer: every later liftable layer reading it (directly or not), while
 *  exactly one of its layers is read from outside. Undefined when it has no ReLU or more than one exit. */
export function sliceAt(start: Layer, net: Net, layers: ReadonlyMap<string, Layer>, consumers: ReadonlyMap<string, readonly string[]>,
  outputs: ReadonlySet<string>, consumed: ReadonlySet<string>): ReluSlice | undefined {
  if (start.kind !== "affine" || !isVector(start)) return undefined;
  const widthOf = (id: string) => {
    const sh = layers.get(id)?.shape ?? net.inputs.find((i) => i.name === id)?.shape;
    return sh && sh.length === 1 ? sh[0] : -1;
  };
  if (start.inputs.some((i) => widthOf(i) < 0)) return undefined;
  const inR = new Set<string>([start.id]);
  const order = net.layers;
  const at = order.findIndex((l) => l.id === start.id);
  // The builder emits the slice where `start` stands: a value read from outside must be a Net input or a layer
  // before it (a concat also reading a later branch is left outside, so the slice never reads an unset value).
  const before = new Set(order.slice(0, at).map((l) => l.id));
  const ready = (i: string) => before.has(i) || !layers.has(i);
  for (let k = at + 1; k < order.length; k++) {
    const l = order[k];
    if (consumed.has(l.id) || !liftable(l) || !l.inputs.some((i) => inR.has(i))) continue;
    if (l.inputs.some((i) => !inR.has(i) && (widthOf(i) < 0 || !ready(i)))) continue;
    inR.add(l.id);
  }
  // Keep the region up to its last layer that everything else in it flows into: cut where a second exit appears.
  const run = order.filter((l) => inR.has(l.id));
  const exitsOf = (set: Set<string>) => [...set].filter((id) => outputs.has(id) || (consumers.get(id) ?? []).some((c) => !set.has(c)));
  while (run.length > 1 && exitsOf(new Set(run.map((l) => l.id))).length > 1) run.pop();
  const ids = new Set(run.map((l) => l.id));
  const exits = exitsOf(ids);
  if (exits.length !== 1 || !run.some((l) => l.kind === "act")) return undefined;
  const exit = layers.get(exits[0])!;
  if (exit !== run[run.length - 1]) return undefined;
  const sources: { id: string; width: number }[] = [];
  for (const l of run) for (const i of l.inputs) if (!ids.has(i) && !sources.some((x) => x.id === i)) sources.push({ id: i, width: widthOf(i) });
  return { layers: run, sources, exit };
}

/** A linear-time screen before lifting: could any rule fire? A rule needs a unit whose pre-activation reads
 *  few values (a difference, a ramp: support <= 3 after dropping terms below 1% of the row's largest) or two
 *  units with opposite rows (relu(z), relu(-z)); a fit needs a slice over few values. Wide trained layers
 *  (MNIST: 784 inputs, dense rows) have neither and are written layer by layer without building forms. */
export function worthLifting(s: ReluSlice): boolean {
  if (s.sources.reduce((a, x) => a + x.width, 0) <= 6) return true;
  for (const l of s.layers) {
    if (l.kind !== "affine") continue;
    const n = l.inFeatures;
    const seen = new Set<string>();
    for (let j = 0; j < l.outFeatures; j++) {
      let m = Math.abs(l.b[j]);
      for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(l.W[j * n + i]));
      if (m === 0) continue;
      let support = 0;
      const q: number[] = [];
      for (let i = 0; i < n; i++) {
        const w = l.W[j * n + i] / m;
        if (Math.abs(w) > 0.01) support++;
        q.push(Math.round(w * 50));
      }
      if (support <= 3) return true;
      q.push(Math.round((l.b[j] / m) * 50));
      const key = q.join(","), neg = q.map((x) => -x).join(",");
      if (seen.has(neg)) return true;
      seen.add(key);
    }
  }
  return false;
}

/** Apply the form rules to a fixed point. */
export function rewrite(f: Lin, v: SymView, o: LiftOptions): Lin {
  let cur = f;
  for (let round = 0; round < 64; round++) {
    let changed = false;
    for (const r of o.rules) {
      const next = r.form?.(cur, v, o.ctx);
      if (next) {
        v.formFired.add(r.name);
        cur = v.snapZeros(next, Math.max(maxCoef(next), 1e-30));
        changed = true;
      }
    }
    if (!changed) break;
  }
  return cur;
}

/** Lift a slice into the view: the forms of its exit's entries (after the vector rules). */
export function liftSlice(s: ReluSlice, v: SymView, o: LiftOptions): Lin[] {
  const val = new Map<string, Lin[]>();
  const proven = s.sources.every((src) => o.box?.(src.id));
  for (const src of s.sources) {
    const box = o.box?.(src.id), seen = box ? undefined : o.seen?.(src.id);
    val.set(src.id, Array.from({ length: src.width }, (_, i) => {
      const b = box ?? (seen ? { lo: seen.lo[i], hi: seen.hi[i] } : undefined);
      return atomLin(v.atom("src", [], [], { src: { value: src.id, index: i }, ...(b ? { lo: b.lo, hi: b.hi } : {}) }).id);
    }));
  }
  for (const l of s.layers) {
    const ins = l.inputs.map((i) => val.get(i)!);
    if (l.kind === "affine") {
      val.set(l.id, affineForms(l, ins[0], v).map((f) => rewrite(f, v, o)));
    } else if (l.kind === "concat") {
      val.set(l.id, ins.flat());
    } else {
      // relu: each entry of its input, a unit of this layer.
      const dead = o.stats ? statsFor(o.stats, l.id)?.neverActive : undefined;
      const preMin = o.stats ? statsFor(o.stats, l.inputs[0])?.min : undefined;
      val.set(l.id, ins[0].map((f, j) => reluOf(rewrite(f, v, o), l.id, j, v, dead?.[j] ?? false, (preMin?.[j] ?? -1) >= 0, !proven)));
    }
  }
  let cur = val.get(s.exit.id)!.map((f) => rewrite(f, v, o));
  for (let round = 0; round < 8; round++) {
    let changed = false;
    for (const r of o.rules) {
      const next = r.vector?.(cur, v, o.ctx);
      if (next) {
        v.vectorFired.push(r.name);
        cur = next;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return cur;
}

/** W @ cur + b as forms (tiny terms snapped away relative to each row's largest). */
function affineForms(l: AffineLayer & Layer, cur: Lin[], v: SymView): Lin[] {
  const out: Lin[] = [];
  // Fast path: every input a single atom (sources, units): one pass over each row, no intermediate forms.
  const single = cur.map((f) => (f.t.size === 1 && f.c === 0 ? f.t.entries().next().value! : undefined));
  if (single.every((x) => x)) {
    for (let j = 0; j < l.outFeatures; j++) {
      const acc = lin(l.b[j]);
      const row = j * l.inFeatures;
      let m = 0;
      for (let i = 0; i < l.inFeatures; i++) m = Math.max(m, Math.abs(l.W[row + i] * single[i]![1]));
      const eps = v.tol * m;
      for (let i = 0; i < l.inFeatures; i++) {
        const w = l.W[row + i] * single[i]![1];
        if (Math.abs(w) <= eps) {
          if (w !== 0) v.note(Math.abs(w) / m);
          continue;
        }
        const [id] = single[i]!;
        acc.t.set(id, (acc.t.get(id) ?? 0) + w);
      }
      out.push(acc);
    }
    return out;
  }
  for (let j = 0; j < l.outFeatures; j++) {
    const acc = lin(l.b[j]);
    const row = j * l.inFeatures;
    for (let i = 0; i < l.inFeatures; i++) {
      const w = l.W[row + i];
      if (w !== 0) addInto(acc, cur[i], w);
    }
    out.push(v.snapZeros(acc, Math.max(maxCoef(acc), 1e-30)));
  }
  return out;
}

/** The value of unit j of a ReLU layer with pre-activation f. */
function reluOf(f: Lin, layer: string, j: number, v: SymView, observedDead: boolean, observedOn: boolean, seenOnly: boolean): Lin {
  const unit = `${layer}:${j}`;
  const [lo, hi] = v.bounds(f);
  const eps = v.tol * Math.max(maxCoef(f), Math.abs(f.c));
  if (hi <= 0) {
    v.dropped.push({ unit, why: seenOnly ? "never active on the analysis data" : "provably never active over the box" });
    return lin(0);
  }
  if (hi <= eps) {
    // Active by at most the tolerance over the box: dropped as a snap (measured afterwards, not a proof).
    v.note(hi / Math.max(maxCoef(f), Math.abs(f.c)));
    v.dropped.push({ unit, why: "never active on the analysis data" });
    return lin(0);
  }
  if (observedDead) {
    v.dropped.push({ unit, why: "never active on the analysis data" });
    return lin(0);
  }
  if (f.t.size === 0) return lin(Math.max(0, f.c));
  if (lo >= -eps || observedOn) {
    // relu(z) = z where z >= 0 (over the whole box, or on every analysis sample): the unit is linear.
    if (lo < 0 && lo >= -eps) v.note(-lo / Math.max(maxCoef(f), Math.abs(f.c)));
    if (lo < -eps || (seenOnly && f.t.size && Number.isFinite(lo))) v.assumed.push(`${unit} always active on the analysis data: taken as linear`);
    v.addCarriers(f, [unit]);
    return f;
  }
  const { s, f: g } = normalized(f);
  const a = v.atom("relu", [g], [], { units: [unit], lo: Math.max(0, lo / s), hi: Math.max(0, hi / s), layer });
  return atomLin(a.id, s);
}
