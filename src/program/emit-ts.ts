// program.ts: the program as self-contained TypeScript (no imports). The kernels are the very code the
// Program interpreter runs (src/program/kernels.ts, inlined), weights are embedded as base64.
import { readFileSync } from "node:fs";
import { fidelitySummary } from "../verify/metrics.ts";
import { opaqueParts, planPrim, safeName, usedWeights, type PlanArg } from "./emit-plan.ts";
import { encodeValues } from "./json-tensor.ts";
import { stmtCode, stmtComment } from "./printer.ts";
import { entryFn, type Fn, type Program } from "./program.ts";

const KERNELS_TS = [new URL("./kernels.ts", import.meta.url), new URL("./kernels-more.ts", import.meta.url)];

function num(x: number): string {
  return Number.isNaN(x) ? "NaN" : x === Infinity ? "Infinity" : x === -Infinity ? "-Infinity" : String(x);
}

function arg(a: PlanArg): string {
  switch (a.k) {
    case "var": return safeName(a.name);
    case "vars": return `[${a.names.map(safeName).join(", ")}]`;
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

function emitFn(f: Fn): string {
  const lines = [`function ${fnName(f.name)}(${f.params.map((p) => `${safeName(p.name)}: Arr`).join(", ")}): Arr[] {`];
  for (const st of f.body) {
    const comment = stmtComment(st);
    lines.push(`  // ${stmtCode(st)}${comment ? `  # ${comment}` : ""}`);
    if (st.kind === "call") {
      lines.push(`  const [${st.outs.map((o) => safeName(o.name)).join(", ")}] = ${fnName(st.fn)}(${st.args.map(safeName).join(", ")});`);
      continue;
    }
    const call = planPrim(st);
    const rhs = "args" in call
      ? `${call.fn}(${call.args.map(arg).join(", ")})`
      : `unsupported(${JSON.stringify(call.label)}, ${JSON.stringify(call.ops.join(", "))})`;
    lines.push(`  const ${safeName(st.out.name)}: Arr = ${rhs};`);
  }
  lines.push(`  return [${f.returns.map(safeName).join(", ")}];`, "}");
  return lines.join("\n");
}

const RUNTIME = `
type Nested = number | Nested[];
/** A batch: nested arrays (batch axis outermost) or flat data with its shape (batch axis first). */
export type Batch = Nested[] | { data: Float32Array | ArrayLike<number>; shape: number[] };

function toArr(x: Batch, i: number): Arr {
  if (!Array.isArray(x)) return { data: Float32Array.from(x.data), shape: [...x.shape] };
  const shape: number[] = [];
  for (let v: Nested = x; Array.isArray(v); v = v[0]) shape.push(v.length);
  const data = new Float32Array(sizeOfShape(shape));
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

function toNested(a: Arr): Nested[] {
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
  const xs = inputs.map((x, i) => {
    const a = toArr(x, i);
    const want = INPUTS[i].shape;
    if (a.shape.length !== want.length + 1 || want.some((d, k) => d !== -1 && a.shape[k + 1] !== d)) {
      throw new Error(\`input '\${INPUTS[i].name}' should have shape [batch, \${want.join(", ")}], got [\${a.shape.join(", ")}]\`);
    }
    return a;
  });
  const outs = ENTRY(...xs);
  const nested = Array.isArray(inputs[0]);
  const res = outs.map((o) => (nested ? toNested(o) : o));
  return res.length === 1 ? res[0] : res;
}
`;

/** The text of program.ts for a program. */
export function emitTs(p: Program): string {
  // Inline both kernel files: drop `export`, the file header comment and the import between them.
  const kernels = KERNELS_TS.map((u) => readFileSync(u, "utf8").replace(/^export /gm, "").replace(/^(\/\/.*\n)+/, "").replace(/^import .*\n/gm, "").trim()).join("\n\n");
  const weights = [...usedWeights(p)].map(([name, w]) => `  ${JSON.stringify(name)}: fromBase64(${JSON.stringify(encodeValues("float32", w.data))}),`);
  const opaque = opaqueParts(p);
  const head = [
    `// program.ts: ${p.name}, as generated by pseudonet. Self-contained TypeScript: no imports, no dependencies.`,
    p.fidelity ? `// fidelity vs original ${fidelitySummary(p.fidelity)}` : "// fidelity: not measured",
    "//",
    "// Usage:  import { run } from \"./program.ts\";  const y = run(x);",
    "// x: one batch per model input, batch axis first, as nested arrays (number[][] for a vec[n] input) or as",
    "// { data: Float32Array | number[], shape: [batch, ...] }. Outputs come back in the same style as the first",
    "// input (nested arrays, or { data: Float32Array, shape }); a model with several outputs returns an array of them.",
    `// Inputs: ${p.inputs.map((i) => `${i.name} [batch, ${i.shape.join(", ")}]`).join("; ")}. Outputs: ${p.outputs.map((o) => `${o.name} [batch, ${o.shape.join(", ")}]`).join("; ")}.`,
  ];
  if (opaque.length) head.push(`// Not runnable here: ${opaque.join("; ")} (opaque ONNX parts). Use reconstructed.onnx for those.`);
  const parts = [
    head.join("\n"),
    "// ---- kernels (the same code pseudonet's Program interpreter runs) ----",
    kernels.trim(),
    "// ---- weights: base64 little-endian float32 ----",
    `const W: Record<string, Float32Array> = {\n${weights.join("\n")}\n};`,
  ];
  if (opaque.length) {
    parts.push(`function unsupported(label: string, ops: string): never {\n  throw new Error(\`program.ts cannot run \${label} (ONNX ops: \${ops}), a part pseudonet does not explain yet; run reconstructed.onnx instead\`);\n}`);
  }
  parts.push("// ---- the program ----", ...p.functions.map(emitFn));
  parts.push(`const INPUTS: { name: string; shape: number[] }[] = ${JSON.stringify(p.inputs.map((i) => ({ name: i.name, shape: i.shape })))};`);
  parts.push(`const ENTRY = (...xs: Arr[]): Arr[] => ${fnName(entryFn(p).name)}(${entryFn(p).params.map((_, i) => `xs[${i}]`).join(", ")});`);
  parts.push(RUNTIME.trim());
  return parts.join("\n\n") + "\n";
}
