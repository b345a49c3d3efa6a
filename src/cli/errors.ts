// The top-level error handler: one line on stderr and an exit code; stack traces only with --debug.
import { ResultError, UserError } from "../errors.ts";

/** Exit codes: 0 ok, 1 a bug in pseudonet (internal error), 2 bad input or usage. */
export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_USER = 2;

export interface ErrorSink {
  write(s: string): unknown;
}

/** Print an error the way users should see it and return the process exit code. */
export function reportError(e: unknown, debug: boolean, err: ErrorSink = process.stderr): number {
  if (e instanceof ResultError) {
    err.write(`pseudonet: ${oneLine(e.message)}\n`);
    return e.exitCode;
  }
  if (e instanceof UserError) {
    err.write(`pseudonet: ${oneLine(e.message)}\n`);
    if (debug && e.stack) err.write(`${e.stack}\n`);
    if (debug && e.cause instanceof Error && e.cause.stack) err.write(`caused by: ${e.cause.stack}\n`);
    return EXIT_USER;
  }
  const msg = e instanceof Error ? e.message : String(e);
  if (debug) {
    err.write(`pseudonet: internal error: ${oneLine(msg)}\n${e instanceof Error && e.stack ? e.stack : ""}\n`);
  } else {
    err.write(`pseudonet: internal error: ${oneLine(msg)} (this is a bug in pseudonet; rerun with --debug for the stack trace and report it)\n`);
  }
  return EXIT_INTERNAL;
}

/** Collapse a message to one line so a single-line contract holds even for multi-line library errors. */
export function oneLine(msg: string): string {
  return msg.replace(/\s*\n\s*/g, " ").trim();
}

/** Whether --debug is on the command line (read directly, so it works even when argument parsing fails). */
export function debugRequested(argv: readonly string[]): boolean {
  return argv.slice(2).includes("--debug");
}
