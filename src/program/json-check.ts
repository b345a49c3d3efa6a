// Small readers for validating parsed JSON: each names the path of what is wrong and what was expected.
import { UserError } from "../errors.ts";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObj = { [k: string]: Json };

/** Thrown for malformed program.json content; the message starts with the JSON path. */
export class FormatError extends UserError {
  constructor(path: string, msg: string) {
    super(`${path}: ${msg}`);
    this.name = "FormatError";
  }
}

function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `${typeof v} ${JSON.stringify(v)}`.slice(0, 40);
}

/** The value as an object. */
export function obj(v: unknown, path: string): JsonObj {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new FormatError(path, `expected an object, got ${kindOf(v)}`);
  return v as JsonObj;
}

/** The value as an array. */
export function arr(v: unknown, path: string): Json[] {
  if (!Array.isArray(v)) throw new FormatError(path, `expected an array, got ${kindOf(v)}`);
  return v;
}

/** The value as a string. */
export function str(v: unknown, path: string): string {
  if (typeof v !== "string") throw new FormatError(path, `expected a string, got ${kindOf(v)}`);
  return v;
}

/** The value as a finite number (Infinity/NaN written as the strings "Infinity", "-Infinity", "NaN" are accepted). */
export function numb(v: unknown, path: string): number {
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  if (v === "NaN") return NaN;
  if (typeof v !== "number") throw new FormatError(path, `expected a number, got ${kindOf(v)}`);
  return v;
}

/** The value as an integer >= min. */
export function int(v: unknown, path: string, min = -Infinity): number {
  const n = numb(v, path);
  if (!Number.isInteger(n) || n < min) throw new FormatError(path, `expected an integer${min > -Infinity ? ` >= ${min}` : ""}, got ${n}`);
  return n;
}

/** The value as a boolean. */
export function bool(v: unknown, path: string): boolean {
  if (typeof v !== "boolean") throw new FormatError(path, `expected true or false, got ${kindOf(v)}`);
  return v;
}

/** An array of integers >= min. */
export function ints(v: unknown, path: string, min = -Infinity): number[] {
  return arr(v, path).map((x, i) => int(x, `${path}[${i}]`, min));
}

/** An array of numbers. */
export function nums(v: unknown, path: string): number[] {
  return arr(v, path).map((x, i) => numb(x, `${path}[${i}]`));
}

/** One of the allowed strings. */
export function oneOf<T extends string>(v: unknown, path: string, allowed: readonly T[]): T {
  const s = str(v, path);
  if (!(allowed as readonly string[]).includes(s)) throw new FormatError(path, `'${s}' is not one of ${allowed.join(", ")}`);
  return s as T;
}

/** A number as JSON (non-finite numbers as strings, since JSON has none). */
export function numJson(x: number): Json {
  return Number.isFinite(x) ? x : String(x);
}

/** Optional field: undefined when absent, else read with f. */
export function opt<T>(o: JsonObj, key: string, f: (v: unknown, path: string) => T, path: string): T | undefined {
  return o[key] === undefined ? undefined : f(o[key], `${path}.${key}`);
}
