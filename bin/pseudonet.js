#!/usr/bin/env node
// The pseudonet command: registers tsx so the TypeScript sources run without a build step.
import { register } from "tsx/esm/api";

register();
const { main, quietOnBrokenPipe } = await import("../src/cli/main.ts");
quietOnBrokenPipe();
process.exitCode = await main(process.argv);
