#!/usr/bin/env node
// The pseudonet command: runs the compiled JavaScript in dist/ (`npm run build`, run by `npm ci` through
// "prepare"). A source checkout that was never built falls back to the TypeScript sources through tsx
// (a dev dependency), so `npx pseudonet` works there too.
import { existsSync } from "node:fs";

const built = new URL("../dist/src/cli/main.js", import.meta.url);
let cli;
if (existsSync(built)) cli = await import(built.href);
else {
  try {
    const { register } = await import("tsx/esm/api");
    register();
  } catch {
    process.stderr.write("pseudonet: dist/ is missing and tsx is not installed; run `npm run build` (or `npm ci`) in the pseudonet folder\n");
    process.exit(2);
  }
  cli = await import("../src/cli/main.ts");
}
cli.quietOnBrokenPipe();
process.exitCode = await cli.main(process.argv);
