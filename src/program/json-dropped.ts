// program.json's `droppedResiduals` entry (Program.droppedResiduals): the residuals the budgeted mode dropped, each
// with what it cost, written as is and checked on read.
import { FormatError } from "./json-check.ts";
import type { DroppedResidual } from "./program.ts";

/** The JSON value of the dropped residuals. */
export function droppedToJson(d: readonly DroppedResidual[]): unknown {
  return JSON.parse(JSON.stringify(d));
}

/** Read and check the dropped residuals (each names its value and residual, and states its cost). */
export function droppedFromJson(v: unknown, path: string): DroppedResidual[] {
  if (!Array.isArray(v)) throw new FormatError(path, "expected a list of dropped residuals");
  return v.map((e, i) => {
    const o = e as Record<string, unknown> | null;
    const c = o?.cost as Record<string, unknown> | undefined;
    const ok = o && ["fn", "value", "residual", "stated"].every((k) => typeof o[k] === "string") && ["units", "weights", "budget"].every((k) => typeof o[k] === "number")
      && c && typeof c.analysis === "number" && typeof c.rows === "number" && (c.box === undefined || typeof c.box === "number") && (c.boxRows === undefined || typeof c.boxRows === "number");
    if (!ok) throw new FormatError(`${path}[${i}]`, "expected {fn, value, residual, stated, units, weights, budget, cost: {analysis, rows, box?, boxRows?}}");
    return o as unknown as DroppedResidual;
  });
}
