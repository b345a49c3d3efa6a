// The passes of the explain pipeline (see explain.ts): each a thin step around the module that does the work.
import path from "node:path";
import type { Model } from "../graph/graph.ts";
import type { Tensor } from "../graph/tensor.ts";
import { readModel } from "../onnx/read.ts";
import { normalizePasses } from "../graph/passes/index.ts";
import { seqBlocksPass } from "../seq/pass.ts";
import { runPasses } from "./pass.ts";
import { lower } from "../net/lower.ts";
import { probePass as probeNetPass } from "../passes/probe.ts";
import { buildProgram } from "../program/build.ts";
import { readsAsWhole } from "../recover/whole-net-first.ts";
import { programWithOrigin } from "../program/slice-origin.ts";
import { moduleLine } from "../program/build-modules.ts";
import { runProgram } from "../program/run.ts";
import { stringifyProgram } from "../program/json.ts";
import { printProgram } from "../program/printer.ts";
import { unitsFile, UNITS_FORMAT } from "../passes/units-file.ts";
import { withFolderLabels } from "../program/apply-labels.ts";
import { emitTs } from "../program/emit-ts.ts";
import { Sidecar, SIDECAR_FILE, wantSidecar } from "../program/sidecar.ts";
import { emitPy } from "../program/emit-py.ts";
import { emitOnnx } from "../program/emit-onnx.ts";
import { allPrimStmts, weightCounts, weightCountText } from "../program/program.ts";
import { fitToInput } from "../data/fit.ts";
import { runModel } from "../run/interp.ts";
import { compareAll, fidelityLine } from "../verify/metrics.ts";
import { chunkSize, inChunks, ortOutputs } from "../verify/reference.ts";
import { UserError } from "../errors.ts";
import { DOMAIN_HELP, parseDomain, sampleDomain, splitData } from "./domain.ts";
import { need, type ExplainFiles, type ExplainPass, type ExplainState } from "./explain.ts";
import { reportMarkdown, timingsJson } from "./report.ts";
import { DATA_FORMATS } from "../data/load.ts";
import { certifiedForExplain } from "../verify/certify.ts";
import { withCarveDrops } from "./carve-drops.ts";
import { budgetSpent, judgeOf, judgeProgram, ledgerOf, record, spent } from "./ledger.ts";

function openModel(file: string): Model {
  try {
    return readModel(file);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${file} is not a valid ONNX model: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The given data as one tensor per model input, checked and converted to fit each input. */
function bindData(model: Model, data: NonNullable<ExplainState["input"]["data"]>, label: string): Tensor[] {
  const inputs = model.graph.inputs;
  const list = Array.isArray(data) ? (data as Tensor[]) : inputs.map((i) => (data as Record<string, Tensor>)[i.name]);
  if (list.length !== inputs.length || list.some((t) => !t)) {
    const names = inputs.map((i) => `'${i.name}'`).join(", ");
    throw new UserError(`the model has ${inputs.length} input(s) (${names}); data was given for ${list.filter(Boolean).length}`);
  }
  return list.map((t, i) => fitToInput(t, inputs[i], inputs.length === 1 ? label : `${label} (input '${inputs[i].name}')`).tensor);
}

export const readPass: ExplainPass = {
  name: "read",
  doc: "read the ONNX model and the data (or sample the domain); split the data into analysis and held-out rows",
  run(s) {
    const inp = s.input;
    const model = typeof inp.model === "string" ? openModel(inp.model) : inp.model;
    const seed = inp.seed ?? 0;
    let rows: Tensor[];
    let note: string;
    // Every point of the domain (bits, n <= 16): no held-out split unless asked for, so analysis (recognisers,
    // truth tables, dropped units) and fidelity both see the whole domain.
    let whole = false;
    if (inp.data) {
      rows = bindData(model, inp.data, inp.dataLabel ?? "the data");
      note = `${rows[0]?.shape[0] ?? 0} rows from ${inp.dataLabel ?? "the data given"}`;
    } else if (inp.domain !== undefined) {
      const d = typeof inp.domain === "string" ? parseDomain(inp.domain) : inp.domain;
      const sampled = sampleDomain(d, model.graph.inputs, inp.samples ?? 1000, seed);
      rows = sampled.tensors;
      note = sampled.note;
      whole = sampled.exhaustive && inp.holdout === undefined;
    } else {
      throw new UserError(`explain needs inputs to analyse: give --data FILE (${DATA_FORMATS}) or --domain DOMAIN (${DOMAIN_HELP})`);
    }
    const split = whole
      ? { analysis: rows, heldOut: rows, separate: false, oneSample: false, note: `the whole domain (${rows[0]?.shape[0] ?? 0} points) used for analysis and fidelity alike: fidelity is measured at every point of it` }
      : splitData(rows, inp.holdout ?? 0.2, seed, model.graph.inputs);
    const bits = inp.domain !== undefined && !inp.data && (typeof inp.domain === "string" ? inp.domain.trim() === "bits" : inp.domain.kind === "bits");
    const heldOutLabel = whole ? "every point of the domain" : split.separate ? "held-out" : split.oneSample ? "the analysed data itself: one sample, its inputs share no batch axis" : "analysis data";
    const file = inp.source ?? (typeof inp.model === "string" ? inp.model : undefined);
    const name = inp.name ?? (file ? path.basename(file).replace(/\.onnx$/i, "") : model.graph.name || "model");
    return {
      out: { ...s, model, data: { analysis: split.analysis, heldOut: split.heldOut, note: `${note}; ${split.note}`, heldOutLabel, bits, oneSample: split.oneSample, ...(whole ? { whole: true } : {}), ...(split.analysisRows ? { analysisRows: split.analysisRows } : {}) }, input: { ...inp, name } },
      report: {
        pass: "read",
        summary: `${model.graph.nodes.length} nodes, opset ${model.opset.get("") ?? "?"}; ${note}`,
        details: [`model: ${s.source} (producer ${model.producerName || "unknown"} ${model.producerVersion}, IR ${model.irVersion})`, `data: ${note}`, `split: ${split.note}`],
      },
    };
  },
};

export const normalizePass: ExplainPass = {
  name: "normalize",
  doc: "constant folding, pass-through removal, reshape chains, affine canonical form, BatchNorm folding (all exact)",
  run(s) {
    const r = runPasses(need(s, "model", "normalize", "read"), [...normalizePasses, seqBlocksPass]);
    return {
      out: { ...s, normalized: r.out },
      report: { pass: "normalize", summary: r.reports.map((x) => `${x.pass}: ${x.summary}`).join("; "), details: r.reports.flatMap((x) => [`${x.pass}: ${x.summary}`, ...x.details.map((d) => `  ${d}`)]) },
    };
  },
};

export const lowerPass: ExplainPass = {
  name: "lower",
  doc: "Graph -> Net: layers with unit ids; what has no neuron-level meaning stays an opaque fragment",
  run(s) {
    const r = lower(need(s, "normalized", "lower", "normalize"));
    return { out: { ...s, net: r.net }, report: r.report };
  },
};

export const probePass: ExplainPass = {
  name: "probe",
  doc: "run the Net on the analysis rows: per-unit statistics and an activation sample",
  run(s) {
    const net = need(s, "net", "probe", "lower");
    const data = need(s, "data", "probe", "read");
    const feeds = Object.fromEntries(net.inputs.map((inp, i) => [inp.name, data.analysis[i]]));
    const r = probeNetPass.run({ net, data: feeds, oneSample: data.oneSample });
    return { out: { ...s, stats: r.out.stats }, report: r.report };
  },
};

/** The box a domain confines every input entry to (bits: [0, 1]); none for unbounded domains. */
function boxOfDomain(d: ReturnType<typeof parseDomain>): { lo: number; hi: number } | undefined {
  return d.kind === "box" ? { lo: d.lo, hi: d.hi } : d.kind === "bits" ? { lo: 0, hi: 1 } : undefined;
}

export const buildPass: ExplainPass = {
  name: "build",
  doc: "Net -> Program: each layer (or affine/conv + activation) becomes one statement, via the recogniser registry",
  run(s) {
    const net = need(s, "net", "build", "lower");
    const bitInputs = s.data?.bits ? new Set(net.inputs.map((i) => i.name)) : undefined;
    const box = s.input.data || s.input.domain === undefined ? undefined : boxOfDomain(typeof s.input.domain === "string" ? parseDomain(s.input.domain) : s.input.domain);
    // A Net that reads whole (gates over a few bits, one-variable functions: src/recover/whole-net-first.ts) is
    // named from the Net as lowered: the reading needs no simplification and then costs none of its budget.
    const inputsOnly = s.stats && { ...s.stats, layers: [], skipped: [], sample: { ...s.stats.sample, activations: {} } };
    const whole = s.lowered && s.lowered !== net && readsAsWhole(s.lowered, { ...(inputsOnly ? { stats: inputsOnly } : {}), bits: !!bitInputs, ...(box ? { box } : {}) });
    const stats = whole ? inputsOnly : s.stats;
    const useNet = whole ? s.lowered! : net;
    // The run's one budget: the builder's steps (conv abs pairs, module cuts, module bodies) are judged whole
    // against the original, after what simplify and carve spent (ledger.ts).
    let ledger = s.data && (s.lowered ?? s.net) ? ledgerOf(s) : undefined;
    const judge = ledger && judgeOf(ledger);
    const { program: built, report } = buildProgram(useNet, { name: s.input.name ?? "model", ...(stats ? { stats } : {}), ...(bitInputs ? { bitInputs } : {}), ...(box ? { box } : {}), ...(s.input.tolerance !== undefined ? { tolerance: s.input.tolerance } : {}), ...(s.input.exact ? { exact: true } : {}), ...(judge ? { judge } : {}), ...(ledger ? { residualBudget: ledger.exact ? 0 : ledger.limit } : {}), modules: true });
    // slices name the lowered Net's units (simplify renumbers them); carve's dropped residuals recorded with the others
    let program = withCarveDrops(programWithOrigin(useNet, built), whole ? undefined : s.carve);
    if (ledger) {
      for (const c of report.convAbs ?? []) if (c.verdict) ledger = record(ledger, "conv-abs", `conv ${c.conv}: ${c.pairs.length} channel pair(s) read as abs (own change ${c.change.toExponential(1)} on the probe sample)`, c.verdict);
      if (report.modules?.verdict) ledger = record(ledger, "modules", `weights below 1% of their row dropped where they join modules (${report.modules.dropped.weights} weights, ${report.modules.dropped.units} units)`, report.modules.verdict);
      if (report.bodiesVerdict) ledger = record(ledger, "module-bodies", `function bodies named (${(report.bodies ?? []).map((b) => b.fn).join(", ")})`, report.bodiesVerdict);
      // What the named statements left out beyond the steps above (snapped coefficients, fitted readings): the
      // program as built, measured; when every statement is exact and no step above changed anything, it is the Net
      // the ledger measured last, and nothing is spent (not run again: on the MNIST MLP that run cost a second).
      const approx = whole || !!report.convAbs?.length || !!report.modules || !!report.bodies?.length || allPrimStmts(program).some(({ stmt }) => stmt.prim.error > 0);
      ledger = approx
        ? record(ledger, "build", `the program as built (named slices, their residuals kept)${whole ? ", from the Net as lowered" : ""}`, judgeProgram(ledger, program))
        : record(ledger, "build", "the program as built: every statement exact, nothing spent (not measured again)", { ok: true, total: spent(ledger) });
      program = { ...program, budget: budgetSpent(ledger) };
    }
    const byRec = new Map<string, number>();
    for (const st of report.statements) byRec.set(st.recogniser, (byRec.get(st.recogniser) ?? 0) + 1);
    return {
      out: { ...s, program, build: report, ...(ledger ? { ledger } : {}) },
      report: {
        pass: "build",
        summary: `${report.statements.length} statements (${[...byRec].map(([k, n]) => `${n} ${k}`).join(", ")})`,
        details: [
          ...report.statements.map((st) => `${st.out} <- ${st.layers.join(" + ")} (${st.recogniser})`),
          ...report.slices.map((sl) => `slice ${sl.out}: ${sl.error ? `fitted, residual max |r| ${sl.error.toExponential(1)} on the data` : sl.exactBy}${sl.dropped.length ? `; dropped ${sl.dropped.join(", ")}` : ""}`),
          ...(report.modules ? [moduleLine(report.modules)] : report.modulesSkipped ? [`modules: none as functions (${report.modulesSkipped})`] : []),
          ...(report.bodies ?? []).map((b) => `function ${b.fn}: body named by the slice rules (${b.rules.join(", ")})${b.absorbed ? "; main's output rows moved into it" : ""}${b.residual ? "; residual kept" : ""}`),
          ...(report.convAbs ?? []).map((c) => `conv ${c.conv}: ${c.pairs.length} channel pair(s) read as abs(conv), ${c.unpaired.length} left relu${c.folded ? `, ${c.folded} dense copies folded in` : ""}; output change ${c.change.toExponential(1)} on the probe sample`),
          ...(whole ? ["built from the Net as lowered (it reads whole; the simplified Net is not needed)"] : []),
        ],
      },
    };
  },
};

export const verifyPass: ExplainPass = {
  name: "verify",
  doc: "run the Program (own interpreter) and the original model (onnxruntime) on the held-out rows and compare",
  async run(s) {
    const program = need(s, "program", "verify", "build");
    const model = need(s, "model", "verify", "read");
    const data = need(s, "data", "verify", "read");
    const details: string[] = [];
    let expected: Tensor[];
    try {
      expected = await ortOutputs(model, data.heldOut);
    } catch (e) {
      // onnxruntime refusing a model it should run is rare; fall back to our interpreter and say so.
      details.push(`onnxruntime could not run the original (${e instanceof Error ? e.message : String(e)}); compared with pseudonet's interpreter instead`);
      const names = model.graph.inputs.map((i) => i.name);
      expected = await inChunks(data.heldOut, Math.min(256, chunkSize(model, data.heldOut[0]?.shape[0] ?? 0)), (part) => {
        const r = runModel(model, Object.fromEntries(names.map((n, i) => [n, part[i]])));
        return model.graph.outputs.map((o) => r[o.name]);
      });
    }
    const got = await inChunks(data.heldOut, chunkSize(model, data.heldOut[0]?.shape[0] ?? 0), (part) => runProgram(program, part));
    const fidelity = compareAll(program.outputs.map((o) => o.name), expected, got, data.heldOutLabel);
    const cert = certifiedForExplain(s);
    if (cert) {
      Object.assign(fidelity, { certifiedMaxErr: cert.maxErr, certifiedMethod: cert.method });
      details.push(`over the box domain: max |simplified Net - original Net| <= ${cert.maxErr.toExponential(2)} (certified: ${cert.method})`);
    }
    for (const o of fidelity.outputs) details.push(`${o.name}: ${fidelityLine({ ...fidelity, ...o })}, meanAbsErr ${o.meanAbsErr.toExponential(1)}`);
    return {
      out: { ...s, fidelity, program: { ...program, fidelity } },
      report: { pass: "verify", summary: `vs original (${data.heldOutLabel}, ${fidelity.samples} samples): ${fidelityLine(fidelity)}`, details, maxAbsErr: fidelity.maxAbsErr },
    };
  },
};

export const emitPass: ExplainPass = {
  name: "emit",
  doc: "write program.txt, program.json, program.ts, program.py, reconstructed.onnx, report.md and timings.json (in memory; see writeOutputDir)",
  run(s) {
    const program = need(s, "program", "emit", "build");
    // Names a person gave in the explorer (labels.json in the output folder) read in the text and the code;
    // program.json stays as built, so the labels' ids keep pointing at the same statements.
    const named = withFolderLabels(program, s.input.outDir);
    const files: ExplainFiles = new Map();
    const source = s.input.source || typeof s.input.model === "string" ? { source: path.basename(s.source) } : {};
    files.set("program.txt", printProgram(named, { ...source, ...(s.input.outDir ? { dir: s.input.outDir } : {}) }));
    // Big weights go once to weights.safetensors, which program.json, program.ts and program.py all refer to.
    const store = wantSidecar(program, s.input.weightsFile ?? "auto") ? { sidecar: new Sidecar() } : {};
    files.set("program.json", stringifyProgram(program, store));
    files.set("program.ts", emitTs(named, store));
    files.set("program.py", emitPy(named, store));
    if (store.sidecar?.size) files.set(SIDECAR_FILE, store.sidecar.encode());
    files.set("reconstructed.onnx", emitOnnx(program));
    const report = {
      pass: "emit",
      summary: `${files.size + 2} files; program of ${allPrimStmts(program).length} statements, ${weightCountText(weightCounts(program))}`,
      details: [...files].map(([name, c]) => `${name}: ${typeof c === "string" ? Buffer.byteLength(c) : c.length} bytes`),
    };
    files.set("report.md", reportMarkdown({ ...s, program }, [...s.reports, report]));
    files.set("timings.json", timingsJson(s.reports, s.simplify?.reports));
    for (const [name, c] of s.extraFiles ?? []) files.set(name, c);
    files.set("units.json", `${JSON.stringify(s.stats ? unitsFile(s.stats) : { format: UNITS_FORMAT, version: 1, input: null, rows: {}, layers: {}, skipped: [] })}\n`);
    return { out: { ...s, files }, report };
  },
};
