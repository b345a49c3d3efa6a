// Run many opaque parts (FragmentCode) through the emitted runtimes at once: all of them in one generated
// TypeScript module (imported into this process) or one generated Python file (one python3 process), exactly as
// program.ts / program.py embed them (bundleRuntime, constTable, emitFragment). Used by the op-by-op runtime tests.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { allocData, type DType, type NumericArray, type Tensor } from "../../src/graph/tensor.ts";
import type { FragmentCode } from "../../src/program/emit-opaque.ts";
import * as ts from "../../src/program/emit-ts.ts";
import * as py from "../../src/program/emit-py.ts";
import { bundleRuntime, runtimeOps } from "../../src/program/rt-bundle.ts";
import { encodeValues } from "../../src/program/json-tensor.ts";

/** One call: a fragment and the values of its parameters. */
export interface FragmentRun {
  frag: FragmentCode;
  feeds: Tensor[];
}

/** A fragment's result: its output, or the error its code raised. */
export type FragmentResult = { value: Tensor } | { error: string };

/** Every fragment run as TypeScript, in this process. */
export async function runFragmentsTs(runs: FragmentRun[]): Promise<FragmentResult[]> {
  const frags = runs.map((r) => r.frag);
  const src = [
    bundleRuntime("ts", ["ten", "constant", ...runtimeOps().keys()]),
    ts.kernelsTs(),
    ts.constTable(frags),
    ...frags.map((f) => ts.emitFragment(f, "test")),
    `export const FNS: Record<string, (...xs: Val[]) => Ten> = { ${frags.map((f) => f.name).join(", ")} };`,
  ].join("\n\n");
  const file = path.join(mkdtempSync(path.join(tmpdir(), "pseudonet-rt-")), "runtime.ts");
  writeFileSync(file, src);
  const { FNS } = (await import(pathToFileURL(file).href)) as { FNS: Record<string, (...xs: Tensor[]) => Tensor> };
  return runs.map((r) => {
    try {
      return { value: FNS[r.frag.name](...r.feeds) };
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) };
    }
  });
}

/** Every fragment run as Python, in one python3 process (values travel as float64, dtypes by name). */
export function runFragmentsPy(python: string, runs: FragmentRun[]): FragmentResult[] {
  const frags = runs.map((r) => r.frag);
  const dir = mkdtempSync(path.join(tmpdir(), "pseudonet-rt-py-"));
  const enc = (x: Tensor) => ({ dtype: x.dtype, shape: x.shape, data: encodeValues("float64", x.data as NumericArray) });
  writeFileSync(path.join(dir, "cases.json"), JSON.stringify(runs.map((r) => ({ fn: r.frag.name, inputs: r.feeds.map(enc) }))));
  const src = [
    py.kernelsPy(),
    "import math",
    bundleRuntime("py", ["constant", "NP_TYPES", ...runtimeOps().keys()]),
    py.constTable(frags),
    ...frags.map((f) => py.emitFragment(f, "test")),
    `import json, sys
out = {}
for case in json.load(open(sys.argv[1])):
    xs = [np.frombuffer(base64.b64decode(x["data"]), dtype="<f8").astype(NP_TYPES[x["dtype"]]).reshape(x["shape"]) for x in case["inputs"]]
    try:
        with np.errstate(all="ignore"):
            y = np.asarray(globals()[case["fn"]](*xs))
        out[case["fn"]] = {"dtype": "bool" if y.dtype == np.bool_ else str(y.dtype), "shape": list(y.shape),
                           "data": base64.b64encode(np.ascontiguousarray(y, dtype="<f8").tobytes()).decode()}
    except Exception as e:
        out[case["fn"]] = {"error": "%s: %s" % (type(e).__name__, e)}
json.dump(out, open(sys.argv[2], "w"))`,
  ].join("\n\n\n");
  writeFileSync(path.join(dir, "runtime.py"), src);
  const r = spawnSync(python, [path.join(dir, "runtime.py"), path.join(dir, "cases.json"), path.join(dir, "out.json")], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`python runtime failed: ${r.stderr}`);
  const out = JSON.parse(readFileSync(path.join(dir, "out.json"), "utf8")) as Record<string, { dtype: DType; shape: number[]; data: string } | { error: string }>;
  return runs.map(({ frag }) => {
    const o = out[frag.name];
    if (!o) return { error: "no result" };
    if ("error" in o) return { error: o.error };
    const f64 = new Float64Array(new Uint8Array(Buffer.from(o.data, "base64")).buffer);
    const data = allocData(o.dtype, f64.length) as NumericArray;
    data.set(f64);
    return { value: { dtype: o.dtype, shape: o.shape, data } };
  });
}
