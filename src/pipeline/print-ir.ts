// Print whichever IR a (partial) explain pipeline run has reached: Graph, Net, probe statistics or Program.
import type { Model } from "../graph/graph.ts";
import { printNet } from "../net/print.ts";
import { printProgram } from "../program/printer.ts";
import { UserError } from "../errors.ts";
import type { ExplainState } from "./explain.ts";

export type IRName = "graph" | "net" | "stats" | "program";

function printGraph(m: Model): string {
  const g = m.graph;
  const dims = (s: (number | string | null)[] | null) => (s ? `[${s.map((d) => d ?? "?").join(", ")}]` : "(unknown shape)");
  const lines = [`graph ${g.name} (opset ${m.opset.get("") ?? "?"}, ${g.nodes.length} nodes, ${g.initializers.size} initialisers)`];
  for (const i of g.inputs) lines.push(`  input ${i.name}: ${i.dtype}${dims(i.shape)}`);
  for (const n of g.nodes) lines.push(`  ${n.outputs.join(", ")} = ${n.op}(${n.inputs.map((v) => (g.initializers.has(v) ? `@${v}` : v)).join(", ")})`);
  for (const o of g.outputs) lines.push(`  output ${o.name}: ${o.dtype}${dims(o.shape)}`);
  return lines.join("\n") + "\n";
}

function printStats(s: ExplainState): string {
  const st = s.stats!;
  const lines = [`probe statistics over ${st.samples} analysis rows`];
  for (const l of st.layers) {
    const c = (a: boolean[]) => a.filter(Boolean).length;
    lines.push(`  ${l.layer}: ${l.units} units, ${c(l.neverActive)} never active, ${c(l.constant)} constant, ${c(l.binary)} binary`);
  }
  for (const k of st.skipped) lines.push(`  ${k.layer}: not probed (${k.reason})`);
  return lines.join("\n") + "\n";
}

/** The text of one IR of the state (default: the latest one reached). */
export function printIR(s: ExplainState, which?: IRName): string {
  const latest: IRName | undefined = s.program ? "program" : s.stats ? "stats" : s.net ? "net" : s.normalized || s.model ? "graph" : undefined;
  const ir = which ?? latest;
  if (!ir) throw new UserError("nothing to print yet: run at least the read pass");
  switch (ir) {
    case "graph": {
      const m = s.normalized ?? s.model;
      if (!m) throw new UserError("no graph yet: run the read pass");
      return printGraph(m);
    }
    case "net":
      if (!s.net) throw new UserError("no Net yet: run up to the lower pass");
      return printNet(s.net) + "\n";
    case "stats":
      if (!s.stats) throw new UserError("no statistics yet: run up to the probe pass");
      return printStats(s);
    case "program":
      if (!s.program) throw new UserError("no Program yet: run up to the build pass");
      return printProgram(s.program);
  }
}
