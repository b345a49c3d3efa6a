// Small helpers the simplify passes share for editing a Net: who reads a layer, fresh ids, unit provenance,
// dropping layers nothing reads any more, and the counts every simplify report gives (units, weights).
import type { Layer, Net } from "../net/net.ts";
import { unitCount, unitId } from "../net/net.ts";

/** Layer id (or Net input name) -> ids of the layers that read it. */
export function consumersOf(net: Net): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const l of net.layers) for (const i of l.inputs) m.set(i, [...(m.get(i) ?? []), l.id]);
  return m;
}

/** Ids whose value is a Net output: their units and values must not change. */
export function outputIds(net: Net): Set<string> {
  return new Set(net.outputs.map((o) => o.from));
}

/** A layer id not used in the Net (and not a Net input name), built from `want`. */
export function freshId(net: Net, want: string): string {
  const taken = new Set([...net.layers.map((l) => l.id), ...net.inputs.map((i) => i.name)]);
  let id = want;
  for (let k = 2; taken.has(id); k++) id = `${want}_${k}`;
  return id;
}

/** Per unit, the lowered Net's unit ids this unit stands for (the default when unitOrigin is absent). */
export function originOf(l: Layer): string[][] {
  if (l.unitOrigin) return l.unitOrigin;
  return Array.from({ length: unitCount(l) }, (_, i) => [unitId(l, i)]);
}

/** Remove layers whose value nothing reads and no output names (repeatedly), keeping order. */
export function dropUnused(net: Net): Net {
  let layers = net.layers;
  for (;;) {
    const read = new Set([...layers.flatMap((l) => l.inputs), ...net.outputs.map((o) => o.from)]);
    const kept = layers.filter((l) => read.has(l.id));
    if (kept.length === layers.length) return { ...net, layers };
    layers = kept;
  }
}

/** Replace layers by id (same position), insert new layers right before a given id, and drop unused ones. */
export function editNet(net: Net, replace: ReadonlyMap<string, Layer>, insertBefore: ReadonlyMap<string, Layer[]> = new Map()): Net {
  const layers: Layer[] = [];
  for (const l of net.layers) {
    for (const extra of insertBefore.get(l.id) ?? []) layers.push(extra);
    layers.push(replace.get(l.id) ?? l);
  }
  return dropUnused({ ...net, layers });
}

/** Is this activation positively homogeneous (f(s z) = s f(z) for s > 0), so unit scales can move across it? */
export function positiveHomogeneous(l: Layer): boolean {
  return l.kind === "act" && (l.fn === "relu" || l.fn === "leaky_relu" || l.fn === "identity");
}

/** Hidden units: units of affine/conv layers whose value feeds a (non-identity) activation. */
export function hiddenUnits(net: Net): number {
  return hiddenLayers(net).reduce((a, l) => a + unitCount(l), 0);
}

/** Hidden neurons: like hiddenUnits, but a conv channel counts once per output position (a dense layer written
 *  from a convolution then compares one to one with the convolution). */
export function hiddenNeurons(net: Net): number {
  return hiddenLayers(net).reduce((a, l) => a + l.shape.reduce((p, d) => p * Math.max(d, 0), 1), 0);
}

function hiddenLayers(net: Net): Layer[] {
  const cons = consumersOf(net);
  const byId = new Map(net.layers.map((l) => [l.id, l]));
  return net.layers.filter((l) => (l.kind === "affine" || l.kind === "conv") && (cons.get(l.id) ?? []).some((c) => {
    const x = byId.get(c);
    return x?.kind === "act" && x.fn !== "identity";
  }));
}

/** Non-zero parameters (weights and biases) of the affine and conv layers. */
export function nonzeroWeights(net: Net): number {
  let n = 0;
  const count = (a: Float32Array) => {
    for (let i = 0; i < a.length; i++) if (a[i] !== 0) n++;
  };
  for (const l of net.layers) {
    if (l.kind === "affine") {
      count(l.W);
      count(l.b);
    } else if (l.kind === "conv") {
      count(l.weight);
      count(l.bias);
    }
  }
  return n;
}
