// `pseudonet zoo` and `pseudonet zoo score` from the command line, end to end with today's `pseudonet explain`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { cli, tmp } from "../cli/helpers.ts";

const dir = tmp();
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("pseudonet zoo --only max2 writes model.onnx, truth.json and data.npy", async () => {
  const r = await cli(["zoo", "--out", path.join(dir, "zoo"), "--only", "max2", "--obfuscate", "permute,rescale,dead"]);
  assert.equal(r.code, 0, r.stderr);
  for (const f of ["model.onnx", "truth.json", "data.npy"]) assert.ok(existsSync(path.join(dir, "zoo", "max2", f)), f);
  const truth = JSON.parse(readFileSync(path.join(dir, "zoo", "max2", "truth.json"), "utf8"));
  assert.deepEqual(truth.obfuscations.map((o: { name: string }) => o.name), ["dead", "rescale", "permute"]);
  assert.match(r.stdout, /max2\s+compiled/);
});

test("pseudonet zoo rejects bad flags with one clear line and exit code 2", async () => {
  for (const args of [["zoo"], ["zoo", "--out", dir, "--obfuscate", "shuffle"]]) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
});

test("explain a zoo case, then pseudonet zoo score reads it and prints the table and JSON", async () => {
  const zoo = path.join(dir, "zoo");
  if (!existsSync(path.join(zoo, "max2", "model.onnx"))) assert.equal((await cli(["zoo", "--out", zoo, "--only", "max2"])).code, 0);
  const ex = await cli(["explain", path.join(zoo, "max2", "model.onnx"), "--domain", "box:-1,1", "--out", path.join(dir, "explained", "max2")]);
  assert.equal(ex.code, 0, ex.stderr);
  const r = await cli(["zoo", "score", path.join(zoo, "max2"), path.join(dir, "explained", "max2"), "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  const s = doc.cases[0];
  assert.equal(s.case, "max2");
  assert.equal(typeof s.primitives.recall, "number");
  assert.ok(s.fidelity.maxAbsErr < 1e-3, "explain's fidelity is read from program.json");
  const all = await cli(["zoo", "score", "--all", zoo, path.join(dir, "explained"), "--results", path.join(dir, "zoo.json")]);
  assert.equal(all.code, 0, all.stderr);
  assert.match(all.stdout, /^case\s+family\s+prims/);
  assert.ok(existsSync(path.join(dir, "zoo.json")));
});
