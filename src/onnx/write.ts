// Write ONNX files: Model (Graph IR) -> ModelProto bytes. The inverse of read.ts: decodeModel(encodeModel(m)) equals m.
import type { Attr, Graph, Model, Node, ValueInfo } from "../graph/graph.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { codeOfDtype } from "./dtype.ts";
import { ATTR, encodeModelProto } from "./proto.ts";
import { encodeTensor } from "./tensorproto.ts";

const utf8 = new TextEncoder();

export interface EncodeOptions {
  /** Intermediate values to add as graph outputs, by name only (no type): onnxruntime infers their types.
   *  Used to fetch activations; names already among the outputs are not repeated. */
  extraOutputs?: string[];
}

/** Serialize a Model to ModelProto bytes (tensors as raw_data). */
export function encodeModel(model: Model, opts: EncodeOptions = {}): Uint8Array {
  const graph = graphProto(model.graph) as { output: object[] };
  const have = new Set(model.graph.outputs.map((o) => o.name));
  for (const name of opts.extraOutputs ?? []) {
    if (!have.has(name)) graph.output.push({ name });
    have.add(name);
  }
  return encodeModelProto({
    ir_version: model.irVersion,
    opset_import: [...model.opset].map(([domain, version]) => ({ domain, version })),
    producer_name: model.producerName,
    producer_version: model.producerVersion,
    doc_string: model.docString,
    graph,
    metadata_props: Object.entries(model.metadata).map(([key, value]) => ({ key, value })),
  });
}

/** Write a Model to an .onnx file atomically (temp file in the same folder, then rename). */
export function writeModel(model: Model, file: string): void {
  writeFileAtomic(file, encodeModel(model));
}

function graphProto(g: Graph): object {
  return {
    name: g.name,
    node: g.nodes.map(nodeProto),
    initializer: [...g.initializers].map(([name, t]) => encodeTensor(t, name)),
    input: g.inputs.map(valueInfoProto),
    output: g.outputs.map(valueInfoProto),
    value_info: g.valueInfo.map(valueInfoProto),
  };
}

function valueInfoProto(v: ValueInfo): object {
  const tensor_type: { elem_type: number; shape?: object } = { elem_type: codeOfDtype(v.dtype) };
  if (v.shape) {
    tensor_type.shape = {
      dim: v.shape.map((d) => (d === null ? {} : typeof d === "number" ? { dim_value: d } : { dim_param: d })),
    };
  }
  return { name: v.name, type: { tensor_type } };
}

function nodeProto(n: Node): object {
  return {
    name: n.name,
    op_type: n.op,
    domain: n.domain,
    input: n.inputs,
    output: n.outputs,
    attribute: Object.entries(n.attrs).map(([name, a]) => attrProto(name, a)),
  };
}

function attrProto(name: string, a: Attr): object {
  switch (a.kind) {
    case "float": return { name, type: ATTR.FLOAT, f: a.value };
    case "int": return { name, type: ATTR.INT, i: a.value };
    case "string": return { name, type: ATTR.STRING, s: utf8.encode(a.value) };
    case "tensor": return { name, type: ATTR.TENSOR, t: encodeTensor(a.value, "") };
    case "graph": return { name, type: ATTR.GRAPH, g: graphProto(a.value) };
    case "floats": return { name, type: ATTR.FLOATS, floats: a.value };
    case "ints": return { name, type: ATTR.INTS, ints: a.value };
    case "strings": return { name, type: ATTR.STRINGS, strings: a.value.map((s) => utf8.encode(s)) };
    case "tensors": return { name, type: ATTR.TENSORS, tensors: a.value.map((t) => encodeTensor(t, "")) };
    case "graphs": return { name, type: ATTR.GRAPHS, graphs: a.value.map(graphProto) };
  }
}
