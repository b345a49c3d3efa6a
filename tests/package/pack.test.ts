// The package as a user gets it: `npm pack`, installed from the tarball into an empty folder, used from plain
// Node (no tsx, no TypeScript): the library API (examples/api.ts as JavaScript, plus verify), its types from a
// TypeScript consumer, and the `pseudonet` command through npx.
import test from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { repoRoot } from "../helpers/corpus.ts";

const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
const NPX = process.platform === "win32" ? "npx.cmd" : "npx";
const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: "skip", FORCE_COLOR: "0", npm_config_yes: "false", npm_config_update_notifier: "false" };

/** examples/api.ts as plain JavaScript: its only TypeScript is `as` casts. */
function apiExampleJs(): string {
  const js = readFileSync(path.join(repoRoot, "examples/api.ts"), "utf8").replace(/ as (const|Float32Array)\b/g, "");
  assert.doesNotMatch(js, /: (number|string)\b| as \w/, "examples/api.ts gained TypeScript syntax this test does not strip");
  return js;
}

test("npm pack -> npm install -> plain node: API, types, CLI", { timeout: 240_000 }, (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "pseudonet-pack-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // npm pack runs "prepare" (npm run build), so the tarball holds a dist/ built from this very source.
  const packed = JSON.parse(execFileSync(NPM, ["pack", "--json", "--pack-destination", dir], { cwd: repoRoot, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })) as { filename: string; files: { path: string }[] }[];
  const files = packed[0].files.map((f) => f.path);
  for (const f of ["bin/pseudonet.js", "dist/src/index.js", "dist/src/index.d.ts", "dist/src/cli/main.js", "src/onnx/onnx.proto", "src/program/rt/core.ts", "src/program/kernels.py", "examples/mlp/model.onnx"]) {
    assert.ok(files.includes(f), `the tarball lacks ${f}`);
  }
  assert.ok(!files.some((f) => f.startsWith("tests/") || f === "src/index.ts"), "the tarball ships tests or TypeScript sources it does not need");

  const app = path.join(dir, "app");
  mkdirSync(app);
  // pseudonet's own dependencies pinned to package-lock.json's versions, which `npm ci` has just put in npm's
  // cache: with --prefer-offline the install needs no network when the cache has them.
  writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module", dependencies: lockedDependencies() }));
  execFileSync(NPM, ["install", "--no-audit", "--no-fund", "--prefer-offline", path.join(dir, packed[0].filename)], { cwd: app, env, stdio: ["ignore", "pipe", "pipe"] });
  assert.ok(!existsSync(path.join(app, "node_modules/tsx")), "tsx was installed: it should be a dev dependency only");

  // The README's library example, then verify, from plain Node.
  cpExample(app);
  writeFileSync(path.join(app, "api.mjs"), apiExampleJs() + VERIFY_JS);
  const out = execFileSync(process.execPath, ["api.mjs"], { cwd: app, env, encoding: "utf8" });
  assert.match(out, /def main\(x: vec\[4\]\) -> vec\[2\]:/);
  const rel = /relErr vs onnxruntime: (\S+)\n/.exec(out);
  assert.ok(rel && Number(rel[1]) <= 1e-5, `relErr vs onnxruntime: ${rel?.[1]}`);
  assert.match(out, /run\(\[0\.5, -1, 2, 1\]\) = \[ 0\.5, 1 \]/);
  assert.match(out, /verify: program\.json ok, reconstructed\.onnx ok, program\.ts (ok|skipped), program\.py (ok|skipped)\n/);

  // A TypeScript consumer type-checks against the shipped declarations (the repo's tsc, strict, NodeNext).
  writeFileSync(path.join(app, "consumer.ts"), CONSUMER_TS);
  writeFileSync(path.join(app, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, types: [] }, files: ["consumer.ts"] }));
  const tsc = spawnSync(path.join(repoRoot, "node_modules/.bin/tsc"), ["-p", "."], { cwd: app, encoding: "utf8" });
  assert.equal(tsc.status, 0, `tsc on a consumer of the package: ${tsc.stdout}${tsc.stderr}`);
  writeFileSync(path.join(app, "consumer.ts"), `${CONSUMER_TS}const wrong: string = load("x").program;\n`);
  assert.notEqual(spawnSync(path.join(repoRoot, "node_modules/.bin/tsc"), ["-p", "."], { cwd: app }).status, 0, "a type error in the consumer went unnoticed: the declarations are not used");

  // The command, through npx.
  const help = execFileSync(NPX, ["pseudonet", "--help"], { cwd: app, env, encoding: "utf8" });
  assert.match(help, /Usage: pseudonet/);
  const ex = execFileSync(NPX, ["pseudonet", "explain", "examples/mlp/model.onnx", "--data", "examples/mlp/x.npy", "--out", "explained/cli"], { cwd: app, env, encoding: "utf8" });
  const fid = /fidelity vs original \(held-out, 51 samples\): maxAbsErr \S+, relErr ([^,\s]+)/.exec(ex);
  assert.ok(fid && Number(fid[1]) <= 1e-5, `explain's fidelity line: ${ex}`);
  assert.ok(existsSync(path.join(app, "explained/cli/program.py")));
});

/** pseudonet's runtime dependencies at the versions package-lock.json holds. */
function lockedDependencies(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  const lock = JSON.parse(readFileSync(path.join(repoRoot, "package-lock.json"), "utf8")) as { packages: Record<string, { version: string }> };
  return Object.fromEntries(Object.keys(pkg.dependencies).map((d) => [d, lock.packages[`node_modules/${d}`]?.version ?? pkg.dependencies[d]]));
}

/** The example reads examples/mlp/ relative to the working folder, as in the repository. */
function cpExample(app: string): void {
  mkdirSync(path.join(app, "examples/mlp"), { recursive: true });
  for (const f of ["model.onnx", "x.npy"]) writeFileSync(path.join(app, "examples/mlp", f), readFileSync(path.join(app, "node_modules/pseudonet/examples/mlp", f)));
}

const VERIFY_JS = `
import { verify } from "pseudonet";
const report = await verify("explained/api", "examples/mlp/model.onnx", [x]);
console.log("verify: " + report.rows.map((r) => r.artifact + " " + r.status).join(", "));
`;

const CONSUMER_TS = `import { explain, load, verify, type Tensor } from "pseudonet";
const x: Tensor = { dtype: "float32", shape: [1, 4], data: new Float32Array([0.5, -1, 2, 1]) };
export async function f(): Promise<number | undefined> {
  const ex = await explain("m.onnx", { domain: "box:-2,2", seed: 1 });
  const [y] = load("d").run(x);
  await verify("d", "m.onnx", [y]);
  return ex.fidelity?.relErr;
}
`;
