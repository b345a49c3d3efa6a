// All operator kernels, by domain and op type. Each group file lists the ops of one family.
import type { Op } from "./op.ts";
import { ops as elementwise } from "./_elementwise.ts";
import { ops as shaping } from "./_shaping.ts";
import { ops as dense } from "./_dense.ts";
import { ops as sequence } from "./_sequence.ts";
import { seqOps } from "../seq/kernels.ts";

const ALL: Op[] = [...elementwise, ...shaping, ...dense, ...sequence, ...seqOps];
const byKey = new Map<string, Op>(ALL.map((o) => [`${o.domain ?? ""}:${o.name}`, o]));

/** The kernel for an op type in a domain ("" = default ONNX domain), if we have one. */
export function findOp(op: string, domain = ""): Op | undefined {
  return byKey.get(`${domain === "ai.onnx" ? "" : domain}:${op}`);
}

/** Names of every supported op (domain-qualified outside the default domain). */
export function supportedOps(): string[] {
  return ALL.map((o) => (o.domain ? `${o.domain}.${o.name}` : o.name)).sort();
}
