// slice(x, axis, start, end) = x[..., start:end, ...] along one axis (axis counts the batch axis as 0): the parts
// of a fused QKV projection, or the keys and values of a KV cache.
import type { SeqDef } from "../defs.ts";

export const sliceDef: SeqDef = {
  kind: "slice",
  op: "SliceAxis",
  doc: "x[..., start:end, ...] along one axis",
  data: 1,
  weights: [],
  expand(e, [x], a) {
    const s = e.slice(x, a.axis as number, a.start as number, a.end as number);
    return [a.squeeze ? e.squeeze(s, a.axis as number) : s];
  },
  print([x], a) {
    const axis = a.axis as number;
    const idx = a.squeeze ? String(a.start) : `${a.start}:${a.end}`;
    return axis < 0 ? `${x}[${"..., "}${idx}${axis === -1 ? "" : `, ${Array(-axis - 1).fill(":").join(", ")}`}]` : `${x}[${[...Array(axis).fill(":"), idx].join(", ")}]`;
  },
};
