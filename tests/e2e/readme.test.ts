// The README's library example is examples/api.ts verbatim, and it runs and prints what the README says.
import test from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, mkdtempSync, cpSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");

test("README embeds examples/api.ts verbatim", () => {
  const readme = readFileSync(path.join(root, "README.md"), "utf8");
  const api = readFileSync(path.join(root, "examples/api.ts"), "utf8");
  assert.ok(readme.includes(api.trim()), "README.md's API example differs from examples/api.ts");
});

test("examples/api.ts runs and the program computes [max(x0, x1), |x2 - x3|]", () => {
  // Run in a scratch copy of the repo layout so the example's explained/ folder lands outside the tree.
  const dir = mkdtempSync(path.join(tmpdir(), "pseudonet-readme-"));
  cpSync(path.join(root, "examples"), path.join(dir, "examples"), { recursive: true });
  // "pseudonet" resolves to the TypeScript sources here (the package's own exports point at the built dist/).
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ ...pkg, exports: { ".": "./src/index.ts" } }));
  symlinkSync(path.join(root, "src"), path.join(dir, "src"));
  symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
  const out = execFileSync(process.execPath, ["--import", "tsx", "examples/api.ts"], { cwd: dir, encoding: "utf8" });
  assert.match(out, /def main\(x: vec\[4\]\) -> vec\[2\]:/);
  // The named program (max, abs) rounds differently from the network's units: rounding level, not bit-equal.
  const rel = Number(/relErr vs onnxruntime: (\S+)\n/.exec(out)?.[1]);
  assert.ok(rel >= 0 && rel < 1e-6, `relErr ${rel} is above rounding level`);
  assert.match(out, /run\(\[0\.5, -1, 2, 1\]\) = \[ 0\.5, 1 \]/);
});
