// Fuzzing in CI: 200 seeded mutants (models, .npy/.npz/.json/.csv/.pb data, program.json) fed to inspect, run,
// explain, verify and show (tests/fuzz/campaign.ts): no crash (exit other than 0/2/3, a stack trace, an uncaught
// error), no case over 20 s of CPU time (wall time stretches on a busy machine), no case growing the worker's peak memory by more than 1 GiB. The larger campaign is
// `npm run fuzz -- --n 5000` (bench/fuzz.ts, bench/results/fuzz.json).
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { runCampaign } from "./campaign.ts";

test("200 mutants: 0 crashes, 0 hangs, 0 over-allocations", { timeout: 600_000 }, async (t) => {
  const { jobs, results, work } = await runCampaign({ n: 200, seed: 7, timeoutMs: 20_000, memLimitMiB: 1024, workers: 1 });
  rmSync(work, { recursive: true, force: true });
  const bad = results.filter((r) => r.verdict !== "ok").map((r) => {
    const j = jobs[r.id];
    return `#${r.id} ${r.verdict}: ${j.command} on ${j.target} of ${j.base} (${j.mutator}): ${r.why}`;
  });
  const codes = new Map<number, number>();
  for (const r of results) if (r.code !== undefined) codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
  t.diagnostic(`exit codes: ${[...codes].sort().map(([c, k]) => `${c}: ${k}`).join(", ")}`);
  assert.equal(results.filter(Boolean).length, jobs.length, "every case has a result");
  assert.deepEqual(bad, []);
});
