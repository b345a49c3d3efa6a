// Where a Net's values lie, for carve's exact rewrites (free weights on inputs that are always 0, skip connections
// read back where a conv's activation is the identity): over the box by interval bounds (proven), or without a box
// on every row we have (observed: the same evidence simplify's always-on and dead-units passes use then).
import type { Tensor } from "../graph/tensor.ts";
import type { Net } from "../net/net.ts";
import { runNet } from "../net/run.ts";
import type { BoxDomain } from "../passes/simplify.ts";
import { intervalBounds, type Interval } from "../verify/bounds.ts";

/** The evidence: a box domain, or row sets (per Net input name) that are all the data there is. */
export type RangeEvidence = { kind: "box"; box: BoxDomain } | { kind: "rows"; rows: Record<string, Tensor>[] };

/** Per value id, its range over the evidence (lazily, cached for this Net); undefined when it cannot be had. */
export type RangeOf = (id: string) => Interval | undefined;

/** Interval bounds over every layer cost about one forward pass per layer; past this many weights they are skipped. */
const BOUNDS_WEIGHTS = 4_000_000;

function weights(net: Net): number {
  let n = 0;
  for (const l of net.layers) if (l.kind === "affine") n += l.W.length;
  return n;
}

/** Ranges of the values of `net` over the evidence. */
export function rangesOf(net: Net, ev: RangeEvidence): RangeOf {
  if (ev.kind === "box") {
    let all: Map<string, Interval> | undefined;
    const big = weights(net) > BOUNDS_WEIGHTS;
    return (id) => (big ? undefined : (all ??= intervalBounds(net, ev.box)).get(id));
  }
  const seen = new Map<string, Interval | undefined>();
  return (id) => {
    if (seen.has(id)) return seen.get(id);
    let lo: Float64Array | undefined, hi: Float64Array | undefined;
    for (const rows of ev.rows) {
      const input = net.inputs.find((i) => i.name === id);
      const t = input ? rows[id] : runNet(net, rows, { keep: [id] }).activations[id];
      if (!t) { seen.set(id, undefined); return undefined; }
      const d = t.data as ArrayLike<number>, per = t.shape.slice(1).reduce((a, b) => a * b, 1);
      lo ??= new Float64Array(per).fill(Infinity);
      hi ??= new Float64Array(per).fill(-Infinity);
      for (let i = 0; i < d.length; i++) {
        const u = i % per, v = Number(d[i]);
        if (v < lo[u]) lo[u] = v;
        if (v > hi[u]) hi[u] = v;
      }
    }
    const iv = lo && hi ? { lo, hi } : undefined;
    seen.set(id, iv);
    return iv;
  };
}
