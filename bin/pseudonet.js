#!/usr/bin/env node
// The pseudonet command: runs the compiled JavaScript in dist/ (`npm run build`, run by `npm ci` through
// "prepare"). In a source checkout (src/cli/main.ts present: the package does not ship it) where dist/ is missing
// or older than the sources, it runs the TypeScript sources through tsx (a dev dependency) instead, so an edit
// is never hidden behind a stale build.
import { existsSync, readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const built = new URL("../dist/src/cli/main.js", import.meta.url);
const source = new URL("../src/cli/main.ts", import.meta.url);

/** The newest modification time of the .ts files under a folder of the checkout. */
function newest(dir) {
  const root = fileURLToPath(new URL(`../${dir}/`, import.meta.url));
  if (!existsSync(root)) return 0;
  let t = 0;
  for (const f of readdirSync(root, { recursive: true })) if (f.endsWith(".ts")) t = Math.max(t, statSync(root + f).mtimeMs);
  return t;
}

const checkout = existsSync(source);
const fresh = existsSync(built) && (!checkout || statSync(built).mtimeMs >= Math.max(newest("src"), newest("zoo")));
let cli;
if (fresh) cli = await import(built.href);
else {
  try {
    const { register } = await import("tsx/esm/api");
    register();
  } catch {
    process.stderr.write(`pseudonet: dist/ is ${existsSync(built) ? "older than src/" : "missing"} and tsx is not installed; run \`npm run build\` (or \`npm ci\`) in the pseudonet folder\n`);
    process.exit(2);
  }
  cli = await import(source.href);
}
cli.quietOnBrokenPipe();
process.exitCode = await cli.main(process.argv);
