// The explorer in a real browser (Debian's chromium driven by playwright-core, headless): open the page, expand
// a call and a primitive inside it, see the leaf's weights as a heat map, name a statement, reload and find the
// name kept. A screenshot of each step goes to the test's output folder (printed as a diagnostic).
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { serve, type Served } from "../../src/serve/server.ts";
import { assetPath } from "../../src/util/assets.ts";
import { runExplain } from "../../src/pipeline/explain.ts";
import { writeOutputDir } from "../../src/pipeline/output-dir.ts";
import { launch, noBrowser } from "./browser.ts";
import { writeZoo } from "../../zoo/zoo.ts";
import { ORDER } from "../../zoo/obfuscate.ts";
import { loadData } from "../../src/data/load.ts";
import { sliceRows } from "../../src/data/batch.ts";
import { readModel } from "../../src/onnx/read.ts";

const built = existsSync(assetPath("web/dist/index.html"));
const skip = !built ? "the explorer page is not built (web/dist): run npm run build" : noBrowser() ?? false;

describe("the explorer in a browser", { skip }, () => {
  let s: Served;
  let shots: string;
  before(async () => {
    const root = mkdtempSync(path.join(tmpdir(), "pseudonet-browser-"));
    shots = path.join(root, "screenshots");
    mkdirSync(shots);
    // repeat4: one function called four times, so there is a call to open and primitives inside it.
    writeZoo(path.join(root, "zoo"), { only: "repeat4", seed: 1, obfuscations: ORDER });
    const dir = path.join(root, "explained");
    const state = await runExplain({ model: path.join(root, "zoo", "repeat4", "model.onnx"), exact: true, domain: "box:-1,1", samples: 300, outDir: dir });
    writeOutputDir(dir, state.files!);
    s = await serve({ dir, port: 0 });
  });
  after(() => s?.close());

  it("opens, expands two levels, shows a leaf's weights, and keeps a label across a reload", async (t) => {
    t.diagnostic(`screenshots: ${shots}`);
    const browser = await launch();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(s.url);
      await page.waitForSelector(".fn.top .stmt");
      await page.screenshot({ path: path.join(shots, "1-open.png"), fullPage: true });
      // Level 1: a call opens the callee's body in place.
      const call = page.locator(".fn.top > .stmt.call > .line").first();
      assert.ok(await call.count(), "the program has a call to open");
      await call.click();
      const nested = page.locator(".fn.nested").first();
      await nested.waitFor();
      await page.screenshot({ path: path.join(shots, "2-call-opened.png"), fullPage: true });
      // Level 2: a primitive inside it opens into its units and weights.
      const leaf = nested.locator(".stmt.prim > .line").first();
      await leaf.click();
      await page.waitForSelector(".fn.nested .detail pre.show");
      const detail = page.locator(".fn.nested .detail").first();
      assert.match(await detail.locator("pre.show").innerText(), /fed by|Net slice/);
      await page.screenshot({ path: path.join(shots, "3-leaf-opened.png"), fullPage: true });
      const heat = detail.locator(".heat canvas");
      if (await heat.count()) assert.ok((await heat.first().boundingBox())!.width > 0, "heat map drawn");
      // The breadcrumb follows the path opened.
      assert.ok((await page.locator(".crumbs a").count()) >= 3, "breadcrumb: main > call > leaf");
      // Collapse again.
      await leaf.click();
      assert.equal(await page.locator(".fn.nested .detail").count(), 0);
      // Name the first top-level statement, reload, see the name kept.
      const first = page.locator(".fn.top > .stmt > .line").first();
      await first.hover();
      await first.locator("button.name").click();
      await page.fill(".labelform input[name=name]", "first_pair");
      await page.fill(".labelform input[name=description]", "the first two inputs");
      await page.click(".labelform button[type=submit]");
      await page.waitForSelector(".fn.top .label:text('first_pair')");
      await page.reload();
      await page.waitForSelector(".fn.top .label:text('first_pair')");
      await page.screenshot({ path: path.join(shots, "4-labelled-after-reload.png"), fullPage: true });
      // The module graph is drawn and clicking a box jumps to that function.
      assert.ok(await page.locator("svg.modules .node").count() >= 2);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });
});

describe("the explorer on an MNIST model, in a browser", { skip }, () => {
  let s: Served;
  let shots: string;
  before(async () => {
    const root = mkdtempSync(path.join(tmpdir(), "pseudonet-browser-mnist-"));
    shots = path.join(root, "screenshots");
    mkdirSync(shots);
    writeZoo(path.join(root, "zoo"), { only: "mnist_mlp", seed: 1, obfuscations: [] });
    const model = readModel(path.join(root, "zoo", "mnist_mlp", "model.onnx"));
    const data = sliceRows(loadData(path.join(root, "zoo", "mnist_mlp", "data.npy"), model.graph.inputs[0]).tensor, 0, 300);
    const dir = path.join(root, "explained");
    const state = await runExplain({ model, data: [data], dataLabel: "data.npy", exact: true, outDir: dir });
    writeOutputDir(dir, state.files!);
    s = await serve({ dir, port: 0 });
  });
  after(() => s?.close());

  it("shows a unit's histogram and top digits, and a feature group's top digits and visualisation", async (t) => {
    t.diagnostic(`screenshots: ${shots}`);
    const browser = await launch();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(s.url);
      await page.locator(".fn.top > .stmt > .line", { hasText: "relu(" }).first().click();
      await page.waitForSelector(".unit canvas.example");
      const unit = page.locator(".unit", { has: page.locator("canvas.example") }).first();
      assert.equal(await unit.locator("svg.hist rect").count(), 20, "a 20-bin histogram");
      const pic = (await unit.locator("canvas.example").first().boundingBox())!;
      assert.ok(pic.width >= 28 && pic.height >= 28, "digits drawn at 28x28 or more");
      await page.screenshot({ path: path.join(shots, "mnist-units.png") });
      // A feature group of the same layer: opened, its top digits and its visualisation (files explain wrote).
      const group = page.locator(".fgroup").first();
      await group.locator(".fghead").click();
      const top = group.locator("img.top"), vis = group.locator("img.vis").first();
      await top.waitFor();
      await vis.waitFor();
      for (const img of [top, vis]) {
        await page.waitForFunction((el) => (el as HTMLImageElement).complete, await img.elementHandle());
        const size = await img.evaluate((el) => [(el as HTMLImageElement).naturalWidth, (el as HTMLImageElement).naturalHeight]);
        assert.ok(size[0] >= 56 && size[1] === 56, `picture loaded at ${size}`);
      }
      const topSize = await top.evaluate((el) => (el as HTMLImageElement).naturalWidth);
      assert.ok(topSize > 4 * 56, "several top digits side by side");
      assert.match(await group.locator("figcaption").first().innerText(), /top inputs: data rows \d+/);
      await group.scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(shots, "mnist-feature-group.png") });
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });
});
