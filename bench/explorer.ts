// `npm run bench:explorer`: how fast the explorer page shows a big program, measured in a real browser (Debian's
// chromium via playwright-core). The program: a seeded MLP 16 -> 100,000 -> 10 (100,000 hidden units, 1.7M
// weights), explained without simplification. Measured from navigation start to the top level on screen, and
// from a click to the first layer's implementation (heat maps, show text) on screen; median of 5 page loads.
// Writes bench/results/explorer.json.
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runExplain } from "../src/pipeline/explain.ts";
import { writeOutputDir } from "../src/pipeline/output-dir.ts";
import { serve } from "../src/serve/server.ts";
import { launch } from "../tests/serve/browser.ts";
import { randomMLP } from "../tests/helpers/nets.ts";
import { rng } from "../src/util/rng.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const HIDDEN = 100_000, RUNS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const dir = path.join(mkdtempSync(path.join(os.tmpdir(), "pseudonet-bench-explorer-")), "explained");
process.stderr.write(`explaining an MLP 16 -> ${HIDDEN} -> 10 into ${dir}...\n`);
const state = await runExplain({ model: randomMLP(rng(1), [16, HIDDEN, 10]), domain: "normal", samples: 64, simplify: false, outDir: dir });
writeOutputDir(dir, state.files!);
const s = await serve({ dir, port: 0 });
const browser = await launch();
const load: number[] = [];
const expand: number[] = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(s.url);
    await page.waitForSelector(".fn.top .stmt");
    // Navigation start to the top level rendered, by the page's own clock.
    load.push(await page.evaluate(() => performance.now()));
    const t0 = await page.evaluate(() => performance.now());
    await page.locator(".fn.top > .stmt > .line").first().click();
    await page.waitForSelector(".detail pre.show");
    expand.push((await page.evaluate(() => performance.now())) - t0);
    await page.close();
  }
} finally {
  await browser.close();
  await s.close();
}
const result = {
  program: { hiddenUnits: HIDDEN, statements: state.program!.functions.reduce((a, f) => a + f.body.length, 0), programJsonBytes: statSync(path.join(dir, "program.json")).size },
  runs: RUNS,
  loadToTopLevelMs: { median: Math.round(median(load)), all: load.map(Math.round) },
  clickToImplementationMs: { median: Math.round(median(expand)), all: expand.map(Math.round) },
  machine: { cpus: os.cpus().length, loadAverage1m: Number(os.loadavg()[0].toFixed(1)) },
  date: new Date().toISOString().slice(0, 10),
};
mkdirSync(path.join(here, "results"), { recursive: true });
writeFileSync(path.join(here, "results", "explorer.json"), JSON.stringify(result, null, 1) + "\n");
process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
