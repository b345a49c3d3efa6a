// Unit provenance on slices: after simplify passes removed, merged or reordered units, a slice's unit indices
// name units of the simplified Net; `origin` adds the lowered Net's unit ids they stand for (Layer.unitOrigin),
// so the zoo scorer and reports can still name the original units.
import type { Net } from "../net/net.ts";
import type { NetSlice } from "./program.ts";

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
