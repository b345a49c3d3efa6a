// A pass: one named step of the pipeline, from one IR to the next, with its own report.

/** What a pass did and what it cost; every pass returns one. */
export interface PassReport {
  pass: string;
  /** One line for the CLI summary, e.g. "folded 2 BatchNormalization into Conv". */
  summary: string;
  /** Lines for report.md. */
  details: string[];
  /** Fidelity cost measured after the pass, when it can change outputs (budgeted passes). */
  maxAbsErr?: number;
  /** Wall-clock milliseconds, filled in by the pipeline runner. */
  ms?: number;
  /** CPU milliseconds of the process (user + system, every thread) during the pass: unlike ms, not inflated by
   *  other processes' load. */
  cpuMs?: number;
}

/** CPU milliseconds the process has used since `since` (a process.cpuUsage() reading). */
// A structural type, not NodeJS.CpuUsage: the published .d.ts must not need @types/node in a consumer.
export function cpuMsSince(since: { user: number; system: number }): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

export interface PassResult<O> {
  out: O;
  report: PassReport;
}

/** A named function from one IR to the next. */
export interface Pass<I, O> {
  name: string;
  /** One line: what it does and why it is safe (or what it may cost). */
  doc: string;
  run(input: I): PassResult<O>;
}

/** Run a list of same-IR passes in order, timing each; returns the final IR and every report. */
export function runPasses<T>(input: T, passes: readonly Pass<T, T>[], onPass?: (name: string, i: number) => void): PassResult<T> & { reports: PassReport[] } {
  let cur = input;
  const reports: PassReport[] = [];
  passes.forEach((p, i) => {
    onPass?.(p.name, i);
    const t0 = performance.now(), c0 = process.cpuUsage();
    const r = p.run(cur);
    r.report.ms = performance.now() - t0;
    r.report.cpuMs = cpuMsSince(c0);
    reports.push(r.report);
    cur = r.out;
  });
  const summary = reports.map((r) => r.summary).join("; ");
  return { out: cur, report: { pass: "sequence", summary, details: [] }, reports };
}
