// `pseudonet inspect model.onnx [--json]`: what is in a model: I/O, a per-layer table, parameter totals, provenance.
import type { Command } from "commander";
import type { Dim, Model, ValueInfo } from "../graph/graph.ts";
import { sizeOf, shapeStr, type Tensor } from "../graph/tensor.ts";
import { inferShapes } from "../graph/infer.ts";
import { findOp } from "../ops/registry.ts";
import { rawItemSize } from "../onnx/dtype.ts";
import { openModel } from "./model.ts";
import { bytes, count, table } from "./table.ts";

export interface IoReport {
  name: string;
  dtype: string;
  /** Dims as in the file: numbers, symbolic names, null when unknown; null when the rank is unknown. */
  shape: Dim[] | null;
}

export interface LayerReport {
  name: string;
  op: string;
  domain: string;
  /** Inferred types of the node's outputs (shape null when inference could not tell). */
  outputs: IoReport[];
  /** Elements of the initialisers this node consumes. */
  params: number;
  /** Whether pseudonet's interpreter has a kernel for the op (otherwise run needs --engine ort). */
  supported: boolean;
}

export interface InspectReport {
  file: string;
  irVersion: number;
  producer: { name: string; version: string };
  /** Opset version per domain ("ai.onnx" for the default domain). */
  opsets: Record<string, number>;
  docString: string;
  inputs: IoReport[];
  outputs: IoReport[];
  layers: LayerReport[];
  /** Node count per op type, most frequent first. */
  ops: Record<string, number>;
  totals: { nodes: number; parameters: number; bytes: number };
  /** Op types with no kernel here (domain-qualified outside the default domain). */
  unsupported: string[];
}

/** Bytes an initialiser takes in memory as the file stores it. */
function tensorBytes(t: Tensor): number {
  if (t.dtype === "string") return (t.data as string[]).reduce((s, x) => s + Buffer.byteLength(x), 0);
  return sizeOf(t.shape) * rawItemSize(t.dtype);
}

/** Build the inspect report of a model; throws an OpError when the model's shapes don't agree. */
export function inspectModel(model: Model, file: string): InspectReport {
  const g = model.graph;
  const shapes = inferShapes(model, { skipUnsupported: true });
  const io = (v: ValueInfo): IoReport => {
    const s = shapes.get(v.name);
    return { name: v.name, dtype: s?.dtype ?? v.dtype, shape: s?.shape ?? v.shape };
  };
  const layers: LayerReport[] = g.nodes.map((n) => ({
    name: n.name,
    op: n.op,
    domain: n.domain,
    outputs: n.outputs.filter((o) => o !== "").map((o) => {
      const s = shapes.get(o);
      return { name: o, dtype: s?.dtype ?? "?", shape: s?.shape ?? null };
    }),
    params: [...new Set(n.inputs)].reduce((s, v) => s + (g.initializers.has(v) ? sizeOf(g.initializers.get(v)!.shape) : 0), 0),
    supported: findOp(n.op, n.domain) !== undefined,
  }));
  const ops: Record<string, number> = {};
  for (const n of g.nodes) ops[qualified(n.op, n.domain)] = (ops[qualified(n.op, n.domain)] ?? 0) + 1;
  const sortedOps = Object.fromEntries(Object.entries(ops).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
  const inits = [...g.initializers.values()];
  return {
    file,
    irVersion: model.irVersion,
    producer: { name: model.producerName, version: model.producerVersion },
    opsets: Object.fromEntries([...model.opset].map(([d, v]) => [d === "" ? "ai.onnx" : d, v])),
    docString: model.docString,
    inputs: g.inputs.map(io),
    outputs: g.outputs.map(io),
    layers,
    ops: sortedOps,
    totals: {
      nodes: g.nodes.length,
      parameters: inits.reduce((s, t) => s + sizeOf(t.shape), 0),
      bytes: inits.reduce((s, t) => s + tensorBytes(t), 0),
    },
    unsupported: [...new Set(layers.filter((l) => !l.supported).map((l) => qualified(l.op, l.domain)))].sort(),
  };
}

function qualified(op: string, domain: string): string {
  return domain ? `${domain}.${op}` : op;
}

const shapeText = (s: Dim[] | null) => (s ? shapeStr(s) : "?");

/** The report as the text `pseudonet inspect` prints. */
export function formatInspect(r: InspectReport): string {
  const lines: string[] = [];
  const producer = [r.producer.name, r.producer.version].filter(Boolean).join(" ") || "(not recorded)";
  const opsets = Object.entries(r.opsets).map(([d, v]) => `${d} ${v}`).join(", ") || "(none)";
  lines.push(...table([
    ["model", r.file],
    ["producer", producer],
    ["format", `ONNX IR version ${r.irVersion}, opset ${opsets}`],
  ]));
  if (r.docString.trim()) lines.push(`doc       ${r.docString.trim().split("\n")[0].slice(0, 100)}`);
  lines.push("", "inputs:");
  lines.push(...table(r.inputs.map((v) => ["  " + v.name, v.dtype, shapeText(v.shape)])));
  lines.push("outputs:");
  lines.push(...table(r.outputs.map((v) => ["  " + v.name, v.dtype, shapeText(v.shape)])));
  lines.push("");
  const rows = [["#", "node", "op", "output shape", "params"]];
  r.layers.forEach((l, i) => {
    const outs = l.outputs.map((o) => shapeText(o.shape)).join(", ");
    rows.push([String(i), l.name, qualified(l.op, l.domain) + (l.supported ? "" : " *"), outs, l.params ? count(l.params) : "-"]);
  });
  lines.push(...table(rows, new Set([0, 4])));
  lines.push("");
  const opList = Object.entries(r.ops).map(([op, n]) => `${op} ${n}`).join(", ");
  lines.push(`${count(r.totals.nodes)} nodes (${opList || "none"})`);
  lines.push(`${count(r.totals.parameters)} parameters, ${bytes(r.totals.bytes)}${r.totals.bytes >= 1024 ? ` (${count(r.totals.bytes)} bytes)` : ""}`);
  if (r.unsupported.length) {
    lines.push(`* not supported by pseudonet's interpreter: ${r.unsupported.join(", ")} (pseudonet run --engine ort runs them with onnxruntime)`);
  }
  return lines.join("\n") + "\n";
}

/** Add the inspect command to the program. */
export function registerInspect(program: Command): void {
  program
    .command("inspect")
    .description("show what is in an ONNX model: inputs, outputs, a per-layer table, parameter totals")
    .argument("<model>", "the .onnx file")
    .option("--json", "print the report as JSON")
    .addHelpText("after", "\nExamples:\n  pseudonet inspect examples/mlp/model.onnx\n  pseudonet inspect model.onnx --json > report.json\n")
    .action((file: string, opts: { json?: boolean }) => {
      const report = inspectModel(openModel(file), file);
      process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + "\n" : formatInspect(report));
    });
}
