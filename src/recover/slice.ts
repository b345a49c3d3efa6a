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

/** A run of layers lifted as one slice. */
export interface ReluSlice {
  /** The layers, in order: affine, then optionally relu, repeated. */
  layers: Layer[];
  /** The value feeding the first affine layer (a layer id or a Net input). */
  source: string;
  /** Width of the source. */
  width: number;
  /** The last layer: its value is the slice's output. */
  exit: Layer;
}

/** Options of lifting: the box of the source's entries when the domain is a box, probe statistics. */
export interface LiftOptions {
  box?: { lo: number; hi: number };
  /** Without a box: per entry of the source, the range seen on the analysis data (claims from it are observations). */
  seen?: { lo: number[]; hi: number[] };
  stats?: NetStats;
  ctx: SliceCtx;
  rules: readonly SliceRecogniser[];
}

/** Find the slice starting at an affine layer, if there is one with at least one ReLU. */
export function sliceAt(start: Layer, net: Net, layers: ReadonlyMap<string, Layer>, consumers: ReadonlyMap<string, readonly string[]>,
  outputs: ReadonlySet<string>, consumed: ReadonlySet<string>): ReluSlice | undefined {
  if (start.kind !== "affine" || start.shape.length !== 1 || start.inputs.length !== 1) return undefined;
  const source = start.inputs[0];
  const srcShape = layers.get(source)?.shape ?? net.inputs.find((i) => i.name === source)?.shape;
  if (!srcShape || srcShape.length !== 1) return undefined;
  const run: Layer[] = [start];
  const sole = (l: Layer): Layer | undefined => {
    const cs = consumers.get(l.id) ?? [];
    if (cs.length !== 1 || outputs.has(l.id)) return undefined;
    const n = layers.get(cs[0]);
    return n && !consumed.has(n.id) && n.inputs.length === 1 ? n : undefined;
  };
  for (;;) {
    const last = run[run.length - 1];
    const next = sole(last);
    if (!next) break;
    if (last.kind === "affine" && next.kind === "act" && next.fn === "relu") run.push(next);
    else if (last.kind === "act" && next.kind === "affine" && next.shape.length === 1) run.push(next);
    else break;
  }
  if (!run.some((l) => l.kind === "act")) return undefined;
  return { layers: run, source, width: srcShape[0], exit: run[run.length - 1] };
}

/** Apply the form rules to a fixed point. */
export function rewrite(f: Lin, v: SymView, o: LiftOptions): Lin {
  let cur = f;
  for (let round = 0; round < 64; round++) {
    let changed = false;
    for (const r of o.rules) {
      const next = r.form?.(cur, v, o.ctx);
      if (next) {
        cur = v.snapZeros(next, Math.max(maxCoef(next), 1e-30));
        changed = true;
      }
    }
    if (!changed) break;
  }
  return cur;
}

/** Lift a slice into the view: the forms of its output entries (after the vector rules). */
export function liftSlice(s: ReluSlice, v: SymView, o: LiftOptions): Lin[] {
  let cur: Lin[] = Array.from({ length: s.width }, (_, i) => {
    const b = o.box ?? (o.seen ? { lo: o.seen.lo[i], hi: o.seen.hi[i] } : undefined);
    const a = v.atom("src", [], [], { src: { value: s.source, index: i }, ...(b ? { lo: b.lo, hi: b.hi } : {}) });
    return atomLin(a.id);
  });
  for (let li = 0; li < s.layers.length; li++) {
    const l = s.layers[li];
    if (l.kind !== "affine") continue;
    const act = s.layers[li + 1]?.kind === "act" ? s.layers[li + 1] : undefined;
    const pres = affineForms(l, cur, v);
    const dead = act && o.stats ? statsFor(o.stats, act.id)?.neverActive : undefined;
    const preMin = act && o.stats ? statsFor(o.stats, l.id)?.min : undefined;
    cur = pres.map((pre, j) => {
      const f = rewrite(pre, v, o);
      return act ? reluOf(f, act.id, j, v, dead?.[j] ?? false, (preMin?.[j] ?? -1) >= 0, !o.box) : f;
    });
  }
  cur = cur.map((f) => rewrite(f, v, o));
  for (let round = 0; round < 8; round++) {
    let changed = false;
    for (const r of o.rules) {
      const next = r.vector?.(cur, v, o.ctx);
      if (next) {
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
