// The reference executor: onnxruntime-node, with our Tensors in and out.
import * as ort from "onnxruntime-node";
import type { Model } from "../graph/graph.ts";
import { floatToHalf, halfToFloat, type DType, type NumericArray, type Tensor } from "../graph/tensor.ts";
import { UserError } from "../errors.ts";
import { encodeModel } from "../onnx/write.ts";

export interface OrtOptions {
  /** Values to return: graph outputs, or any intermediate value (added as an extra graph output for this
   *  session). Graph inputs and initialisers may be named too. Defaults to the graph outputs. */
  outputs?: string[];
  /** Let onnxruntime fuse and rewrite the graph. Off by default: a reference runs the graph as written. */
  optimize?: boolean;
}

type Session = ort.InferenceSession;

// Sessions per model object and per set of extra outputs; a model is treated as immutable once run.
const sessions = new WeakMap<object, Map<string, Promise<Session>>>();

/** An onnxruntime session for a model (or ModelProto bytes), cached per object; extraOutputs become graph outputs. */
export function ortSession(model: Model | Uint8Array, extraOutputs: string[] = [], optimize = false): Promise<Session> {
  const key = JSON.stringify([optimize, [...new Set(extraOutputs)].sort()]);
  let perModel = sessions.get(model);
  if (!perModel) sessions.set(model, (perModel = new Map()));
  let s = perModel.get(key);
  if (!s) {
    if (model instanceof Uint8Array && extraOutputs.length) {
      throw new Error("ortSession: extra outputs need a Model, not bytes");
    }
    const bytes = model instanceof Uint8Array ? model : encodeModel(model, { extraOutputs });
    const level = optimize ? "all" : "disabled";
    // Severity 3 (errors only): onnxruntime's warnings about old-style files would clutter every run.
    s = ort.InferenceSession.create(bytes, { graphOptimizationLevel: level, logSeverityLevel: 3 }).catch((e: unknown) => {
      perModel!.delete(key);
      throw new UserError(`onnxruntime cannot load the model: ${oneLine(e)}`);
    });
    perModel.set(key, s);
  }
  return s;
}

/** Run a model with onnxruntime; returns the requested values (graph outputs by default) as our Tensors. */
export async function ortRun(model: Model, feeds: Record<string, Tensor>, opts: OrtOptions = {}): Promise<Record<string, Tensor>> {
  const g = model.graph;
  const wanted = opts.outputs ?? g.outputs.map((o) => o.name);
  const inputNames = new Set(g.inputs.map((i) => i.name));
  // Inputs and initialisers are known without running; everything else is fetched from a session.
  const fetch = wanted.filter((n) => !(inputNames.has(n) && feeds[n]) && !g.initializers.has(n));
  const graphOuts = new Set(g.outputs.map((o) => o.name));
  const extra = fetch.filter((n) => !graphOuts.has(n));
  const session = await ortSession(model, extra, opts.optimize ?? false);
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const name of session.inputNames) {
    const t = feeds[name];
    if (!t) {
      const vi = g.inputs.find((i) => i.name === name);
      throw new UserError(`no value given for model input '${name}'${vi ? ` (expected ${vi.dtype} [${(vi.shape ?? []).map((d) => d ?? "?").join(", ")}])` : ""}`);
    }
    ortFeeds[name] = toOrt(t, name);
  }
  let res: ort.InferenceSession.ReturnType;
  try {
    res = fetch.length ? await session.run(ortFeeds, fetch) : {};
  } catch (e) {
    throw new UserError(`onnxruntime failed to run the model: ${oneLine(e)}`);
  }
  const out: Record<string, Tensor> = {};
  for (const name of wanted) {
    const r = res[name];
    if (r) out[name] = fromOrt(r, name);
    else out[name] = feeds[name] ?? g.initializers.get(name)!;
  }
  return out;
}

/** Convert our Tensor to an onnxruntime tensor (int64 as BigInt64Array, float16 as raw bits, bool as bytes). */
export function toOrt(t: Tensor, name = "tensor"): ort.Tensor {
  const d = t.data;
  const dims = [...t.shape];
  switch (t.dtype) {
    case "string": return new ort.Tensor("string", d as string[], dims);
    case "float16": return new ort.Tensor("float16", Uint16Array.from(d as NumericArray, floatToHalf), dims);
    case "bool": return new ort.Tensor("bool", Uint8Array.from(d as NumericArray, (v) => (v ? 1 : 0)), dims);
    case "int64": return new ort.Tensor("int64", toBig(d as NumericArray, -(2n ** 63n), 2n ** 63n - 1n, name, BigInt64Array), dims);
    case "uint64": return new ort.Tensor("uint64", toBig(d as NumericArray, 0n, 2n ** 64n - 1n, name, BigUint64Array), dims);
    default: return new ort.Tensor(t.dtype, d as Exclude<NumericArray, Float64Array> | Float64Array, dims);
  }
}

/** Convert an onnxruntime tensor to our Tensor, in the storage our dtype uses. */
export function fromOrt(r: ort.Tensor, name = "tensor"): Tensor {
  const shape = [...r.dims];
  const data = r.data;
  switch (r.type) {
    case "float32": case "float64": case "int8": case "int16": case "int32":
    case "uint8": case "uint16": case "uint32":
      return { dtype: r.type as DType, shape, data: (data as NumericArray).slice() };
    case "bool": return { dtype: "bool", shape, data: Uint8Array.from(data as Uint8Array, (v) => (v ? 1 : 0)) };
    case "float16": return { dtype: "float16", shape, data: Float32Array.from(data as Uint16Array, halfToFloat) };
    case "int64": return { dtype: "int64", shape, data: Float64Array.from(data as BigInt64Array, Number) };
    case "uint64": return { dtype: "uint64", shape, data: Float64Array.from(data as BigUint64Array, Number) };
    case "string": return { dtype: "string", shape, data: [...(data as string[])] };
    default: throw new UserError(`onnxruntime returned '${name}' as ${r.type}, which pseudonet does not support`);
  }
}

function toBig<A extends BigInt64Array | BigUint64Array>(
  d: NumericArray, lo: bigint, hi: bigint, name: string, Ctor: { new (n: number): A },
): A {
  const out = new Ctor(d.length);
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i])) throw new UserError(`input '${name}' element ${i} is ${d[i]}, not an integer`);
    const b = BigInt(Math.trunc(d[i]));
    out[i] = b < lo ? lo : b > hi ? hi : b;
  }
  return out;
}

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").trim();
}
