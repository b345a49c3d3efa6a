// program.py: the program as self-contained Python (numpy only). The kernels are src/program/kernels.py,
// the numpy twin of the TypeScript kernels, inlined; weights are embedded as base64 (big ones, when explain writes a
// sidecar, are read from weights.safetensors beside it: see sidecar.ts). Opaque parts become functions
// of straight-line ONNX op calls into the numpy runtime (src/program/rt/*.py), of which only what they use is copied.
import { readAsset } from "../util/assets.ts";
import { fidelitySummary } from "../verify/metrics.ts";
import { opaqueCode, planPrim, safeName, usedWeights, varDtypes, type PlanArg } from "./emit-plan.ts";
import type { FragmentCode } from "./emit-opaque.ts";
import { bundleRuntime } from "./rt-bundle.ts";
import { constExpr, PY_SIDECAR_READER, weightExpr } from "./emit-sidecar.ts";
import type { TensorStore } from "./json-tensor.ts";
import { SIDECAR_FILE, type Sidecar } from "./sidecar.ts";
import { stmtCode, stmtComment } from "./printer.ts";
import { allPrimStmts, entryFn, fixedBatchOf, type Fn, type Program } from "./program.ts";

const KERNELS_PY = "src/program/kernels.py";

/** TS kernel name -> Python kernel name. */
const PY_NAME: Record<string, string> = { maxMin: "max_min", sortLast: "sort_last", sortAll: "sort_all" };

function num(x: number): string {
  return Number.isNaN(x) ? "float('nan')" : x === Infinity ? "float('inf')" : x === -Infinity ? "float('-inf')" : String(x);
}

function arg(a: PlanArg, types: Map<string, string>): string {
  const v = (name: string) => (types.get(name) === "float32" ? safeName(name) : `as_dtype(${safeName(name)}, "float32")`);
  switch (a.k) {
    case "var": return v(a.name);
    case "vars": return `[${a.names.map(v).join(", ")}]`;
    case "weight": return `W[${JSON.stringify(a.name)}]`;
    case "num": return num(a.value);
    case "bool": return a.value ? "True" : "False";
    case "str": return JSON.stringify(a.value);
    case "nums": return `[${a.value.map(num).join(", ")}]`;
    case "act": {
      if (!a.value) return "None";
      const o = a.value;
      const fields = [`"fn": ${JSON.stringify(o.fn)}`];
      if (o.alpha !== undefined) fields.push(`"alpha": ${num(o.alpha)}`);
      if (o.min !== undefined) fields.push(`"min": ${num(o.min)}`);
      if (o.max !== undefined) fields.push(`"max": ${num(o.max)}`);
      return `{${fields.join(", ")}}`;
    }
  }
}

function fnName(name: string): string {
  return `fn_${name.replace(/[^A-Za-z0-9_]/g, "_")}`;
}

function emitFn(f: Fn, frags: Map<string, FragmentCode>): string {
  const types = varDtypes(f);
  const lines = [`def ${fnName(f.name)}(${f.params.map((p) => safeName(p.name)).join(", ")}):`];
  for (const st of f.body) {
    const comment = stmtComment(st);
    lines.push(`    # ${stmtCode(st)}${comment ? `  # ${comment}` : ""}`);
    if (st.kind === "call") {
      lines.push(`    ${st.outs.map((o) => safeName(o.name)).join(", ")}, = ${fnName(st.fn)}(${st.args.map(safeName).join(", ")})`);
      continue;
    }
    const dtype = types.get(st.out.name)!;
    const call = planPrim(st);
    const rhs = "args" in call
      ? `${PY_NAME[call.fn] ?? call.fn}(${call.args.map((a) => arg(a, types)).join(", ")})`
      : `${frags.get(st.prim.id)!.name}(${st.args.map(safeName).join(", ")})`;
    lines.push(`    ${safeName(st.out.name)} = ${"args" in call && dtype === "float32" ? rhs : `as_dtype(${rhs}, ${JSON.stringify(dtype)})`}`);
  }
  lines.push(`    return (${f.returns.map(safeName).join(", ")},)`);
  return lines.join("\n");
}

/** An opaque part as a Python function over numpy arrays. */
export function emitFragment(c: FragmentCode, ops: string): string {
  return [
    `def ${c.name}(${c.params.join(", ")}):`,
    `    """${c.name}: an opaque part (ONNX ops ${ops}), as straight-line calls into the runtime above."""`,
    ...c.body.map((l) => `    ${l}`),
  ].join("\n");
}

/** The C table: every constant of the opaque parts, as base64 of its own dtype. */
export function constTable(frags: Iterable<FragmentCode>, sidecar?: Sidecar): string {
  const rows: string[] = [];
  for (const c of frags) {
    for (const [key, t] of c.consts) rows.push(`    ${JSON.stringify(key)}: ${constExpr("py", sidecar, key, t)},`);
  }
  return `C = {\n${rows.join("\n")}\n}`;
}

/** numpy dtype names for the model's output dtypes. */
const NP_DTYPE: Record<string, string> = {
  float32: "float32", float64: "float64", float16: "float16", int8: "int8", int16: "int16", int32: "int32", int64: "int64",
  uint8: "uint8", uint16: "uint16", uint32: "uint32", uint64: "uint64", bool: "bool_",
};

/** The kernel code (kernels.py without its header comment; it starts with its imports). */
export function kernelsPy(): string {
  return readAsset(KERNELS_PY).replace(/^#.*\n#.*\n#.*\n/, "");
}

/** The text of program.py for a program. */
export function emitPy(p: Program, store: TensorStore = {}): string {
  const sc = store.sidecar;
  const kernels = kernelsPy();
  const weights = [...usedWeights(p)].map(([name, w]) => `    ${JSON.stringify(name)}: ${weightExpr("py", sc, name, w)},`);
  const frags = opaqueCode(p, "py");
  const runtimeOps = new Set([...frags.values()].flatMap((c) => [...c.ops]));
  const gaps = [...frags.values()].filter((c) => c.missing.length).map((c) => `${c.name} (${c.missing.join("; ")})`);
  const entry = entryFn(p);
  const consts = frags.size ? constTable(frags.values(), sc) : "";
  const sidecar = weights.some((w) => w.includes("sidecar_f32(")) || consts.includes("sidecar_bytes(");
  const head = [
    sidecar
      ? `"""${p.name}, as generated by pseudonet: Python, numpy only; its big tensors are in ${SIDECAR_FILE} beside it.`
      : `"""${p.name}, as generated by pseudonet: self-contained Python, numpy only.`,
    "",
    p.fidelity ? `Fidelity vs original ${fidelitySummary(p.fidelity)}` : "Fidelity: not measured.",
    "",
    "Usage:  from program import run;  y = run(x)",
    "x: one numpy array per model input, in the model's layout (batch axis first). Returns the outputs in the model's",
    "layout and dtypes: one array, or a tuple when the model has several outputs.",
    `Inputs: ${p.inputs.map((i) => `${i.name} ${i.dtype === "float32" ? "" : `${i.dtype} `}[batch, ${i.shape.join(", ")}]`).join("; ")}. Outputs: ${p.outputs.map((o) => `${o.name} [batch, ${o.shape.join(", ")}]`).join("; ")}.`,
  ];
  if (runtimeOps.size) head.push(`Opaque parts run on the ONNX op runtime below (${[...runtimeOps].sort().join(", ")}).`);
  if (gaps.length) head.push(`NOT RUNNABLE here: ${gaps.join("; ")}. Use reconstructed.onnx for those.`);
  head.push('"""');
  const parts = [
    head.join("\n"),
    "# ---- kernels (the numpy twin of pseudonet's Program interpreter) ----",
    kernels.trim(),
    "# ---- runtime: the ONNX ops of the opaque parts, and value conversions (src/program/rt/*.py) ----",
    ["import math", bundleRuntime("py", ["NP_TYPES", "as_dtype", ...runtimeOps, ...(frags.size ? ["constant"] : [])])].join("\n\n\n"),
    ...(sidecar ? [PY_SIDECAR_READER] : []),
    `# ---- weights: base64 little-endian float32${sidecar ? `, or from ${SIDECAR_FILE}` : ""} ----`,
    `W = {\n${weights.join("\n")}\n}`,
  ];
  if (frags.size) {
    parts.push(`# ---- constants of the opaque parts: base64 little-endian, in their own dtype${sidecar ? `, or from ${SIDECAR_FILE}` : ""} ----`, consts);
    parts.push("# ---- opaque parts ----");
    for (const { stmt } of allPrimStmts(p)) {
      if (frags.has(stmt.prim.id)) parts.push(emitFragment(frags.get(stmt.prim.id)!, stmt.prim.kind === "opaque" ? stmt.prim.params.ops.join(", ") : stmt.prim.kind));
    }
  }
  parts.push("# ---- the program ----", ...p.functions.map((f) => emitFn(f, frags)));
  parts.push(`INPUTS = ${JSON.stringify(p.inputs.map((i) => [i.name, i.dtype, i.shape]))}
OUTPUT_DTYPES = [${p.outputs.map((o) => `np.${NP_DTYPE[o.dtype] ?? "float32"}`).join(", ")}]
FIXED_BATCH = ${fixedBatchOf(p)}  # rows per run when the model was exported for a fixed batch (0: any number)


def run(*inputs):
    """Run the program on one array per model input (batch axis first); one output, or a tuple of them."""
    if len(inputs) != len(INPUTS):
        raise ValueError("run() takes %d input(s) (%s), got %d" % (len(INPUTS), ", ".join(n for n, _, _ in INPUTS), len(inputs)))
    xs = []
    for x, (name, dtype, shape) in zip(inputs, INPUTS):
        a = np.asarray(x)
        if a.ndim != len(shape) + 1 or any(d != -1 and d != e for d, e in zip(shape, a.shape[1:])):
            raise ValueError("input '%s' should have shape [batch, %s], got %s" % (name, ", ".join(map(str, shape)), list(a.shape)))
        xs.append(as_dtype(a, dtype))
    n = xs[0].shape[0] if xs else 0
    if FIXED_BATCH and n > FIXED_BATCH and all(x.shape[0] == n for x in xs):
        # A fixed-batch export (its reshapes baked for FIXED_BATCH rows) runs that many rows at a time.
        parts = [${fnName(entry.name)}(*[x[a:a + FIXED_BATCH] for x in xs]) for a in range(0, n, FIXED_BATCH)]
        res = [np.concatenate([p[k] for p in parts]) for k in range(len(parts[0]))]
    else:
        res = ${fnName(entry.name)}(*xs)
    outs = [o.astype(t) for o, t in zip(res, OUTPUT_DTYPES)]
    return outs[0] if len(outs) == 1 else tuple(outs)`);
  return parts.join("\n\n\n") + "\n";
}
