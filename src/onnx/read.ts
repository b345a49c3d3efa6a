// Read ONNX files: ModelProto bytes -> Model (Graph IR), and the TensorProto .pb files of test data sets.
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { Model } from "../graph/graph.ts";
import type { Tensor } from "../graph/tensor.ts";
import { UserError } from "../errors.ts";
import { onnxTypeName } from "./dtype.ts";
import { decodeModelProto, decodeTensorProto, has, int, type PModel } from "./proto.ts";
import { decodeTensor, externalSource, type ExternalSource } from "./tensorproto.ts";
import { graphFromProto } from "./readgraph.ts";

export interface DecodeOptions {
  /** Folder that external tensor data locations are relative to (the model file's folder). */
  baseDir?: string;
  /** File name used in error messages. */
  file?: string;
}

/** A tensor read from a .pb file, with the name it was stored under ("" when none). */
export interface NamedTensor {
  name: string;
  tensor: Tensor;
}

/** Read an .onnx file into a Model; every problem with the file is a one-line UserError naming it. */
export function readModel(file: string): Model {
  const bytes = readBytes(file, "an ONNX model (.onnx)");
  return decodeModel(bytes, { baseDir: path.dirname(path.resolve(file)), file });
}

/** Decode ModelProto bytes into a Model: opsets normalised, initialiser inputs dropped, nodes sorted and named. */
export function decodeModel(bytes: Uint8Array, opts: DecodeOptions = {}): Model {
  const label = opts.file ?? "the model bytes";
  if (bytes.length === 0) throw new UserError(`${label} is empty (0 bytes); expected an ONNX model (.onnx)`);
  let pm: PModel;
  try {
    pm = decodeModelProto(bytes);
  } catch (e) {
    throw notAModel(label, bytes, `protobuf decoding failed (${(e as Error).message})`);
  }
  if (!pm.graph) throw notAModel(label, bytes, "it is protobuf data without a graph");
  const ir = int(pm.ir_version);
  if (ir < 1) throw notAModel(label, bytes, "it has no ir_version");
  // Writers put opset_import after the graph: a file cut there still decodes, but would silently run as opset 1.
  if (ir >= 3 && pm.opset_import.length === 0) {
    throw new UserError(`${label} declares no operator set (opset_import is empty, which ONNX requires from IR version 3); the file is truncated or was written by a broken exporter`);
  }
  try {
    return modelFromProto(pm, opts.baseDir === undefined ? undefined : externalSource(opts.baseDir));
  } catch (e) {
    if (e instanceof UserError) {
      e.message = `${label}: ${e.message}`;
      throw e;
    }
    throw new UserError(`${label} is not a valid ONNX model: ${(e as Error).message}`);
  }
}

/** Decode one serialized TensorProto (a test-data .pb file). */
export function readTensorProto(bytes: Uint8Array, opts: { file?: string } = {}): NamedTensor {
  const label = opts.file ?? "the tensor bytes";
  if (bytes.length === 0) throw new UserError(`${label} is empty (0 bytes); expected a serialized ONNX TensorProto (.pb)`);
  let pt;
  try {
    pt = decodeTensorProto(bytes);
  } catch (e) {
    throw new UserError(
      `${label} is not a serialized ONNX TensorProto: protobuf decoding failed (${(e as Error).message}); ` +
        `the file is truncated, corrupt, or another message (a SequenceProto or OptionalProto?)`,
    );
  }
  if (!has(pt, "data_type")) {
    throw new UserError(`${label} is not a serialized ONNX TensorProto (it has no data_type); is it a model or a SequenceProto?`);
  }
  const name = pt.name;
  try {
    return { name, tensor: decodeTensor(pt, `tensor '${name}' in ${label}`) };
  } catch (e) {
    if (e instanceof UserError && pt.segment) {
      throw new UserError(`${label} does not hold a plain TensorProto (it decodes with a segment); it is probably a SequenceProto or OptionalProto, which pseudonet does not read`);
    }
    throw e;
  }
}

/** Read a .pb file holding one TensorProto. */
export function readTensorFile(file: string): NamedTensor {
  return readTensorProto(readBytes(file, "a serialized ONNX TensorProto (.pb)"), { file });
}

function readBytes(file: string, expected: string): Uint8Array {
  let st;
  try {
    st = statSync(file);
  } catch {
    throw new UserError(`${file}: no such file; expected ${expected}. Check the path`);
  }
  if (st.isDirectory()) {
    const hint = expected.includes(".onnx") ? " (for a test folder, pass its model.onnx)" : "";
    throw new UserError(`${file} is a directory; expected ${expected}${hint}`);
  }
  try {
    return readFileSync(file);
  } catch (e) {
    throw new UserError(`${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); expected ${expected}`);
  }
}

function notAModel(label: string, bytes: Uint8Array, why: string): UserError {
  const t = tensorProtoSummary(bytes);
  if (t) {
    return new UserError(
      `${label} holds a single tensor (a serialized TensorProto: ${t}), not an ONNX model; ` +
        `pass the model.onnx file, or read test data with readTensorFile`,
    );
  }
  return new UserError(
    `${label} is not an ONNX model: ${why}. The file is truncated, corrupt or in another format; ` +
      `expected a serialized ONNX ModelProto (.onnx), re-export or re-download it`,
  );
}

/** If the bytes plausibly are a TensorProto, a short description of it; otherwise undefined. */
function tensorProtoSummary(bytes: Uint8Array): string | undefined {
  try {
    const t = decodeTensorProto(bytes);
    const code = t.data_type;
    if (!has(t, "data_type") || code < 1 || code > 26 || t.segment) return undefined;
    const dims = t.dims.map(int);
    if (dims.length > 12 || dims.some((d) => d < 0)) return undefined;
    decodeTensor(t, "tensor"); // throws unless the data agrees with the dims
    const name = t.name ? `'${t.name}' ` : "";
    return `${name}${onnxTypeName(code)} [${dims.join(", ")}]`;
  } catch {
    return undefined;
  }
}

function modelFromProto(pm: PModel, ext: ExternalSource | undefined): Model {
  const opset = new Map<string, number>();
  for (const o of pm.opset_import) {
    const domain = o.domain === "ai.onnx" ? "" : o.domain;
    opset.set(domain, Math.max(opset.get(domain) ?? 0, int(o.version)));
  }
  return {
    graph: graphFromProto(pm.graph!, ext, false),
    opset,
    irVersion: int(pm.ir_version),
    producerName: pm.producer_name,
    producerVersion: pm.producer_version,
    docString: pm.doc_string,
    metadata: Object.fromEntries(pm.metadata_props.map((e) => [e.key, e.value])),
  };
}
