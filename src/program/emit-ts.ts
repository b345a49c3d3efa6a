// program.ts: the program as self-contained TypeScript (no imports). The kernels are the very code the
// Program interpreter runs (src/program/kernels.ts, inlined), weights are embedded as base64 (big ones, when explain
// writes a sidecar, are read from weights.safetensors beside it: see sidecar.ts). Opaque parts become
// functions of straight-line ONNX op calls into the runtime (src/program/rt/*.ts), of which only what they use is copied.
import { readAsset } from "../util/assets.ts";
import { fidelitySummary } from "../verify/metrics.ts";
import { opaqueCode, planPrim, safeName, usedWeights, varDtypes, type PlanArg } from "./emit-plan.ts";
import type { FragmentCode } from "./emit-opaque.ts";
import { bundleRuntime } from "./rt-bundle.ts";
import { constExpr, TS_SIDECAR_READER, weightExpr } from "./emit-sidecar.ts";
import type { TensorStore } from "./json-tensor.ts";
import { SIDECAR_FILE, type Sidecar } from "./sidecar.ts";
import { stmtCode, stmtComment } from "./printer.ts";
import { allPrimStmts, dtypeOfType, entryFn, fixedBatchOf, type Fn, type Program } from "./program.ts";

const KERNELS_TS = ["src/program/kernels.ts", "src/program/kernels-more.ts"];

function num(x: number): string {
  return Number.isNaN(x) ? "NaN" : x === Infinity ? "Infinity" : x === -Infinity ? "-Infinity" : String(x);
}

function arg(a: PlanArg, types: Map<string, string>): string {
  const v = (name: string) => (types.get(name) === "float32" ? safeName(name) : `asArr(${safeName(name)})`);
  switch (a.k) {
    case "var": return v(a.name);
    case "vars": return `[${a.names.map(v).join(", ")}]`;
    case "weight": return `W[${JSON.stringify(a.name)}]`;
    case "num": return num(a.value);
    case "bool": return String(a.value);
    case "str": return JSON.stringify(a.value);
    case "nums": return `[${a.value.map(num).join(", ")}]`;
    case "act": {
      if (!a.value) return "undefined";
      const o = a.value;
      const fields = [`fn: ${JSON.stringify(o.fn)}`];
      if (o.alpha !== undefined) fields.push(`alpha: ${num(o.alpha)}`);
      if (o.min !== undefined) fields.push(`min: ${num(o.min)}`);
      if (o.max !== undefined) fields.push(`max: ${num(o.max)}`);
      return `{ ${fields.join(", ")} }`;
    }
  }
}

function fnName(name: string): string {
  return `fn_${name.replace(/[^A-Za-z0-9_]/g, "_")}`;
}

/** A value of a dtype as program code keeps it: float32 values as kernel arrays, others as typed tensors. */
function typed(expr: string, dtype: string): { type: string; expr: string } {
  return dtype === "float32" ? { type: "Arr", expr: `asArr(${expr})` } : { type: "Ten", expr: `castTen(${expr}, ${JSON.stringify(dtype)})` };
}

function emitFn(f: Fn, frags: Map<string, FragmentCode>): string {
  const types = varDtypes(f);
  const t = (name: string) => (types.get(name) === "float32" ? "Arr" : "Ten");
  const lines = [`function ${fnName(f.name)}(${f.params.map((p) => `${safeName(p.name)}: ${t(p.name)}`).join(", ")}): Val[] {`];
  for (const st of f.body) {
    const comment = stmtComment(st);
    lines.push(`  // ${stmtCode(st)}${comment ? `  # ${comment}` : ""}`);
    if (st.kind === "call") {
      lines.push(`  const [${st.outs.map((o) => safeName(o.name)).join(", ")}] = ${fnName(st.fn)}(${st.args.map(safeName).join(", ")}) as [${st.outs.map((o) => t(o.name)).join(", ")}];`);
      continue;
    }
    const dtype = types.get(st.out.name)!;
    const call = planPrim(st);
    let rhs: { type: string; expr: string };
    if ("args" in call) {
      const expr = `${call.fn}(${call.args.map((a) => arg(a, types)).join(", ")})`;
      rhs = dtype === "float32" ? { type: "Arr", expr } : typed(expr, dtype);
    } else rhs = typed(`${frags.get(st.prim.id)!.name}(${st.args.map(safeName).join(", ")})`, dtype);
    lines.push(`  const ${safeName(st.out.name)}: ${rhs.type} = ${rhs.expr};`);
  }
  lines.push(`  return [${f.returns.map(safeName).join(", ")}];`, "}");
  return lines.join("\n");
}

/** An opaque part as a TypeScript function over runtime tensors. */
export function emitFragment(c: FragmentCode, ops: string): string {
  return [
    `/** ${c.name}: an opaque part (ONNX ops ${ops}), as straight-line calls into the runtime above. */`,
    `function ${c.name}(${c.params.map((p) => `${p}_: Val`).join(", ")}): Ten {`,
    ...c.params.map((p) => `  const ${p} = ten(${p}_);`),
    ...c.body.map((l) => `  ${l}`),
    "}",
  ].join("\n");
}

/** The C table: every constant of the opaque parts, as base64 of its own dtype. */
export function constTable(frags: Iterable<FragmentCode>, sidecar?: Sidecar): string {
  const rows: string[] = [];
  for (const c of frags) {
    for (const [key, t] of c.consts) rows.push(`  ${JSON.stringify(key)}: ${constExpr("ts", sidecar, key, t)},`);
  }
  return `const C: Record<string, Ten> = {\n${rows.join("\n")}\n};`;
}

const RUNTIME = `
type Nested = number | Nested[];
/** A batch: nested arrays (batch axis outermost) or flat data with its shape (batch axis first). */
export type Batch = Nested[] | { data: Float32Array | ArrayLike<number>; shape: number[] };

/** One input as its flat values (float64, so integer inputs keep every digit) and shape. */
function flatten(x: Batch, i: number): { data: ArrayLike<number>; shape: number[] } {
  if (!Array.isArray(x)) return { data: x.data, shape: [...x.shape] };
  const shape: number[] = [];
  for (let v: Nested = x; Array.isArray(v); v = v[0]) shape.push(v.length);
  const data = new Float64Array(sizeOfShape(shape));
  let k = 0;
  const walk = (v: Nested, d: number): void => {
    if (d === shape.length) {
      if (typeof v !== "number") throw new Error(\`input \${i}: ragged nested arrays\`);
      data[k++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[d]) throw new Error(\`input \${i}: ragged nested arrays\`);
    for (const e of v) walk(e, d + 1);
  };
  walk(x, 0);
  return { data, shape };
}

function toNested(a: { data: ArrayLike<number>; shape: number[] }): Nested[] {
  const build = (off: number, d: number): Nested => {
    if (d === a.shape.length) return a.data[off];
    const inner = sizeOfShape(a.shape.slice(d + 1));
    return Array.from({ length: a.shape[d] }, (_, j) => build(off + j * inner, d + 1));
  };
  return build(0, 0) as Nested[];
}

/** Run the program on one batch per model input; outputs come back in the style the first input was given. */
export function run(...inputs: Batch[]): Batch | Batch[] {
  if (inputs.length !== INPUTS.length) throw new Error(\`run() takes \${INPUTS.length} input(s) (\${INPUTS.map((s) => s.name).join(", ")}), got \${inputs.length}\`);
  // Each input is converted to its model dtype: float32 ones become kernel arrays, others typed tensors.
  const xs = inputs.map((x, i): Val => {
    const a = flatten(x, i);
    const want = INPUTS[i].shape;
    if (a.shape.length !== want.length + 1 || want.some((d, k) => d !== -1 && a.shape[k + 1] !== d)) {
      throw new Error(\`input '\${INPUTS[i].name}' should have shape [batch, \${want.join(", ")}], got [\${a.shape.join(", ")}]\`);
    }
    return INPUTS[i].dtype === "float32" ? { data: Float32Array.from(a.data), shape: a.shape } : tensorFrom(INPUTS[i].dtype, a.shape, a.data);
  });
  const outs = inRowChunks(xs, FIXED_BATCH, ENTRY);
  const nested = Array.isArray(inputs[0]);
  const res = outs.map((o) => (nested ? toNested(o) : o));
  return res.length === 1 ? res[0] : res;
}
`;

/** Helpers of the runtime every program.ts uses (value conversions at statement boundaries and in run()). */
const ALWAYS = ["Val", "Ten", "ten", "asArr", "castTen", "tensorFrom", "inRowChunks"];

/** Both kernel files as one block of code: `export`, the file header comments and the import between them dropped. */
export function kernelsTs(): string {
  return KERNELS_TS.map((f) => readAsset(f).replace(/^export /gm, "").replace(/^(\/\/.*\n)+/, "").replace(/^import .*\n/gm, "").trim()).join("\n\n");
}

/** The text of program.ts for a program. */
export function emitTs(p: Program, store: TensorStore = {}): string {
  const sc = store.sidecar;
  const kernels = kernelsTs();
  const weights = [...usedWeights(p)].map(([name, w]) => `  ${JSON.stringify(name)}: ${weightExpr("ts", sc, name, w)},`);
  const frags = opaqueCode(p, "ts");
  const runtimeOps = new Set([...frags.values()].flatMap((c) => [...c.ops]));
  const gaps = [...frags.values()].filter((c) => c.missing.length).map((c) => `${c.name} (${c.missing.join("; ")})`);
  const consts = frags.size ? constTable(frags.values(), sc) : "";
  const sidecar = weights.some((w) => w.includes("sidecarF32(")) || consts.includes("sidecarBytes(");
  const head = [
    sidecar
      ? `// program.ts: ${p.name}, as generated by pseudonet. TypeScript with no dependencies; its big tensors are in ${SIDECAR_FILE} beside it.`
      : `// program.ts: ${p.name}, as generated by pseudonet. Self-contained TypeScript: no imports, no dependencies.`,
    p.fidelity ? `// fidelity vs original ${fidelitySummary(p.fidelity)}` : "// fidelity: not measured",
    "//",
    "// Usage:  import { run } from \"./program.ts\";  const y = run(x);",
    "// x: one batch per model input, batch axis first, as nested arrays (number[][] for a vec[n] input) or as",
    "// { data: Float32Array | number[], shape: [batch, ...] }. Outputs come back in the same style as the first",
    "// input (nested arrays, or { data, shape } with a Float32Array for float outputs); a model with several outputs",
    "// returns an array of them.",
    `// Inputs: ${p.inputs.map((i) => `${i.name} ${i.dtype === "float32" ? "" : `${i.dtype} `}[batch, ${i.shape.join(", ")}]`).join("; ")}. Outputs: ${p.outputs.map((o) => `${o.name} [batch, ${o.shape.join(", ")}]`).join("; ")}.`,
  ];
  if (runtimeOps.size) head.push(`// Opaque parts run on the ONNX op runtime below (${[...runtimeOps].sort().join(", ")}).`);
  if (gaps.length) head.push(`// NOT RUNNABLE here: ${gaps.join("; ")}. Use reconstructed.onnx for those.`);
  const parts = [
    head.join("\n"),
    ...(sidecar ? ['import { readFileSync } from "node:fs";'] : []),
    "// ---- kernels (the same code pseudonet's Program interpreter runs) ----",
    kernels.trim(),
    "// ---- runtime: the ONNX ops of the opaque parts, and value conversions (src/program/rt/*.ts) ----",
    bundleRuntime("ts", [...ALWAYS, ...runtimeOps, ...(frags.size ? ["constant"] : [])]),
    ...(sidecar ? [TS_SIDECAR_READER] : []),
    `// ---- weights: base64 little-endian float32${sidecar ? `, or from ${SIDECAR_FILE}` : ""} ----`,
    `const W: Record<string, Float32Array> = {\n${weights.join("\n")}\n};`,
  ];
  if (frags.size) {
    parts.push(`// ---- constants of the opaque parts: base64 little-endian, in their own dtype${sidecar ? `, or from ${SIDECAR_FILE}` : ""} ----`, consts);
    parts.push("// ---- opaque parts ----");
    for (const { stmt } of allPrimStmts(p)) {
      if (frags.has(stmt.prim.id)) parts.push(emitFragment(frags.get(stmt.prim.id)!, stmt.prim.kind === "opaque" ? stmt.prim.params.ops.join(", ") : stmt.prim.kind));
    }
  }
  parts.push("// ---- the program ----", ...p.functions.map((f) => emitFn(f, frags)));
  parts.push(`const INPUTS: { name: string; dtype: string; shape: number[] }[] = ${JSON.stringify(p.inputs.map((i) => ({ name: i.name, dtype: i.dtype, shape: i.shape })))};`);
  const entry = entryFn(p);
  parts.push(`/** Rows per run when the model was exported for a fixed batch (0: any number). */\nconst FIXED_BATCH = ${fixedBatchOf(p)};`);
  parts.push(`const ENTRY = (...xs: Val[]): Val[] => ${fnName(entry.name)}(${entry.params.map((v, i) => `xs[${i}] as ${dtypeOfType(v.type) === "float32" ? "Arr" : "Ten"}`).join(", ")});`);
  parts.push(RUNTIME.trim());
  return parts.join("\n\n") + "\n";
}
