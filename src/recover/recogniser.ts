// The recogniser contract: a function from a Net slice (starting at one layer) to a Primitive, or nothing.
// The builder (src/program/build.ts) walks the Net in order and asks the registry's recognisers, first
// match wins; a match consumes one or more layers and becomes one statement.
import type { Layer, Net } from "../net/net.ts";
import type { NetSlice, PrimOp, Weight } from "../program/program.ts";
import type { NetStats } from "../passes/stats.ts";

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
