// Unit provenance on slices: after simplify passes removed, merged or reordered units, a slice's unit indices
// name units of the simplified Net; `origin` adds the lowered Net's unit ids they stand for (Layer.unitOrigin),
// so the zoo scorer and reports can still name the original units.
import type { Net } from "../net/net.ts";
import type { NetSlice, Program } from "./program.ts";

/** The slice with `origin` on every layer entry whose layer carries unit provenance. */
export function withOrigin(net: Net, slice: NetSlice): NetSlice {
  const byId = new Map(net.layers.map((l) => [l.id, l]));
  if (!slice.layers.some((e) => byId.get(e.id)?.unitOrigin)) return slice;
  return {
    ...slice,
    layers: slice.layers.map((e) => {
      const o = byId.get(e.id)?.unitOrigin;
      if (!o) return e;
      const units = e.units ?? o.map((_, i) => i);
      return { ...e, origin: units.flatMap((u) => o[u] ?? []) };
    }),
  };
}

/** Every slice of a program (primitives' and calls') with `origin` where its layers carry unit provenance. */
export function programWithOrigin<P extends Program>(net: Net, p: P): P {
  if (!net.layers.some((l) => l.unitOrigin)) return p;
  return {
    ...p,
    functions: p.functions.map((f) => ({
      ...f,
      body: f.body.map((s) => (s.kind === "prim" ? { ...s, prim: { ...s.prim, slice: withOrigin(net, s.prim.slice) } } : s.slice ? { ...s, slice: withOrigin(net, s.slice) } : s)),
    })),
  };
}
