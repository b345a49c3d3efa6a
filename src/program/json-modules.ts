// program.json's `modules` entry (Program.modules): the module partition, written as is and checked on read.
import { FormatError } from "./json-check.ts";
import type { ModuleInfo } from "./program.ts";

/** The JSON value of a module partition. */
export function modulesToJson(m: ModuleInfo): unknown {
  return JSON.parse(JSON.stringify(m));
}

/** Read and check a module partition (every module a name, a list of unit ids and of statements). */
export function modulesFromJson(v: unknown, path: string): ModuleInfo {
  const bad = (what: string): never => { throw new FormatError(path, `expected ${what}`); };
  if (v === null || typeof v !== "object") bad("an object with modules and residual");
  const o = v as Record<string, unknown>;
  if (!Array.isArray(o.modules)) bad("a modules list");
  for (const m of o.modules as unknown[]) {
    const e = m as Record<string, unknown>;
    if (typeof e?.name !== "string" || !Array.isArray(e.units) || !e.units.every((u) => typeof u === "string") || !Array.isArray(e.statements)) bad("modules of {name, units: string[], statements: string[]}");
  }
  const r = o.residual as Record<string, unknown> | undefined;
  if (!r || typeof r.maxAbsErr !== "number" || typeof r.relErr !== "number" || typeof r.weights !== "number") bad("residual {maxAbsErr, relErr, weights}");
  return o as unknown as ModuleInfo;
}
