// The machines pass of explain: a recurrent net on a discrete input domain read as a finite state machine (traces on
// the analysis rows -> clusters -> machine -> minimal machine -> formula), checked against the network on the
// held-out rows. A machine that agrees with every decision on both becomes the program (`y = machine(x): loop`),
// with the network kept as its implementation in reconstructed.onnx; otherwise the cell stays the program and the
// machine is a comment with its agreement and residual. A machine is a reading from data: never called exact.
import type { ExplainPass } from "../../pipeline/explain.ts";
import { need } from "../../pipeline/explain.ts";
import { sliceRows } from "../../data/batch.ts";
import { entryFn, type Fn, type MachineParams, type MachineReport, type PrimStmt, type Program } from "../../program/program.ts";
import type { Model } from "../../graph/graph.ts";
import type { Tensor } from "../../graph/tensor.ts";
import { extractMachine } from "./extract.ts";
import { findFormula } from "./formula.ts";
import { agreement } from "./machine.ts";
import { minimise, stateCount } from "./minimise.ts";
import { machineLoop } from "./print.ts";
import { Alphabet, findRecurrent, readTraces } from "./trace.ts";
import type { Agreement, Machine, Traces } from "./types.ts";

/** Sequences used to read the machine, and to check it. */
const MAX_ANALYSIS = 400;
const MAX_HELD_OUT = 1000;

const pct = (a: Agreement) => `${(100 * a.stepAgreement).toFixed(a.stepAgreement === 1 ? 0 : 2)}% of ${a.steps} steps (${(100 * a.sequenceAgreement).toFixed(1)}% of ${a.sequences} sequences)`;

/** The machine's state after every step of the traces. */
function statesOf(m: Machine, tr: Traces): Int32Array {
  const st = new Int32Array(tr.n * tr.T);
  for (let i = 0; i < tr.n; i++) {
    let s = 0;
    for (let t = 0; t < tr.T; t++) {
      const j = i * tr.T + t, a = tr.symbols[j];
      const nx = a < 0 ? -1 : m.next[s * m.symbols + a];
      if (nx >= 0) s = nx;
      st[j] = s;
    }
  }
  return st;
}

/** Mean network output per machine state over the traces' steps ([states, k]; zeros for a state never visited),
 *  and the largest |network output - its state's mean| (the machine's local error on those steps). */
function stateMeans(m: Machine, tr: Traces, y: Float32Array, k: number): { means: Float32Array; maxDev: number } {
  const sum = new Float64Array(m.states * k), cnt = new Float64Array(m.states);
  const st = statesOf(m, tr);
  st.forEach((s, j) => {
    if (tr.decisions[j] === -2) return; // no output at this step
    cnt[s]++;
    for (let c = 0; c < k; c++) sum[s * k + c] += y[j * k + c];
  });
  const means = Float32Array.from(sum, (v, q) => (cnt[Math.floor(q / k)] ? v / cnt[Math.floor(q / k)] : 0));
  let maxDev = 0;
  st.forEach((s, j) => {
    if (tr.decisions[j] !== -2) for (let c = 0; c < k; c++) maxDev = Math.max(maxDev, Math.abs(y[j * k + c] - means[s * k + c]));
  });
  return { means, maxDev };
}

export interface MachineReading {
  report: MachineReport;
  params: MachineParams;
  stmt: PrimStmt;
  /** Largest |network output - the machine's| on the analysis steps (the scores differ; the decisions agree). */
  error: number;
}

/** Read a machine from the program's recurrent statement on analysis rows, checked on held-out rows; or why not. */
export function readMachine(p: Program, model: Model, analysis: Tensor, heldOut: Tensor, seed = 0): MachineReading | string {
  const found = findRecurrent(p);
  if (typeof found === "string") return found;
  const alpha = new Alphabet();
  const run = readTraces(p, found.stmt, sliceRows(analysis, 0, Math.min(analysis.shape[0], MAX_ANALYSIS)), alpha, false);
  if (typeof run === "string") return run;
  alpha.sort(run.traces);
  const ex = extractMachine(run.traces, alpha.rows.length, seed);
  const min = minimise(ex.machine);
  const m = min.machine;
  const formula = findFormula(m, alpha.rows);
  const aAn = agreement(m, run.traces);
  const held = readTraces(p, found.stmt, sliceRows(heldOut, 0, Math.min(heldOut.shape[0], MAX_HELD_OUT)), alpha, true);
  if (typeof held === "string") return `held-out rows: ${held}`;
  const aHo = agreement(m, held.traces);
  const { means, maxDev } = stateMeans(m, run.traces, run.y, run.k);
  const params: MachineParams = {
    alphabet: alpha.rows,
    next: Array.from({ length: m.states }, (_, s) => Array.from(m.next.subarray(s * m.symbols, (s + 1) * m.symbols))),
    decisions: Array.from(m.out),
    out: { name: `${found.stmt.prim.id}_machine_out`, shape: [m.states, run.k], data: means },
    ...(formula ? { formula } : {}),
    minimalStates: stateCount(min),
    ...(run.last ? { emit: "last" as const } : {}),
    agreement: { analysis: aAn, heldOut: aHo },
    cell: found.cell,
    impl: { graph: model.graph, opset: model.opset },
  };
  const implemented = aAn.stepAgreement === 1 && aHo.stepAgreement === 1;
  const report: MachineReport = {
    stmt: found.stmt.out.name, cell: found.cell, symbols: alpha.rows.length, clusters: ex.k, tried: ex.tried.map((t) => `k=${t.k}: ${t.stepAgreement}`).join(", "), extracted: ex.agreement.stepAgreement, minimalStates: params.minimalStates,
    agreement: params.agreement, loop: machineLoop(params, entryFn(p).params[0].name), implemented,
    ...(implemented ? {} : { residual: `decisions differ on ${((1 - aAn.stepAgreement) * 100).toFixed(2)}% of analysis steps and ${((1 - aHo.stepAgreement) * 100).toFixed(2)}% of held-out steps: the cell stays the program` }),
  };
  return { report, params, stmt: found.stmt, error: maxDev };
}

/** The program with its entry function replaced by the machine (the network stays its implementation). */
export function withMachine(p: Program, r: MachineReading): Program {
  const f = entryFn(p);
  const outVar = f.body.flatMap((s) => (s.kind === "prim" ? [s.out] : s.outs)).find((v) => v.name === f.returns[0])!;
  const prims = f.body.filter((s): s is PrimStmt => s.kind === "prim");
  const st: PrimStmt = {
    kind: "prim", out: outVar, args: [f.params[0].name],
    prim: {
      kind: "machine", params: r.params, id: r.stmt.prim.id, error: r.error,
      slice: { layers: prims.flatMap((s) => s.prim.slice.layers), weights: [...new Set(prims.flatMap((s) => s.prim.slice.weights))] },
      description: `read from the ${r.report.cell} on the data`,
    },
    comment: `${r.report.minimalStates} states read from the ${r.report.cell}; held-out agreement ${pct(r.params.agreement.heldOut)}`,
  };
  const g: Fn = { ...f, body: [st], returns: [outVar.name] };
  // The one statement calls nothing: functions the network's statements called are no longer part of the program.
  return { ...p, functions: [g], machines: [r.report] };
}

export const machinesPass: ExplainPass = {
  name: "machines",
  doc: "a recurrent net on a discrete input read as a finite state machine on the analysis rows, checked on held-out rows",
  run(s) {
    const program = need(s, "program", "machines", "build");
    const data = need(s, "data", "machines", "read");
    const model = need(s, "model", "machines", "read");
    let r: MachineReading | string;
    try {
      r = data.analysis.length === 1 ? readMachine(program, model, data.analysis[0], data.heldOut[0], s.input.seed ?? 0) : "the model has more than one input";
    } catch (e) {
      // A reading aid: a failure is reported, never fatal to the explanation.
      r = `machine reading failed: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (typeof r === "string") return { out: s, report: { pass: "machines", summary: `no state machine: ${r}`, details: [] } };
    const rep = r.report;
    const details = [
      `read from ${rep.stmt} (${rep.cell}), ${rep.symbols} input symbols, ${rep.clusters} clusters of hidden states -> ${rep.minimalStates} states after minimisation`,
      `clusterings tried (step agreement): ${rep.tried}; accepted before minimisation: ${rep.extracted}`,
      `analysis: ${pct(rep.agreement.analysis)}; held-out: ${pct(rep.agreement.heldOut)}`,
      `loop: ${rep.loop}`,
      ...(rep.residual ? [rep.residual] : []),
    ];
    let out: Program;
    if (rep.implemented) out = withMachine(program, r);
    else {
      const f = entryFn(program);
      const note = `state machine (${rep.minimalStates} states, held-out agreement ${pct(rep.agreement.heldOut)}; not exact, the cell stays): ${rep.loop}`;
      const body = f.body.map((st) => (st === r.stmt ? { ...st, comment: st.comment ? `${st.comment}; ${note}` : note } : st));
      out = { ...program, functions: program.functions.map((g) => (g === f ? { ...g, body } : g)), machines: [rep] };
    }
    return {
      out: { ...s, program: out },
      report: { pass: "machines", summary: `${rep.minimalStates}-state machine, held-out agreement ${pct(rep.agreement.heldOut)}${rep.implemented ? "; the program runs it" : "; the cell stays the program"}`, details },
    };
  },
};
