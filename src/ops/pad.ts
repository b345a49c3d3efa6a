// Pad: grow (or, with negative pads, crop) each axis; constant, reflect, edge or wrap fill.
import type { Dim, Node } from "../graph/graph.ts";
import { OpError } from "../errors.ts";
import { allocData, roundHalf, sizeOf, stridesOf, type Tensor } from "../graph/tensor.ts";
import { attrFloat, attrInts, attrString, type Op, type OpCtx } from "./op.ts";
import { foldable, info, intsOf, need, normAxes, scalarOf, type Cells } from "./util/shaping.ts";

type PadMode = "constant" | "reflect" | "edge" | "wrap";

/** Per-axis [begin, end] pads for every axis of a rank-`rank` input. */
function padsOf(ctx: OpCtx, rank: number, vals: (Tensor | undefined)[]): [number, number][] | undefined {
  const node = ctx.node;
  let raw: number[] | undefined;
  let axes: number[] | undefined;
  if (ctx.opset < 11) raw = attrInts(node, ctx.opset < 2 ? "paddings" : "pads");
  else {
    if (!vals[1]) return undefined;
    raw = intsOf(node, vals[1], "pads");
    if (vals[3]) axes = intsOf(node, vals[3], "axes");
  }
  if (!raw) throw new OpError(node, "the pads are required");
  const ax = axes ? normAxes(node, axes, rank) : Array.from({ length: rank }, (_, i) => i);
  if (raw.length !== 2 * ax.length) {
    throw new OpError(node, `pads has ${raw.length} entries; expected ${2 * ax.length} (begin and end for each of ${ax.length} axes)`);
  }
  const out: [number, number][] = Array.from({ length: rank }, () => [0, 0]);
  ax.forEach((a, k) => (out[a] = [raw[k], raw[k + ax.length]]));
  return out;
}

/** The padding mode, checked. */
function modeOf(node: Node): PadMode {
  const m = attrString(node, "mode", "constant");
  if (m !== "constant" && m !== "reflect" && m !== "edge" && m !== "wrap") {
    throw new OpError(node, `mode '${m}' is not one of constant, reflect, edge, wrap`);
  }
  return m;
}

/**
 * For each output coordinate along one axis, the input coordinate it reads (-1 = the constant).
 * Negative pads crop first; the fill modes then see the cropped axis, as onnxruntime does.
 */
function axisMap(node: Node, dim: number, begin: number, end: number, mode: PadMode): Int32Array {
  const off = Math.max(0, -begin);
  const kept = dim - off - Math.max(0, -end);
  const b = Math.max(0, begin);
  const outDim = kept + b + Math.max(0, end);
  if (kept < 0 || outDim < 0) throw new OpError(node, `pads [${begin}, ${end}] crop more than the axis length ${dim}`);
  if (kept === 0 && mode !== "constant" && outDim > 0) {
    throw new OpError(node, `cannot ${mode}-pad an empty axis`);
  }
  const map = new Int32Array(outDim);
  for (let o = 0; o < outDim; o++) {
    let i = o - b;
    if (i < 0 || i >= kept) {
      if (mode === "constant") {
        map[o] = -1;
        continue;
      }
      if (mode === "edge") i = i < 0 ? 0 : kept - 1;
      else if (mode === "wrap") i = ((i % kept) + kept) % kept;
      else if (kept === 1) i = 0;
      else {
        const p = 2 * (kept - 1);
        i = ((i % p) + p) % p;
        if (i >= kept) i = p - i;
      }
    }
    map[o] = off + i;
  }
  return map;
}

/** The fill value for constant mode: an attribute before opset 11, the optional third input after. */
function fillValue(ctx: OpCtx, vals: (Tensor | undefined)[]): number | string {
  if (ctx.opset < 11) return attrFloat(ctx.node, "value", 0);
  const v = vals[2];
  if (!v || sizeOf(v.shape) === 0) return 0;
  if (v.dtype === "string") return (v.data as string[])[0];
  return scalarOf(ctx.node, v, "constant_value");
}

export const pad: Op = foldable({
  name: "Pad",
  shape(inputs, ctx) {
    const x = need(ctx.node, inputs, 0, "data");
    if (!x.shape) return [info(x.dtype, null)];
    const shape = x.shape;
    const unknownAxes = ctx.opset >= 11 && inputs[3] !== undefined && !inputs[3].value;
    const pads = unknownAxes ? undefined : padsOf(ctx, shape.length, inputs.map((i) => i?.value));
    if (!pads) return [info(x.dtype, shape.map(() => null))];
    return [info(x.dtype, shape.map((d, i): Dim => {
      const [b, e] = pads[i];
      if (typeof d === "number") return d + b + e;
      return b === 0 && e === 0 ? d : null;
    }))];
  },
  run(inputs, ctx) {
    const node = ctx.node;
    const x = need(node, inputs, 0, "data");
    if (ctx.opset >= 11) need(node, inputs, 1, "pads");
    const rank = x.shape.length;
    const pads = padsOf(ctx, rank, inputs)!;
    const mode = modeOf(node);
    const maps = x.shape.map((d, a) => axisMap(node, d, pads[a][0], pads[a][1], mode));
    const shape = maps.map((m) => m.length);
    const data = allocData(x.dtype, sizeOf(shape));
    const src: Cells = x.data;
    const dst: Cells = data;
    if (mode === "constant") {
      let v = fillValue(ctx, inputs);
      if (x.dtype === "float16" && typeof v === "number") v = roundHalf(v);
      if (v !== 0) for (let i = 0; i < data.length; i++) dst[i] = v;
    }
    if (data.length === 0) return [{ dtype: x.dtype, shape, data }];
    if (rank === 0) {
      dst[0] = src[0];
      return [{ dtype: x.dtype, shape, data }];
    }
    const st = stridesOf(x.shape);
    const last = maps[rank - 1];
    const rows = data.length / last.length;
    const counter = new Array<number>(rank - 1).fill(0);
    for (let r = 0; r < rows; r++) {
      let base = 0;
      let inside = true;
      for (let a = 0; a < rank - 1; a++) {
        const m = maps[a][counter[a]];
        if (m < 0) inside = false;
        base += m * st[a];
      }
      if (inside) {
        const o = r * last.length;
        for (let k = 0; k < last.length; k++) if (last[k] >= 0) dst[o + k] = src[base + last[k]];
      }
      for (let a = rank - 2; a >= 0; a--) {
        if (++counter[a] < shape[a]) break;
        counter[a] = 0;
      }
    }
    return [{ dtype: x.dtype, shape, data }];
  },
});
