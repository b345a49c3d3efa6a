// The emitted runtime (src/program/rt) op by op: every case of runtime-cases.ts becomes an opaque part exactly as
// explain emits one (emit-opaque.ts, emitFragment, constTable), is run as TypeScript (imported into this process)
// and as Python (all cases in one python3 process), and must equal pseudonet's interpreter kernel (runNode) on the
// same inputs: same dtype and shape, floats up to rounding, integers and bools exactly.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Graph, Node } from "../../src/graph/graph.ts";
import type { Tensor } from "../../src/graph/tensor.ts";
import { runNode } from "../../src/run/interp.ts";
import { fragmentCode, type FragmentCode } from "../../src/program/emit-opaque.ts";
import * as ts from "../../src/program/emit-ts.ts";
import * as py from "../../src/program/emit-py.ts";
import { runtimeDecls, runtimeOps, splitDecls } from "../../src/program/rt-bundle.ts";
import { findPython } from "../../src/verify/artifacts.ts";
import { mismatch } from "../helpers/allclose.ts";
import { runFragmentsPy, runFragmentsTs, type FragmentResult, type FragmentRun } from "../helpers/run-fragments.ts";
import { opCases, type OpCase } from "./runtime-cases.ts";

interface Built {
  c: OpCase;
  /** One fragment per node output (a fragment returns one value). */
  frags: FragmentCode[];
  feeds: Tensor[];
  expected: Tensor[];
}

/** The case as a one-node Graph fragment per output, its graph-input values, and the interpreter's outputs. */
function build(c: OpCase, k: number, lang: "ts" | "py"): Built {
  const feeds: Tensor[] = [];
  const inits = new Map<string, Tensor>();
  const all: (Tensor | undefined)[] = [];
  const names = c.inputs.map((inp, i) => {
    if (inp === null) return (all.push(undefined), "");
    if ("init" in inp) return (inits.set(`c${i}`, inp.init), all.push(inp.init), `c${i}`);
    feeds.push(inp);
    all.push(inp);
    return `in${i}`;
  });
  const outs = Array.from({ length: c.outputs ?? 1 }, (_, j) => `out${j}`);
  const node: Node = { name: `node_${k}`, op: c.op, domain: "", inputs: names, outputs: outs, attrs: c.attrs ?? {} };
  const opset = new Map([["", c.opset]]);
  const expected = runNode(node, opset, all);
  const frags = outs.map((o, j) => {
    const graph: Graph = {
      name: `case_${k}`,
      inputs: names.filter((n) => n.startsWith("in")).map((n, i) => ({ name: n, dtype: feeds[i].dtype, shape: feeds[i].shape })),
      outputs: [{ name: o, dtype: expected[j].dtype, shape: expected[j].shape }],
      nodes: [node],
      initializers: inits,
      valueInfo: [],
    };
    return fragmentCode(`case_${k}_${j}`, { graph, opset, ops: [c.op], reason: "test", perSample: true }, lang);
  });
  return { c, frags, feeds, expected };
}

function compare(b: Built, j: number, got: Tensor, lang: string): string | undefined {
  const why = mismatch(got, b.expected[j], 1e-5, 1e-6);
  return why && `${b.c.name} (${b.c.op}) output ${j}, ${lang}: ${why}`;
}

const cases = opCases();

describe("the emitted runtime's ops equal the interpreter's kernels", () => {
  it("covers every op the runtime implements, in TypeScript and in Python with the same calling convention", () => {
    const ops = runtimeOps();
    assert.deepEqual([...ops.keys()].filter((op) => !cases.some((c) => c.op === op)), [], "ops without a case");
    const pySigs = new Map(runtimeDecls("py").flatMap((d) => {
      const m = /^def ([A-Z]\w*)\(([^)]*)\)/m.exec(d.text);
      return m ? [[m[1], m[2].split(",").map((p) => p.trim()).filter(Boolean)] as const] : [];
    }));
    for (const [op, sig] of ops) {
      const params = pySigs.get(op);
      assert.ok(params, `rt/*.py has no ${op}`);
      const inputs = params.filter((p) => p !== "at");
      assert.equal(inputs.length, sig.inputs, `${op}: python takes ${inputs.length} inputs, TypeScript ${sig.inputs}`);
      assert.equal(params.includes("at"), sig.attrs !== null, `${op}: attributes parameter`);
      assert.equal(inputs[0] === "xs", sig.variadic, `${op}: variadic`);
    }
    assert.deepEqual([...pySigs.keys()].filter((op) => !ops.has(op)), [], "python ops missing from the TypeScript runtime");
  });

  it("declares no name the program kernels also declare", () => {
    const kTs = new Set(splitDecls(ts.kernelsTs(), "ts").map((d) => d.name));
    const kPy = new Set(splitDecls(py.kernelsPy(), "py").map((d) => d.name));
    assert.deepEqual(runtimeDecls("ts").map((d) => d.name).filter((n) => kTs.has(n)), []);
    assert.deepEqual(runtimeDecls("py").map((d) => d.name).filter((n) => kPy.has(n)), []);
  });

  /** Every case's fragments run in one language; the mismatches and errors, named. */
  function check(built: Built[], results: FragmentResult[], lang: string): string[] {
    const bad: string[] = [];
    let at = 0;
    for (const b of built) {
      b.frags.forEach((_, j) => {
        const r = results[at++];
        const why = "error" in r ? r.error : compare(b, j, r.value, lang);
        if (why) bad.push("error" in r ? `${b.c.name} (${b.c.op}), ${lang}: ${why}` : why);
      });
    }
    return bad;
  }

  const runsOf = (built: Built[]): FragmentRun[] => built.flatMap((b) => b.frags.map((frag) => ({ frag, feeds: b.feeds })));

  it("TypeScript: every case, through the emitted code", async () => {
    const built = cases.map((c, k) => build(c, k, "ts"));
    for (const f of built.flatMap((b) => b.frags)) assert.deepEqual(f.missing, [], `${f.name} cannot be emitted`);
    assert.deepEqual(check(built, await runFragmentsTs(runsOf(built)), "ts"), []);
  });

  it("Python: every case, through the emitted code, in one python3 process", (t) => {
    const { python, reason } = findPython();
    if (!python) return t.skip(`python3 with numpy missing: ${reason}`);
    const built = cases.map((c, k) => build(c, k, "py"));
    assert.deepEqual(check(built, runFragmentsPy(python, runsOf(built)), "py"), []);
  });
});

describe("what the runtime cannot run is named, never skipped silently", () => {
  const frag = (node: Partial<Node>): FragmentCode => {
    const n: Node = { name: "n0", op: "Add", domain: "", inputs: ["x"], outputs: ["y"], attrs: {}, ...node };
    const graph: Graph = { name: "g", inputs: [{ name: "x", dtype: "float32", shape: [2] }], outputs: [{ name: "y", dtype: "float32", shape: [2] }], nodes: [n], initializers: new Map(), valueInfo: [] };
    return fragmentCode("opaque_9", { graph, opset: new Map([["", 13]]), ops: [n.op], reason: "test", perSample: true }, "ts");
  };

  it("an op with no runtime code, an unsupported attribute, a custom domain, an extra output", () => {
    assert.deepEqual(frag({ op: "Add", inputs: ["x", "x"], attrs: { broadcast: { kind: "int", value: 1 } } }).missing, ["Add (n0): attribute 'broadcast' is not supported"]);
    assert.deepEqual(frag({ op: "Gelu", domain: "com.microsoft" }).missing, ["no com.microsoft.Gelu"]);
    assert.deepEqual(frag({ op: "MaxPool", outputs: ["y", "idx"], attrs: { kernel_shape: { kind: "ints", value: [2] } } }).missing, ["MaxPool (n0): only its first output is supported"]);
    const c = frag({ op: "Gelu", domain: "com.microsoft" });
    assert.equal(c.body.length, 1);
    assert.match(c.body[0], /^throw new Error\("program\.ts cannot run opaque_9 \(no com\.microsoft\.Gelu\): its runtime has no code for that; run reconstructed\.onnx instead"\);$/);
  });

  it("a node the runtime lacks still defines its outputs: the nodes reading them are emitted (regression)", () => {
    // Once: "opaque_9: value 'h' is read before it is computed" for GRU -> Linear, InstanceNormalization -> Mul,
    // HardSigmoid -> Mul: the skipped node's outputs were never named, so the next node's read threw.
    const nodes: Node[] = [
      { name: "n0", op: "Gelu", domain: "com.microsoft", inputs: ["x"], outputs: ["h"], attrs: {} },
      { name: "n1", op: "Mul", domain: "", inputs: ["h", "x"], outputs: ["y"], attrs: {} },
      { name: "n2", op: "Gelu", domain: "custom", inputs: ["y"], outputs: ["z"], attrs: {} },
    ];
    const graph: Graph = { name: "g", inputs: [{ name: "x", dtype: "float32", shape: [2] }], outputs: [{ name: "z", dtype: "float32", shape: [2] }], nodes, initializers: new Map(), valueInfo: [] };
    for (const lang of ["ts", "py"] as const) {
      const c = fragmentCode("opaque_9", { graph, opset: new Map([["", 13]]), ops: ["Gelu", "Mul"], reason: "test", perSample: true }, lang);
      assert.deepEqual(c.missing, ["no com.microsoft.Gelu", "no custom.Gelu"]);
      assert.equal(c.body.length, 1);
    }
  });
});
