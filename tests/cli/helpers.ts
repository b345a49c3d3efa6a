// Running the CLI as a subprocess, and small models built for CLI tests.
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Model, Node, ValueInfo } from "../../src/graph/graph.ts";
import type { Tensor } from "../../src/graph/tensor.ts";
import { repoRoot } from "../helpers/corpus.ts";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `node --import tsx src/cli/main.ts ...args` and collect its exit code and output. */
export function cli(args: readonly string[], opts: { cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", path.join(repoRoot, "src/cli/main.ts"), ...args],
      { cwd: opts.cwd ?? repoRoot, maxBuffer: 64 << 20, env: { ...process.env, FORCE_COLOR: "0" } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A fresh temporary folder. */
export function tmp(): string {
  return mkdtempSync(path.join(tmpdir(), "pseudonet-cli-"));
}

/** A one-graph model from parts, opset 13 unless given. */
export function model(parts: {
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  nodes: Omit<Node, "domain" | "attrs">[] | Node[];
  initializers?: [string, Tensor][];
  opset?: number;
}): Model {
  return {
    graph: {
      name: "test",
      inputs: parts.inputs,
      outputs: parts.outputs,
      nodes: parts.nodes.map((n) => ({ domain: "", attrs: {}, ...n })),
      initializers: new Map(parts.initializers ?? []),
      valueInfo: [],
    },
    opset: new Map([["", parts.opset ?? 13]]),
    irVersion: 8,
    producerName: "pseudonet tests",
    producerVersion: "",
    docString: "",
    metadata: {},
  };
}
