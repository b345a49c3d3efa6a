// ONNX backend node tests (../shared/corpus/onnx-node-tests): our interpreter against the conformance vectors.
// A case whose ops all have a kernel must match (rtol 1e-3, atol 1e-7, as upstream); a case with an op that
// has no kernel yet is "unsupported", not a failure; cases in skip.ts are deliberately out of scope.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { Graph } from "../../src/graph/graph.ts";
import { findOp } from "../../src/ops/registry.ts";
import { readModel } from "../../src/onnx/read.ts";
import { runModel } from "../../src/run/interp.ts";
import { mismatch } from "../helpers/allclose.ts";
import { listNodeTests, loadData, NO_CORPUS } from "../helpers/corpus.ts";
import { skipReason } from "./skip.ts";

const RTOL = 1e-3;
const ATOL = 1e-7;

interface Tally {
  passed: string[];
  failed: string[];
  unsupported: Map<string, string[]>;
  skipped: Map<string, string[]>;
}
const tally: Tally = { passed: [], failed: [], unsupported: new Map(), skipped: new Map() };

function push(m: Map<string, string[]>, key: string, value: string): void {
  m.set(key, [...(m.get(key) ?? []), value]);
}

/** Op types (domain-qualified outside the default domain) with no kernel, including in subgraphs. */
function missingOps(g: Graph, out = new Set<string>()): Set<string> {
  for (const n of g.nodes) {
    if (!findOp(n.op, n.domain)) out.add(n.domain ? `${n.domain}.${n.op}` : n.op);
    for (const a of Object.values(n.attrs)) {
      if (a.kind === "graph") missingOps(a.value, out);
      if (a.kind === "graphs") a.value.forEach((s) => missingOps(s, out));
    }
  }
  return out;
}

const dirs = listNodeTests();

describe("onnx node tests", () => {
  if (dirs.length === 0) {
    it("corpus", (t) => t.skip(NO_CORPUS));
    return;
  }
  for (const dir of dirs) {
    const name = path.basename(dir);
    it(name, (t) => {
      const skip = skipReason(name);
      if (skip) {
        push(tally.skipped, skip, name);
        t.skip(skip);
        return;
      }
      try {
        const model = readModel(path.join(dir, "model.onnx"));
        const missing = [...missingOps(model.graph)].sort();
        if (missing.length) {
          for (const op of missing) push(tally.unsupported, op, name);
          t.skip(`no kernel yet for ${missing.join(", ")}`);
          return;
        }
        const { inputs, outputs } = loadData(model, dir);
        const got = runModel(model, inputs, { outputs: Object.keys(outputs) });
        for (const [out, want] of Object.entries(outputs)) {
          const diff = mismatch(got[out], want, RTOL, ATOL);
          assert.equal(diff, undefined, `output '${out}': ${diff}`);
        }
      } catch (e) {
        tally.failed.push(name);
        throw e;
      }
      tally.passed.push(name);
    });
  }

  after(() => {
    const unsupportedCases = new Set([...tally.unsupported.values()].flat());
    const lines = [`conformance: ${tally.passed.length} passed, ${tally.failed.length} failed, ${unsupportedCases.size} unsupported`];
    if (tally.failed.length) lines.push(`failed: ${tally.failed.join(", ")}`);
    if (tally.unsupported.size) {
      lines.push("unsupported (no kernel yet), by op:");
      for (const [op, cases] of [...tally.unsupported].sort((a, b) => a[0].localeCompare(b[0]))) {
        lines.push(`  ${op} (${cases.length}): ${cases.join(", ")}`);
      }
    }
    if (tally.skipped.size) {
      lines.push("skipped on purpose:");
      for (const [reason, cases] of tally.skipped) lines.push(`  ${reason} (${cases.length}): ${cases.join(", ")}`);
    }
    console.log(lines.join("\n"));
  });
});
