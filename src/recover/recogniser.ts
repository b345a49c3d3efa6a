// The recogniser contracts. Two kinds, both listed in registry.ts (adding one = one file + one registry line):
//
// 1. SliceRecogniser: a rewrite rule over the symbolic view of a ReLU slice (symbolic.ts). The builder cuts
//    the Net into slices (runs of affine -> relu -> affine ... layers, slice.ts) and lifts each, layer by
//    layer, into affine forms over atoms: `pre = sum_k c_k * atom_k + c`, where an atom is an entry of a value
//    feeding the slice (`x[0]`), a unit nothing explained yet (`relu(form)`, interned up to positive scale, so
//    split copies and rescaled units are one atom) or a primitive an earlier rule named (abs, max, clamp, ...).
//    A rule sees SETS OF UNITS, not layers: any atoms of the form, from any earlier layer, with the values that
//    feed them. `form` rules rewrite one form at a time (every unit's pre-activation and every slice output,
//    to a fixed point); `vector` rules see the slice's outputs together (sort, one-hot, truth tables). A rule
//    consumes atoms (their units go to the atom it makes) and returns the rewritten form(s); the view records
//    what tolerance it used (`v.note`), and the builder measures the named slice against the Net afterwards
//    (exact: rounding level; else the rest of the slice stays as a stated residual). Units nothing consumed stay
//    explicit arithmetic `relu(W @ v + b)` on their few units. A slice where nothing fired is written layer by
//    layer as before. Example, the whole of a rule (the max/min file has the real one):
//
//      // a + relu(b - a) = max(a, b)
//      export const maxRule: SliceRecogniser = {
//        name: "max", doc: "...", identity: "a + relu(b - a) = max(a, b)",
//        form(f, v) {
//          for (const [id, c] of f.t) {                       // c * atom in the form
//            const d = differenceOf(v.at(id), v);             // relu(b - a)?  (a helper of your file)
//            if (!d || !near(f.t.get(d.a) ?? 0, c, v)) continue;
//            const m = v.atom("max", [d.aForm, d.bForm], [], { units: v.at(id).units });
//            const out = copyLin(f); out.t.delete(id); out.t.delete(d.a); out.t.set(m.id, c);
//            return out;                                       // c*a + c*relu(b - a) -> c*max(a, b)
//          }
//        },
//      };
//
//    A new kind of value (threshold, logic, piecewise, ...) also needs its AtomKind (atom-kinds.ts: how to
//    evaluate it and which statement it becomes).
//
// 2. Recogniser (layer recogniser): the fallback, a function from a start layer to a Primitive; the builder
//    walks layers nothing slice-level named and asks these in order, first match wins; a match consumes one or
//    more whole layers (an affine layer and its activation) and becomes one statement.
//
// The same rules reach two more places: module functions (module-bodies.ts runs the flat builder, slice rules
// included, on each function body, after moving main's output rows into the function when they split by call),
// and convolutions (conv-abs.ts rewrites channel pairs relu(conv(x, K)) + relu(conv(x, -K)) into abs(conv(x, K))
// before the builder writes the Net; the layer recognisers then print it).
import type { Layer, Net } from "../net/net.ts";
import type { NetSlice, PrimOp, Weight } from "../program/program.ts";
import type { NetStats } from "../passes/stats.ts";
import type { Lin, SymView } from "./symbolic.ts";

/** What a slice recogniser may look at besides the view: the Net, probe statistics, the domain. */
export interface SliceCtx {
  net: Net;
  stats?: NetStats;
  /** Whether the slice's sources are 0/1 (a bits domain). */
  bits: boolean;
}

/** A rewrite rule over the symbolic view of a ReLU slice (see the top of this file). */
export interface SliceRecogniser {
  name: string;
  /** One line: what it finds. */
  doc: string;
  /** The identity it relies on, e.g. "a + relu(b - a) = max(a, b)". */
  identity: string;
  /** Rewrite one affine form (a unit's pre-activation or a slice output); undefined when nothing applies. */
  form?(f: Lin, v: SymView, ctx: SliceCtx): Lin | undefined;
  /** Rewrite the slice's outputs together; undefined when nothing applies. */
  vector?(fs: Lin[], v: SymView, ctx: SliceCtx): Lin[] | undefined;
  /** The reading rests on the analysis data (a fit, a unit two-valued on the samples), not on an identity: it is
   *  tried only where no proven rule names the slice's outputs together (sort, one-hot argmax). */
  observed?: boolean;
}

/** What a recogniser may look at besides the start layer. */
export interface RecogniseCtx {
  net: Net;
  layers: ReadonlyMap<string, Layer>;
  /** Layer id -> ids of the layers that read it. */
  consumers: ReadonlyMap<string, readonly string[]>;
  /** Ids of layers whose value is a Net output. */
  outputs: ReadonlySet<string>;
  /** Layers already turned into statements. */
  consumed: ReadonlySet<string>;
  /** Probe statistics of the analysis data, when the pipeline ran probe. */
  stats?: NetStats;
  /** A fresh weight name: prefix + the next index of the program's weight counter, e.g. W3 / b3. */
  weightIndex(): number;
  /** A fresh index for names like opaque_k. */
  nextIndex(kind: string): number;
}

/** A match: the primitive, the layers it stands for (last one = its value) and what feeds it. */
export interface Recognised {
  op: PrimOp;
  /** Layers replaced, in order; the value of the last is the statement's value. */
  layers: string[];
  /** Layer ids or Net input names feeding the statement, in argument order. */
  args: string[];
  slice: NetSlice;
  /** Largest difference between primitive and slice on the analysis data; 0 when exact. */
  error?: number;
  label?: string;
  description?: string;
  /** Shown after `#` in program.txt. */
  comment?: string;
}

export interface Recogniser {
  name: string;
  /** One line: what it finds and why it is faithful. */
  doc: string;
  match(start: Layer, ctx: RecogniseCtx): Recognised | undefined;
}

/** A float32 weight tensor named for the program. */
export function weight(name: string, shape: number[], data: Float32Array): Weight {
  return { name, shape, data };
}

/** The single consumer of a layer, when it has exactly one and is not itself an output. */
export function soleConsumer(id: string, ctx: RecogniseCtx): Layer | undefined {
  const cs = ctx.consumers.get(id) ?? [];
  if (cs.length !== 1 || ctx.outputs.has(id)) return undefined;
  return ctx.layers.get(cs[0]);
}
