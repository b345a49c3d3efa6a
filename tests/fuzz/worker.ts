// A fuzz worker: runs cases start..end of a job list (tests/fuzz/campaign.ts) one after another in this process,
// each as the CLI would (main(argv)) with its output captured, and prints one JSON result line per case. A case
// crashes when the exit code is not 0, 2 or 3, or the output has a stack trace or "internal error"; it over-allocates
// when this process's peak memory grows by more than the limit during it (the worker then exits, so the next
// worker starts from a fresh peak). An exception escaping main is reported against the running case.
// Usage: node --import tsx tests/fuzz/worker.ts JOBS.json START END MEM_LIMIT_MIB
import { readFileSync } from "node:fs";
import { main } from "../../src/cli/main.ts";
import type { FuzzJob, FuzzResult } from "./campaign.ts";

const [jobsFile, startArg, endArg, limitArg] = process.argv.slice(2);
const jobs = JSON.parse(readFileSync(jobsFile, "utf8")) as FuzzJob[];
const limitMiB = Number(limitArg);
const realOut = process.stdout.write.bind(process.stdout);
const realErr = process.stderr.write.bind(process.stderr);
let current: FuzzJob | undefined;

function report(r: FuzzResult): void {
  realOut(`${JSON.stringify(r)}\n`);
}

for (const ev of ["uncaughtException", "unhandledRejection"] as const) {
  process.on(ev, (e: unknown) => {
    if (current) report({ id: current.id, verdict: "crash", why: `${ev}: ${e instanceof Error ? e.stack?.split("\n").slice(0, 3).join(" | ") : String(e)}` });
    process.exit(1);
  });
}

const peak = () => process.resourceUsage().maxRSS / 1024;
realOut("ready\n"); // imports done: the parent starts timing the first case
for (let i = Number(startArg); i < Number(endArg); i++) {
  const job = jobs[i];
  current = job;
  let captured = "";
  const capture = ((chunk: string | Uint8Array) => {
    if (captured.length < 100_000) captured += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  const before = peak();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let code: number;
  try {
    code = await main(["node", "pseudonet", ...job.argv]);
  } finally {
    process.stdout.write = realOut;
    process.stderr.write = realErr;
  }
  const ms = Math.round(performance.now() - t0);
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
  const after = peak();
  const grew = Math.round(after - before);
  const trace = /\n\s+at \S.*:\d+:\d+\)?/.exec(captured);
  let verdict: FuzzResult["verdict"] = "ok";
  let why: string | undefined;
  if (![0, 2, 3].includes(code) || /internal error/.test(captured) || trace) {
    verdict = "crash";
    why = `exit ${code}: ${captured.trim().split("\n").slice(0, 2).join(" | ").slice(0, 400)}`;
  } else if (grew > limitMiB) {
    verdict = "overalloc";
    why = `peak memory grew ${grew} MiB: ${captured.trim().split("\n")[0]?.slice(0, 200)}`;
  }
  report({ id: job.id, code, ms, cpuMs, peakMiB: Math.round(after), grewMiB: grew, verdict, why });
  current = undefined;
  if (verdict === "overalloc") process.exit(0);
}
process.exit(0);
