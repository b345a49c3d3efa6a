// `pseudonet show` at every level of a zoo case with modules (repeat4: four calls of one module function):
// main, a module call, the function, a primitive inside it (through the call), and the module partition's line
// in program.txt. Runs the CLI on an explained folder.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { cli, tmp } from "../cli/helpers.ts";
import { findCase } from "../../zoo/cases/index.ts";
import { generateCase } from "../../zoo/generate.ts";
import { ORDER } from "../../zoo/obfuscate.ts";
import { writeModel } from "../../src/onnx/write.ts";

test("show opens repeat4's explanation at every level: main, module call, function, primitive", async () => {
  const g = generateCase(findCase("repeat4")!, 1, ORDER.filter((o) => o !== "noise" && o !== "nearzero"));
  const dir = tmp();
  const model = path.join(dir, "model.onnx"), out = path.join(dir, "explained");
  writeModel(g.model, model);
  const ex = await cli(["explain", model, "--domain", "box:-1,1", "--out", out]);
  assert.equal(ex.code, 0, ex.stderr);
  const txt = readFileSync(path.join(out, "program.txt"), "utf8");
  assert.match(txt, /^# modules: m1 \d+ units .*m4 \d+ units/m, "program.txt states the module partition");
  const call = /^ {4}(\w+)(?:, \w+)* = (f\d+)\(/m.exec(txt);
  assert.ok(call, `a module call in main:\n${txt}`);
  const [, v, fn] = call;
  assert.equal(txt.match(new RegExp(`= ${fn}\\(`, "g"))?.length, 4, "one function called 4 times");
  const main = await cli(["show", out, "main"]);
  assert.equal(main.code, 0, main.stderr);
  assert.match(main.stdout, /^def main\(x: vec\[8\]\)/m);
  const mod = await cli(["show", out, `main/${v}`]);
  assert.equal(mod.code, 0, mod.stderr);
  assert.match(mod.stdout, /Net slice: fc1 \(units/);
  const f = await cli(["show", out, fn]);
  assert.equal(f.code, 0, f.stderr);
  assert.match(f.stdout, new RegExp(`^def ${fn}\\(`, "m"));
  assert.match(f.stdout, /called by: main\//);
  const inner = /^ {4}(\w+) = /m.exec(f.stdout.slice(f.stdout.indexOf(`def ${fn}`)))![1];
  const prim = await cli(["show", out, `main/${v}/${inner}`]);
  assert.equal(prim.code, 0, prim.stderr);
  assert.match(prim.stdout, new RegExp(`^via main/${v} -> ${fn}`, "m"));
  assert.match(prim.stdout, /primitive/);
  const bad = await cli(["show", out, `main/${v}/nope`]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /no statement 'nope'/);
});
