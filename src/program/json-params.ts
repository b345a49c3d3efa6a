// Per-kind primitive params in program.json: weights by name, opaque graphs as JSON graphs.
import type { ActFn } from "../net/net.ts";
import { arr, bool, FormatError, int, ints, numb, numJson, nums, obj, oneOf, opt, str, type JsonObj } from "./json-check.ts";
import { graphFromJson, graphToJson, type TensorStore } from "./json-tensor.ts";
import { SEQ_KINDS } from "../seq/defs.ts";
import { isSeqKind, seqParamsFromJson, seqParamsToJson } from "./seq-prim.ts";
import { machineFromJson, machineToJson } from "./json-machine.ts";
import type { ActSpec, PoolParams, PrimKind, PrimOp, Weight } from "./program.ts";

export const PRIM_KINDS: readonly PrimKind[] = [
  "affine", "conv", "act", "maxpool", "avgpool", "global_maxpool", "global_avgpool", "softmax", "log_softmax",
  "argmax", "reshape", "add", "concat", "opaque", "max", "min", "sort", "threshold", "logic", "piecewise", ...SEQ_KINDS,
  "pick", "lincomb", "onehot", "machine",
];

export const ACT_FNS: readonly ActFn[] = ["relu", "leaky_relu", "sigmoid", "tanh", "gelu", "gelu_tanh", "exp", "abs", "clip", "identity"];

function actToJson(a: ActSpec): JsonObj {
  const o: JsonObj = { fn: a.fn };
  if (a.alpha !== undefined) o.alpha = numJson(a.alpha);
  if (a.min !== undefined) o.min = numJson(a.min);
  if (a.max !== undefined) o.max = numJson(a.max);
  return o;
}

function actFromJson(v: unknown, path: string): ActSpec {
  const o = obj(v, path);
  const a: ActSpec = { fn: oneOf(o.fn, `${path}.fn`, ACT_FNS) };
  const alpha = opt(o, "alpha", numb, path), min = opt(o, "min", numb, path), max = opt(o, "max", numb, path);
  if (alpha !== undefined) a.alpha = alpha;
  if (min !== undefined) a.min = min;
  if (max !== undefined) a.max = max;
  return a;
}

/** The params of a primitive as JSON (weights by name). */
export function paramsToJson(p: PrimOp, store: TensorStore = {}, id = ""): JsonObj {
  if (isSeqKind(p.kind)) return seqParamsToJson(p.params as import("./program.ts").SeqParams);
  switch (p.kind) {
    case "affine": {
      const o: JsonObj = { W: p.params.W.name, b: p.params.b.name };
      if (p.params.act) o.act = actToJson(p.params.act);
      return o;
    }
    case "conv": {
      const c = p.params;
      const o: JsonObj = {
        weight: c.weight.name, bias: c.bias.name, kernel: c.kernel, strides: c.strides, pads: c.pads, dilations: c.dilations, groups: c.groups,
      };
      if (c.act) o.act = actToJson(c.act);
      return o;
    }
    case "act": return actToJson(p.params);
    case "opaque": {
      const opset: JsonObj = {};
      for (const [d, v] of p.params.opset) opset[d] = v;
      return { graph: graphToJson(p.params.graph, store, `opaque.${id}.`), opset, ops: [...p.params.ops], reason: p.params.reason, perSample: p.params.perSample };
    }
    case "threshold": return { c: p.params.c.name, strict: p.params.strict };
    case "piecewise": return { breakpoints: p.params.breakpoints.map(numJson), slopes: p.params.slopes.map(numJson), value0: numJson(p.params.value0) };
    case "pick": return { indices: [...p.params.indices] };
    case "lincomb": return { coefs: p.params.coefs.map(numJson), bias: numJson(p.params.bias) };
    case "onehot": return { n: p.params.n };
    case "machine": return machineToJson(p.params, store, id);
    default: return { ...p.params } as JsonObj;
  }
}

function poolFromJson(o: JsonObj, path: string): PoolParams {
  return {
    kernel: ints(o.kernel ?? [], `${path}.kernel`, 1), strides: ints(o.strides ?? [], `${path}.strides`, 1),
    pads: ints(o.pads ?? [], `${path}.pads`, 0), dilations: ints(o.dilations ?? [], `${path}.dilations`, 1),
    ceilMode: bool(o.ceilMode ?? false, `${path}.ceilMode`), countIncludePad: bool(o.countIncludePad ?? false, `${path}.countIncludePad`),
  };
}

/** Parse the params of a primitive of a given kind; `weight` resolves a weight name. */
export function paramsFromJson(kind: PrimKind, v: unknown, path: string, weight: (x: unknown, path: string) => Weight, store: TensorStore = {}): PrimOp {
  if (isSeqKind(kind)) return seqParamsFromJson(kind, v, path, weight);
  const o = obj(v, path);
  const act = opt(o, "act", actFromJson, path);
  switch (kind) {
    case "affine": {
      const W = weight(o.W, `${path}.W`), b = weight(o.b, `${path}.b`);
      return { kind, params: act ? { W, b, act } : { W, b } };
    }
    case "conv": {
      const params = {
        weight: weight(o.weight, `${path}.weight`), bias: weight(o.bias, `${path}.bias`),
        kernel: ints(o.kernel, `${path}.kernel`, 1), strides: ints(o.strides, `${path}.strides`, 1),
        pads: ints(o.pads, `${path}.pads`, 0), dilations: ints(o.dilations, `${path}.dilations`, 1), groups: int(o.groups, `${path}.groups`, 1),
      };
      return { kind, params: act ? { ...params, act } : params };
    }
    case "act": return { kind, params: actFromJson(o, path) };
    case "maxpool": case "avgpool": case "global_maxpool": case "global_avgpool": return { kind, params: poolFromJson(o, path) };
    case "softmax": case "log_softmax": case "concat": return { kind, params: { axis: int(o.axis, `${path}.axis`, 0) } };
    case "argmax": return {
      kind,
      params: { axis: int(o.axis, `${path}.axis`, 0), keepdims: bool(o.keepdims, `${path}.keepdims`), selectLastIndex: bool(o.selectLastIndex ?? false, `${path}.selectLastIndex`) },
    };
    case "reshape": return { kind, params: { shape: ints(o.shape, `${path}.shape`, 0) } };
    case "add": case "max": case "min": return { kind, params: {} };
    case "opaque": {
      const opset = new Map<string, number>();
      for (const [d, ver] of Object.entries(obj(o.opset, `${path}.opset`))) opset.set(d, int(ver, `${path}.opset.${d}`, 1));
      const graph = graphFromJson(o.graph, `${path}.graph`, store);
      if (graph.outputs.length === 0) throw new FormatError(`${path}.graph.outputs`, "an opaque graph needs at least one output");
      return {
        kind, params: { graph, opset, ops: arr(o.ops ?? [], `${path}.ops`).map((s, i) => str(s, `${path}.ops[${i}]`)), reason: str(o.reason ?? "", `${path}.reason`),
          perSample: bool(o.perSample ?? true, `${path}.perSample`),
        },
      };
    }
    case "sort": return { kind, params: { descending: bool(o.descending, `${path}.descending`) } };
    case "threshold": return { kind, params: { c: weight(o.c, `${path}.c`), strict: bool(o.strict, `${path}.strict`) } };
    case "logic": return { kind, params: { op: oneOf(o.op, `${path}.op`, ["and", "or", "xor", "not", "maj"] as const) } };
    case "piecewise": {
      const breakpoints = nums(o.breakpoints, `${path}.breakpoints`), slopes = nums(o.slopes, `${path}.slopes`);
      if (slopes.length !== breakpoints.length + 1) {
        throw new FormatError(`${path}.slopes`, `needs ${breakpoints.length + 1} slopes for ${breakpoints.length} breakpoints, got ${slopes.length}`);
      }
      return { kind, params: { breakpoints, slopes, value0: numb(o.value0, `${path}.value0`) } };
    }
    case "pick": return { kind, params: { indices: ints(o.indices, `${path}.indices`, 0) } };
    case "lincomb": return { kind, params: { coefs: nums(o.coefs, `${path}.coefs`), bias: numb(o.bias ?? 0, `${path}.bias`) } };
    case "onehot": return { kind, params: { n: int(o.n, `${path}.n`, 1) } };
    case "machine": return { kind, params: machineFromJson(o, path, weight, store) };
  }
}
