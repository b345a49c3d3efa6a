// GraphProto -> Graph: value types, nodes, attributes (with subgraphs) and a topological node order.
import { topoSort, type Attr, type Dim, type Graph, type Node, type ValueInfo } from "../graph/graph.ts";
import type { Tensor } from "../graph/tensor.ts";
import { UserError } from "../errors.ts";
import { dtypeOfCode, requireDtype, UnsupportedTypeError } from "./dtype.ts";
import { ATTR, has, int, type PAttr, type PGraph, type PNode, type PShape, type PValueInfo } from "./proto.ts";
import { decodeTensor, type ExternalSource } from "./tensorproto.ts";

const utf8 = new TextDecoder("utf-8");

/** Convert a GraphProto; `sub` marks a subgraph (If/Loop body), whose nodes may use values of enclosing graphs. */
export function graphFromProto(pg: PGraph, ext: ExternalSource | undefined, sub: boolean): Graph {
  const gname = pg.name || "(unnamed graph)";
  if (pg.sparse_initializer.length > 0) {
    const n = pg.sparse_initializer[0].values?.name ?? "?";
    throw new UnsupportedTypeError(`graph '${gname}' has sparse initializer '${n}'; pseudonet has no sparse tensors, densify it first`);
  }
  const initializers = new Map<string, Tensor>();
  for (const t of pg.initializer) {
    if (!t.name) throw new UserError(`graph '${gname}' has an initializer without a name; the model is malformed`);
    initializers.set(t.name, decodeTensor(t, `initializer '${t.name}'`, ext));
  }
  const names = nodeNames(pg.node);
  const keep = dedupeConstants(pg.node, gname);
  const nodes = pg.node.flatMap((n, i) => (keep[i] ? [nodeFromProto(n, names[i], ext)] : []));
  const graph: Graph = {
    name: pg.name,
    // Old exporters (IR < 4) list every initializer as a graph input too; the real inputs are the others.
    inputs: pg.input.filter((v) => !initializers.has(v.name)).map((v) => valueInfo(v, "graph input", sub)),
    outputs: pg.output.map((v) => valueInfo(v, "graph output", sub)),
    nodes,
    initializers,
    // value_info is optional annotation: values of types a Tensor can't hold are left out rather than refused.
    valueInfo: pg.value_info.filter(isPlainTensor).map((v) => valueInfo(v, "value", sub)),
  };
  graph.nodes = sortNodes(graph, sub);
  return graph;
}

function isPlainTensor(v: PValueInfo): boolean {
  const t = v.type?.tensor_type;
  return !!t && dtypeOfCode(t.elem_type) !== undefined;
}

function valueInfo(v: PValueInfo, what: string, sub: boolean): ValueInfo {
  const label = `${what} '${v.name}'`;
  const type = v.type;
  if (type?.tensor_type) {
    const tt = type.tensor_type;
    return { name: v.name, dtype: requireDtype(tt.elem_type, label), shape: tt.shape ? dims(tt.shape) : null };
  }
  if (type?.sequence_type) throw new UnsupportedTypeError(`${label} is a sequence of tensors; pseudonet supports tensor values only`);
  if (type?.optional_type) throw new UnsupportedTypeError(`${label} is an optional value; pseudonet supports tensor values only`);
  if (type?.sparse_tensor_type) throw new UnsupportedTypeError(`${label} is a sparse tensor; pseudonet supports dense tensors only`);
  // Subgraph outputs often carry no type (ONNX infers them); the Graph IR has no "unknown dtype", so
  // float32 with unknown rank stands in. Top-level inputs and outputs must be typed.
  if (sub && !type) return { name: v.name, dtype: "float32", shape: null };
  throw new UnsupportedTypeError(`${label} has no tensor type (a map or an untyped value); pseudonet supports tensor values only`);
}

function dims(shape: PShape): Dim[] {
  return shape.dim.map((d) => {
    if (has(d, "dim_value")) {
      const v = int(d.dim_value);
      return v >= 0 ? v : null; // some exporters write -1 for "unknown"
    }
    if (has(d, "dim_param") && d.dim_param) return d.dim_param;
    return null;
  });
}

/** Which nodes to keep when several write the same value. Some exporters (gpt2_past_tiny_ort) emit two Constant
 *  nodes with one output name; onnxruntime turns Constants into initialisers and keeps the last one in the file,
 *  so the reader does the same. Any other duplicate producer makes the graph invalid. */
function dedupeConstants(nodes: PNode[], gname: string): boolean[] {
  const keep = nodes.map(() => true);
  const last = new Map<string, number>();
  nodes.forEach((n, i) => n.output.forEach((o) => {
    if (!o) return;
    const prev = last.get(o);
    if (prev !== undefined) {
      const isConst = (k: number) => nodes[k].op_type === "Constant" && !nodes[k].domain;
      if (!isConst(prev) || !isConst(i) || nodes[prev].output.length !== 1 || n.output.length !== 1) {
        const who = (k: number) => nodes[k].name || `${nodes[k].op_type}_${k}`;
        throw new UserError(`graph '${gname}' is invalid: value '${o}' is written by two nodes, '${who(prev)}' and '${who(i)}'`);
      }
      keep[prev] = false;
    }
    last.set(o, i);
  }));
  return keep;
}

/** Unique node names: a file's names are kept (a repeated one gets a suffix), unnamed nodes get `${op}_${index}`. */
function nodeNames(nodes: PNode[]): string[] {
  const used = new Set<string>();
  const unique = (base: string) => {
    let name = base;
    for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    return name;
  };
  // Given names first, so a generated name never displaces one the file chose.
  const out = nodes.map((n) => (n.name ? unique(n.name) : ""));
  return out.map((name, i) => name || unique(`${nodes[i].op_type}_${i}`));
}

function nodeFromProto(n: PNode, name: string, ext: ExternalSource | undefined): Node {
  const attrs: Record<string, Attr> = {};
  for (const a of n.attribute) attrs[a.name] = attrFromProto(a, `attribute '${a.name}' of node '${name}' (${n.op_type})`, ext);
  return {
    name,
    op: n.op_type,
    domain: n.domain === "ai.onnx" ? "" : n.domain,
    inputs: [...n.input],
    outputs: [...n.output],
    attrs,
  };
}

function attrFromProto(a: PAttr, what: string, ext: ExternalSource | undefined): Attr {
  if (a.ref_attr_name) throw new UserError(`${what} refers to function attribute '${a.ref_attr_name}', which is only valid inside a function`);
  switch (attrType(a)) {
    case ATTR.FLOAT: return { kind: "float", value: a.f };
    case ATTR.INT: return { kind: "int", value: int(a.i) };
    case ATTR.STRING: return { kind: "string", value: utf8.decode(a.s) };
    case ATTR.TENSOR: return { kind: "tensor", value: decodeTensor(a.t!, what, ext) };
    case ATTR.GRAPH: return { kind: "graph", value: graphFromProto(a.g!, ext, true) };
    case ATTR.FLOATS: return { kind: "floats", value: [...a.floats] };
    case ATTR.INTS: return { kind: "ints", value: a.ints.map(int) };
    case ATTR.STRINGS: return { kind: "strings", value: a.strings.map((s) => utf8.decode(s)) };
    case ATTR.TENSORS: return { kind: "tensors", value: a.tensors.map((t) => decodeTensor(t, what, ext)) };
    case ATTR.GRAPHS: return { kind: "graphs", value: a.graphs.map((g) => graphFromProto(g, ext, true)) };
    case ATTR.SPARSE_TENSOR: case ATTR.SPARSE_TENSORS:
      throw new UnsupportedTypeError(`${what} is a sparse tensor; pseudonet has no sparse tensors`);
    case ATTR.TYPE_PROTO: case ATTR.TYPE_PROTOS:
      throw new UnsupportedTypeError(`${what} is a type; pseudonet does not read type-valued attributes`);
    default:
      throw new UserError(`${what} has unknown attribute type ${a.type}; the model is malformed or newer than pseudonet`);
  }
}

/** The attribute's type; IR version 1 files have none, so it is inferred from the field that is set. */
function attrType(a: PAttr): number {
  if (a.type) return a.type;
  if (has(a, "f")) return ATTR.FLOAT;
  if (has(a, "i")) return ATTR.INT;
  if (has(a, "s")) return ATTR.STRING;
  if (a.t) return ATTR.TENSOR;
  if (a.g) return ATTR.GRAPH;
  if (a.floats.length) return ATTR.FLOATS;
  if (a.ints.length) return ATTR.INTS;
  if (a.strings.length) return ATTR.STRINGS;
  if (a.tensors.length) return ATTR.TENSORS;
  if (a.graphs.length) return ATTR.GRAPHS;
  return 0;
}

/** Names a graph's nodes (and their subgraphs) use without defining them: values of enclosing scopes. */
function freeVars(g: Graph): Set<string> {
  const defined = new Set<string>(["", ...g.inputs.map((v) => v.name), ...g.initializers.keys()]);
  for (const n of g.nodes) n.outputs.forEach((o) => defined.add(o));
  const free = new Set<string>();
  for (const n of g.nodes) for (const v of [...n.inputs, ...captures(n)]) if (!defined.has(v)) free.add(v);
  return free;
}

/** Values a node's subgraphs read from the graph around the node. */
function captures(n: Node): string[] {
  const out: string[] = [];
  for (const a of Object.values(n.attrs)) {
    if (a.kind === "graph") out.push(...freeVars(a.value));
    else if (a.kind === "graphs") for (const g of a.value) out.push(...freeVars(g));
  }
  return out;
}

/** Topological order, counting values used inside a node's subgraphs as inputs of that node. */
function sortNodes(g: Graph, sub: boolean): Node[] {
  const temp: Graph = { ...g, nodes: g.nodes.map((n) => ({ ...n, inputs: [...n.inputs, ...captures(n)] })) };
  if (sub) {
    // A subgraph may read any value of its enclosing graphs: treat those names as available.
    const outer = [...freeVars(g)].map((name): ValueInfo => ({ name, dtype: "float32", shape: null }));
    temp.inputs = [...g.inputs, ...outer];
  }
  const back = new Map(temp.nodes.map((t, i) => [t, g.nodes[i]]));
  try {
    return topoSort(temp).map((t) => back.get(t)!);
  } catch (e) {
    throw new UserError(`graph '${g.name || "(unnamed)"}' is invalid: ${(e as Error).message}`);
  }
}
