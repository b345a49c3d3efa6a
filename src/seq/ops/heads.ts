// Heads: split_heads(x, H) turns [b, n, H*d] into [b, H, n, d] (kT=1: [b, H, d, n], the keys already transposed
// for q @ kT); merge_heads(a) turns [b, H, n, d] back into [b, n, H*d].
import type { SeqDef } from "../defs.ts";
import { tensor } from "../../graph/tensor.ts";

const i64 = (v: number[]) => tensor("int64", [v.length], v);

export const splitHeadsDef: SeqDef = {
  kind: "split_heads",
  op: "SplitHeads",
  doc: "[b, n, H*d] -> [b, H, n, d] (or [b, H, d, n] when kT): one slice of the features per head",
  data: 1,
  weights: [],
  expand(e, [x], a) {
    const r = e.one("Reshape", [x, e.constant(i64([0, 0, a.heads as number, -1]))]);
    return [e.one("Transpose", [r], { perm: { kind: "ints", value: a.kT ? [0, 2, 3, 1] : [0, 2, 1, 3] } })];
  },
  print: ([x], a) => `split_heads(${x}, heads=${a.heads}${a.kT ? ", transposed" : ""})`,
};

export const mergeHeadsDef: SeqDef = {
  kind: "merge_heads",
  op: "MergeHeads",
  doc: "[b, H, n, d] -> [b, n, H*d]: the heads' outputs side by side",
  data: 1,
  weights: [],
  expand(e, [x]) {
    const t = e.one("Transpose", [x], { perm: { kind: "ints", value: [0, 2, 1, 3] } });
    return [e.one("Reshape", [t, e.constant(i64([0, 0, -1]))])];
  },
  print: ([x]) => `merge_heads(${x})`,
};
