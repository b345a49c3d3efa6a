// program.json: the versioned JSON form of a Program (documented in docs/program-format.md).
// Weights live once in a top-level table keyed by name; params and slices refer to them by name.
import { modulesFromJson, modulesToJson } from "./json-modules.ts";
import { droppedFromJson, droppedToJson } from "./json-dropped.ts";
import { budgetFromJson, budgetToJson } from "./json-budget.ts";
import type { SeqAnalysis } from "../seq/analysis/types.ts";
import type { MachineReport } from "./program.ts";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { DTYPES } from "../graph/tensor.ts";
import type { Fidelity, OutputFidelity } from "../verify/metrics.ts";
import { arr, bool, FormatError, int, ints, numb, numJson, obj, oneOf, opt, str, type JsonObj } from "./json-check.ts";
import { decodeValues, encodeValues, externalValues, type TensorStore } from "./json-tensor.ts";
import { readSidecar, SIDECAR_FILE, sidecarKey } from "./sidecar.ts";
import { paramsFromJson, paramsToJson, PRIM_KINDS } from "./json-params.ts";
import {
  programWeights, type Fn, type IOSpec, type NetSlice, type Primitive, type Program, type Stmt, type ValueType, type Var, type Weight,
} from "./program.ts";
import { checkProgram } from "./check.ts";
import { featuresFromJson, featuresToJson } from "./features.ts";

export const FORMAT = "pseudonet.program";
export const VERSION = 1;

/** The JSON object for a program (weights base64 little-endian float32; with a sidecar, big tensors go there). */
export function programToJson(p: Program, store: TensorStore = {}): JsonObj {
  const weights: JsonObj = {};
  for (const [name, w] of programWeights(p)) {
    const external = sidecarKey(store.sidecar, `weights.${name}`, { dtype: "float32", shape: w.shape, data: w.data });
    weights[name] = external !== undefined
      ? { shape: [...w.shape], dtype: "float32", external }
      : { shape: [...w.shape], dtype: "float32", data: encodeValues("float32", w.data) };
  }
  const out: JsonObj = {
    format: FORMAT, version: VERSION, name: p.name, entry: p.entry,
    inputs: p.inputs.map(ioToJson), outputs: p.outputs.map(ioToJson),
    functions: p.functions.map((f) => fnToJson(f, store)), weights,
  };
  if (store.sidecar?.size) out.weightsFile = SIDECAR_FILE;
  if (p.fidelity) out.fidelity = fidelityToJson(p.fidelity);
  if (p.refined) out.refined = { ...p.refined, vsOriginal: fidelityToJson(p.refined.vsOriginal) };
  if (p.modules) out.modules = modulesToJson(p.modules) as JsonObj;
  if (p.features) out.features = featuresToJson(p.features);
  if (p.seqAnalysis) out.heads = JSON.parse(JSON.stringify(p.seqAnalysis, (_k, x) => (typeof x === "number" && !Number.isFinite(x) ? null : x)));
  if (p.machines) out.machines = JSON.parse(JSON.stringify(p.machines));
  if (p.droppedResiduals) out.droppedResiduals = droppedToJson(p.droppedResiduals) as JsonObj;
  if (p.budget) out.budget = budgetToJson(p.budget) as JsonObj;
  return out;
}

/** program.json text (with a sidecar in `store`, big tensors are written there and referred to by key). */
export function stringifyProgram(p: Program, store: TensorStore = {}): string {
  return JSON.stringify(programToJson(p, store), null, 1) + "\n";
}

/** Parse and validate program.json text; errors name the JSON path and what was expected. When the program keeps
 *  its weights in a sidecar and no reader is given, the sidecar is read from beside `file`. */
export function parseProgram(text: string, file = "program.json", store: TensorStore = {}): Program {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new FormatError(file, `is not valid JSON (${(e as Error).message})`);
  }
  const wf = raw !== null && typeof raw === "object" ? (raw as JsonObj).weightsFile : undefined;
  if (typeof wf === "string" && !store.reader) {
    if (path.basename(wf) !== wf) throw new FormatError(`${file}.weightsFile`, `must be a file name beside program.json, got ${JSON.stringify(wf)}`);
    const side = path.join(path.dirname(file), wf);
    if (existsSync(side)) store = { ...store, reader: readSidecar(readFileSync(side), side) };
  }
  return programFromJson(raw, file, store);
}

/** Validate and convert a parsed JSON value into a Program. */
export function programFromJson(v: unknown, path = "program", store: TensorStore = {}): Program {
  const o = obj(v, path);
  if (o.format !== FORMAT) throw new FormatError(`${path}.format`, `expected "${FORMAT}", got ${JSON.stringify(o.format)}: not a pseudonet program`);
  const version = int(o.version, `${path}.version`);
  if (version !== VERSION) throw new FormatError(`${path}.version`, `version ${version} is not supported (this pseudonet reads version ${VERSION})`);
  const weights = new Map<string, Weight>();
  for (const [name, w] of Object.entries(obj(o.weights ?? {}, `${path}.weights`))) {
    const wp = `${path}.weights.${name}`;
    const wo = obj(w, wp);
    oneOf(wo.dtype ?? "float32", `${wp}.dtype`, ["float32"] as const);
    const shape = ints(wo.shape, `${wp}.shape`, 0);
    const n = shape.reduce((a, b) => a * b, 1);
    const data = wo.external !== undefined && wo.data === undefined
      ? externalValues(store, str(wo.external, `${wp}.external`), "float32", shape, `${wp}.external`)
      : decodeValues("float32", str(wo.data, `${wp}.data`), n, `${wp}.data`);
    weights.set(name, { name, shape, data: data as Float32Array });
  }
  const program: Program = {
    name: str(o.name ?? "", `${path}.name`),
    entry: str(o.entry ?? "main", `${path}.entry`),
    inputs: arr(o.inputs, `${path}.inputs`).map((x, i) => ioFromJson(x, `${path}.inputs[${i}]`)),
    outputs: arr(o.outputs, `${path}.outputs`).map((x, i) => ioFromJson(x, `${path}.outputs[${i}]`)),
    functions: arr(o.functions, `${path}.functions`).map((f, i) => fnFromJson(f, `${path}.functions[${i}]`, weights, store)),
  };
  const fid = opt(o, "fidelity", fidelityFromJson, path);
  if (fid) program.fidelity = fid;
  if (o.refined !== undefined) {
    const r = obj(o.refined, `${path}.refined`);
    program.refined = {
      vsOriginal: fidelityFromJson(r.vsOriginal, `${path}.refined.vsOriginal`),
      objectives: arr(r.objectives ?? [], `${path}.refined.objectives`).map((x, i) => str(x, `${path}.refined.objectives[${i}]`)),
      weightsBefore: Number(r.weightsBefore), weightsAfter: Number(r.weightsAfter),
    };
  }
  // The head analysis is a reading aid for the explorer, kept as written (an object with heads and mlps lists).
  if (o.heads !== undefined) {
    const h = obj(o.heads, `${path}.heads`);
    arr(h.heads ?? [], `${path}.heads.heads`);
    program.seqAnalysis = h as unknown as SeqAnalysis;
  }
  // State machines read from recurrent nets: a record of the reading (the machine primitive carries its tables).
  if (o.machines !== undefined) program.machines = arr(o.machines, `${path}.machines`).map((m, i) => obj(m, `${path}.machines[${i}]`)) as unknown as MachineReport[];
  if (o.modules !== undefined) program.modules = modulesFromJson(o.modules, `${path}.modules`);
  if (o.droppedResiduals !== undefined) program.droppedResiduals = droppedFromJson(o.droppedResiduals, `${path}.droppedResiduals`);
  if (o.budget !== undefined) program.budget = budgetFromJson(o.budget, `${path}.budget`);
  const features = opt(o, "features", featuresFromJson, path);
  if (features) program.features = features;
  checkProgram(program, path);
  return program;
}

function ioToJson(s: IOSpec): JsonObj {
  return { name: s.name, dtype: s.dtype, shape: [...s.shape], batchDim: s.batchDim };
}

function ioFromJson(v: unknown, path: string): IOSpec {
  const o = obj(v, path);
  const b = o.batchDim;
  return {
    name: str(o.name, `${path}.name`), dtype: oneOf(o.dtype, `${path}.dtype`, DTYPES), shape: ints(o.shape, `${path}.shape`, -1),
    batchDim: b === null || b === undefined || typeof b === "string" ? (b ?? null) : int(b, `${path}.batchDim`, 0),
  };
}

/** A value type as JSON. */
export function typeToJson(t: ValueType): JsonObj {
  return t.kind === "tensor" ? { kind: t.kind, dtype: t.dtype, shape: [...t.shape] } : { ...t };
}

function typeFromJson(v: unknown, path: string): ValueType {
  const o = obj(v, path);
  const kind = oneOf(o.kind, `${path}.kind`, ["vec", "image", "bits", "tensor"] as const);
  switch (kind) {
    case "vec": case "bits": return { kind, n: int(o.n, `${path}.n`, 0) };
    case "image": return { kind, c: int(o.c, `${path}.c`, 0), h: int(o.h, `${path}.h`, 0), w: int(o.w, `${path}.w`, 0) };
    case "tensor": return { kind, dtype: oneOf(o.dtype, `${path}.dtype`, DTYPES), shape: ints(o.shape, `${path}.shape`, -1) };
  }
}

const varToJson = (v: Var): JsonObj => ({ name: v.name, type: typeToJson(v.type) });
const varFromJson = (v: unknown, path: string): Var => {
  const o = obj(v, path);
  return { name: str(o.name, `${path}.name`), type: typeFromJson(o.type, `${path}.type`) };
};
const strs = (v: unknown, path: string) => arr(v, path).map((s, i) => str(s, `${path}[${i}]`));

function fnToJson(f: Fn, store: TensorStore): JsonObj {
  const o: JsonObj = { name: f.name, params: f.params.map(varToJson), body: f.body.map((s) => stmtToJson(s, store)), returns: [...f.returns] };
  if (f.doc) o.doc = f.doc;
  return o;
}

function fnFromJson(v: unknown, path: string, weights: Map<string, Weight>, store: TensorStore): Fn {
  const o = obj(v, path);
  const f: Fn = {
    name: str(o.name, `${path}.name`),
    params: arr(o.params, `${path}.params`).map((p, i) => varFromJson(p, `${path}.params[${i}]`)),
    body: arr(o.body, `${path}.body`).map((s, i) => stmtFromJson(s, `${path}.body[${i}]`, weights, store)),
    returns: strs(o.returns, `${path}.returns`),
  };
  const doc = opt(o, "doc", str, path);
  if (doc) f.doc = doc;
  return f;
}

function stmtToJson(s: Stmt, store: TensorStore): JsonObj {
  const o: JsonObj = s.kind === "prim"
    ? { kind: "prim", out: varToJson(s.out), args: [...s.args], prim: primToJson(s.prim, store) }
    : { kind: "call", outs: s.outs.map(varToJson), args: [...s.args], fn: s.fn };
  if (s.kind === "call" && s.slice) o.slice = sliceToJson(s.slice);
  if (s.comment) o.comment = s.comment;
  if (s.kind === "prim" && s.rest) o.rest = true;
  return o;
}

function stmtFromJson(v: unknown, path: string, weights: Map<string, Weight>, store: TensorStore): Stmt {
  const o = obj(v, path);
  const kind = oneOf(o.kind, `${path}.kind`, ["prim", "call"] as const);
  const args = strs(o.args, `${path}.args`);
  const comment = opt(o, "comment", str, path);
  const s: Stmt = kind === "prim"
    ? { kind, out: varFromJson(o.out, `${path}.out`), args, prim: primFromJson(o.prim, `${path}.prim`, weights, store) }
    : { kind, outs: arr(o.outs, `${path}.outs`).map((x, i) => varFromJson(x, `${path}.outs[${i}]`)), args, fn: str(o.fn, `${path}.fn`) };
  if (s.kind === "call" && o.slice !== undefined) s.slice = sliceFromJson(o.slice, `${path}.slice`, weightLookup(weights));
  if (comment) s.comment = comment;
  if (s.kind === "prim" && opt(o, "rest", bool, path)) s.rest = true;
  return s;
}

function primToJson(p: Primitive, store: TensorStore): JsonObj {
  const o: JsonObj = {
    id: p.id, kind: p.kind, params: paramsToJson(p, store, p.id),
    slice: sliceToJson(p.slice),
    error: numJson(p.error),
  };
  if (p.label) o.label = p.label;
  if (p.description) o.description = p.description;
  return o;
}

/** A resolver of weight names against the "weights" table (a clear error for a missing one). */
function weightLookup(weights: Map<string, Weight>): (x: unknown, p: string) => Weight {
  return (x, p) => {
    const name = str(x, p);
    const w = weights.get(name);
    if (!w) throw new FormatError(p, `weight '${name}' is not in the "weights" table`);
    return w;
  };
}

function sliceToJson(s: NetSlice): JsonObj {
  return { layers: s.layers.map((l) => ({ id: l.id, units: l.units ? [...l.units] : null, ...(l.origin ? { origin: [...l.origin] } : {}) })), weights: s.weights.map((w) => w.name) };
}

function sliceFromJson(v: unknown, path: string, weight: (x: unknown, p: string) => Weight): NetSlice {
  const so = obj(v, path);
  return {
    layers: arr(so.layers, `${path}.layers`).map((l, i) => {
      const lo = obj(l, `${path}.layers[${i}]`);
      const origin = lo.origin === undefined ? undefined : strs(lo.origin, `${path}.layers[${i}].origin`);
      return { id: str(lo.id, `${path}.layers[${i}].id`), units: lo.units === null || lo.units === undefined ? null : ints(lo.units, `${path}.layers[${i}].units`, 0), ...(origin ? { origin } : {}) };
    }),
    weights: arr(so.weights ?? [], `${path}.weights`).map((w, i) => weight(w, `${path}.weights[${i}]`)),
  };
}

function primFromJson(v: unknown, path: string, weights: Map<string, Weight>, store: TensorStore): Primitive {
  const o = obj(v, path);
  const kind = oneOf(o.kind, `${path}.kind`, PRIM_KINDS);
  const weight = weightLookup(weights);
  const slice = sliceFromJson(o.slice ?? { layers: [], weights: [] }, `${path}.slice`, weight);
  const op = paramsFromJson(kind, o.params ?? {}, `${path}.params`, weight, store);
  const prim = { ...op, id: str(o.id, `${path}.id`), slice, error: o.error === undefined ? 0 : numb(o.error, `${path}.error`) } as Primitive;
  const label = opt(o, "label", str, path);
  if (label) prim.label = label;
  const description = opt(o, "description", str, path);
  if (description) prim.description = description;
  return prim;
}

function outFidToJson(f: OutputFidelity): JsonObj {
  const o: JsonObj = { name: f.name, maxAbsErr: numJson(f.maxAbsErr), meanAbsErr: numJson(f.meanAbsErr), relErr: numJson(f.relErr) };
  if (f.top1Agreement !== undefined) o.top1Agreement = f.top1Agreement;
  return o;
}

function fidelityToJson(f: Fidelity): JsonObj {
  const o = { ...outFidToJson({ ...f, name: "" }), samples: f.samples, data: f.data, outputs: f.outputs.map(outFidToJson) } as JsonObj;
  delete o.name;
  if (f.certifiedMaxErr !== undefined) o.certifiedMaxErr = numJson(f.certifiedMaxErr);
  if (f.certifiedMethod !== undefined) o.certifiedMethod = f.certifiedMethod;
  return o;
}

function outFidFromJson(v: unknown, path: string): OutputFidelity {
  const o = obj(v, path);
  const f: OutputFidelity = {
    name: str(o.name ?? "", `${path}.name`), maxAbsErr: numb(o.maxAbsErr, `${path}.maxAbsErr`),
    meanAbsErr: numb(o.meanAbsErr, `${path}.meanAbsErr`), relErr: numb(o.relErr, `${path}.relErr`),
  };
  const t = opt(o, "top1Agreement", numb, path);
  if (t !== undefined) f.top1Agreement = t;
  return f;
}

function fidelityFromJson(v: unknown, path: string): Fidelity {
  const o = obj(v, path);
  const { name: _n, ...base } = outFidFromJson({ ...o, name: "" }, path);
  const cert = opt(o, "certifiedMaxErr", numb, path);
  const method = opt(o, "certifiedMethod", str, path);
  return {
    ...base, samples: int(o.samples, `${path}.samples`, 0), data: str(o.data, `${path}.data`),
    outputs: arr(o.outputs, `${path}.outputs`).map((x, i) => outFidFromJson(x, `${path}.outputs[${i}]`)),
    ...(cert !== undefined ? { certifiedMaxErr: cert } : {}), ...(method !== undefined ? { certifiedMethod: method } : {}),
  };
}
