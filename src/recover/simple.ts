// One statement per parameter-free layer: activations, pooling, softmax, reshape, residual add, concat.
import type { Layer } from "../net/net.ts";
import type { PrimOp } from "../program/program.ts";
import { actSpec } from "./layer-act.ts";
import type { Recognised, Recogniser } from "./recogniser.ts";

function single(l: Layer, op: PrimOp, comment?: string): Recognised {
  return { op, layers: [l.id], args: [...l.inputs], slice: { layers: [{ id: l.id, units: null }], weights: [] }, ...(comment ? { comment } : {}) };
}

export const actRecogniser: Recogniser = {
  name: "act",
  doc: "an activation on its own (one not fused into the affine or conv layer before it)",
  match: (l) => (l.kind === "act" ? single(l, { kind: "act", params: actSpec(l) }) : undefined),
};

const POOL_KIND = { max: "maxpool", avg: "avgpool", global_max: "global_maxpool", global_avg: "global_avgpool" } as const;

export const poolRecogniser: Recogniser = {
  name: "pool",
  doc: "max / average pooling, windowed or global",
  match: (l) => l.kind === "pool"
    ? single(l, {
      kind: POOL_KIND[l.mode],
      params: { kernel: [...l.kernel], strides: [...l.strides], pads: [...l.pads], dilations: [...l.dilations], ceilMode: l.ceilMode, countIncludePad: l.countIncludePad },
    })
    : undefined,
};

export const softmaxRecogniser: Recogniser = {
  name: "softmax",
  doc: "softmax or log-softmax along one axis",
  match: (l) => (l.kind === "softmax" ? single(l, { kind: l.log ? "log_softmax" : "softmax", params: { axis: l.axis } }) : undefined),
};

export const reshapeRecogniser: Recogniser = {
  name: "reshape",
  doc: "a reshape (flatten when the result is a vector): same numbers, new shape",
  match: (l) => (l.kind === "reshape" ? single(l, { kind: "reshape", params: { shape: [...l.shape] } }) : undefined),
};

export const addRecogniser: Recogniser = {
  name: "add",
  doc: "an elementwise sum (a residual connection)",
  match: (l) => (l.kind === "add" ? single(l, { kind: "add", params: {} }) : undefined),
};

export const concatRecogniser: Recogniser = {
  name: "concat",
  doc: "a concatenation along one axis",
  match: (l) => (l.kind === "concat" ? single(l, { kind: "concat", params: { axis: l.axis } }, `${l.inputs.length} parts`) : undefined),
};
