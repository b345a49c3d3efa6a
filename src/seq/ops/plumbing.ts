// The small tensor operations around sequence blocks, named: transpose (batch-first <-> time-first), cast, zeros of
// a shape read off a value (initial recurrent states), and positions (0..n-1 along a sequence, for position embeddings).
import type { SeqDef } from "../defs.ts";
import { tensor } from "../../graph/tensor.ts";

const DTYPE_NAMES: Record<number, string> = { 1: "float32", 2: "uint8", 3: "int8", 6: "int32", 7: "int64", 9: "bool", 10: "float16", 11: "float64" };

export const transposeDef: SeqDef = {
  kind: "transpose",
  op: "TransposeAxes",
  doc: "the axes of x permuted (batch axis included as 0)",
  data: 1,
  weights: [],
  expand: (e, [x], a) => [e.one("Transpose", [x], { perm: { kind: "ints", value: a.perm as number[] } })],
  print: ([x], a) => `transpose(${x}, ${(a.perm as number[]).join(", ")})`,
};

export const castDef: SeqDef = {
  kind: "cast",
  op: "CastTo",
  doc: "x converted to another number type",
  data: 1,
  weights: [],
  expand: (e, [x], a) => [e.one("Cast", [x], { to: { kind: "int", value: a.to as number } })],
  print: ([x], a) => `${DTYPE_NAMES[a.to as number] ?? `dtype${a.to}`}(${x})`,
};

/** dims: a number is that size; -1 - k is dim k of x (a run-time size such as the batch). */
export const zerosDef: SeqDef = {
  kind: "zeros",
  op: "ZerosOfShape",
  doc: "a tensor of zeros whose dims are numbers or dims of x",
  data: 1,
  weights: [],
  expand(e, [x], a) {
    const shape = e.one("Shape", [x]);
    const parts = (a.dims as number[]).map((d) => {
      if (d >= 0) return e.constant(tensor("int64", [1], [d]));
      return e.one("Gather", [shape, e.constant(tensor("int64", [1], [-1 - d]))], { axis: { kind: "int", value: 0 } });
    });
    const dims = e.one("Concat", parts, { axis: { kind: "int", value: 0 } });
    return [e.one("ConstantOfShape", [dims], { value: { kind: "tensor", value: tensor("float32", [1], [0]) } })];
  },
  print: ([x], a) => `zeros(${(a.dims as number[]).map((d) => (d >= 0 ? String(d) : `dim(${x}, ${-1 - d})`)).join(", ")})`,
};

/** positions(x) = [0, 1, ..., n-1] with n = dim `axis` of x, as int64 [1, n] (or x's shape when expand); with a
 *  KV cache `past`, p, ..., p+n-1 where p = dim `past_axis` of past (the positions already seen). */
export const positionsDef: SeqDef = {
  kind: "positions",
  op: "Positions",
  doc: "0, 1, ..., n-1 along the sequence axis of x (the position ids of a position embedding), after a cache's p",
  data: 2,
  weights: [],
  expand(e, [x, past], a) {
    const c = (v: number) => e.constant(tensor("int64", [], [v]));
    const shape = e.one("Shape", [x]);
    const n = e.one("Gather", [shape, c(a.axis as number)], { axis: { kind: "int", value: 0 } });
    const p0 = past ? e.one("Gather", [e.one("Shape", [past]), c(a.past_axis as number)], { axis: { kind: "int", value: 0 } }) : c(0);
    const r = e.one("Range", [p0, past ? e.one("Add", [p0, n]) : n, c(1)]);
    const u = e.unsqueeze(r, 0);
    return [a.expand ? e.one("Expand", [u, shape]) : u];
  },
  print: ([x, past], a) => `positions(${x}${a.axis !== 1 ? `, axis=${a.axis}` : ""}${past ? `, after=dim(${past}, ${a.past_axis})` : ""})`,
};

/** unsqueeze(x, axes): size-1 axes inserted (a mask [b, n] made [b, 1, 1, n] to broadcast over heads and queries). */
export const unsqueezeDef: SeqDef = {
  kind: "unsqueeze",
  op: "UnsqueezeAxes",
  doc: "x with size-1 axes inserted",
  data: 1,
  weights: [],
  expand(e, [x], a) {
    let y = x;
    for (const ax of a.axes as number[]) y = e.unsqueeze(y, ax);
    return [y];
  },
  print: ([x], a) => `unsqueeze(${x}, ${(a.axes as number[]).join(", ")})`,
};

/** squeeze(x, axes): size-1 axes removed (a one-direction RNN's direction axis). */
export const squeezeDef: SeqDef = {
  kind: "squeeze",
  op: "SqueezeAxes",
  doc: "x with size-1 axes removed",
  data: 1,
  weights: [],
  expand(e, [x], a) {
    let y = x;
    for (const ax of [...(a.axes as number[])].sort((p, q) => q - p)) y = e.squeeze(y, ax);
    return [y];
  },
  print: ([x], a) => `squeeze(${x}, ${(a.axes as number[]).join(", ")})`,
};

/** x + c with a constant tensor c (a position embedding computed at export time, a bias). */
export const addWeightDef: SeqDef = {
  kind: "add_const",
  op: "AddConst",
  doc: "x plus a constant tensor (numpy broadcasting)",
  data: 1,
  weights: ["c"],
  expand: (e, [x, c]) => [e.one("Add", [x, c])],
  print: ([x], _a, w) => `${x} + ${w.c}`,
};

/** concat(a, b, ..., axis): the parts side by side along one axis (a KV cache: past keys then new keys). */
export const concatDef: SeqDef = {
  kind: "concat_axis",
  op: "ConcatAxis",
  doc: "the inputs joined along one axis (batch axis included as 0)",
  data: 8,
  weights: [],
  expand: (e, ins, a) => [e.one("Concat", ins.slice(0, 8).filter(Boolean), { axis: { kind: "int", value: a.axis as number } })],
  print: (args, a) => `concat(${args.filter(Boolean).join(", ")}, axis=${a.axis})`,
};

/** not(x) on booleans (masked_fill's ~mask: true where the mask hides a key). */
export const notDef: SeqDef = {
  kind: "not",
  op: "NotBool",
  doc: "logical not of a boolean tensor",
  data: 1,
  weights: [],
  expand: (e, [x]) => [e.one("Not", [x])],
  print: ([x]) => `not ${x}`,
};
