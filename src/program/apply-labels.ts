// Labels a person gave (labels.json) applied to a Program: a labelled statement's value takes the label's name
// (so `feature_3` reads `detects_loop_top` in program.txt, show and the emitted code), a labelled function is
// renamed at its definition and every call, and the description rides along on the primitive. A name that
// would clash with another value of the function (or another function) is not applied; the label is then kept
// as the primitive's label only, so nothing that ran before stops running.
import { existsSync } from "node:fs";
import path from "node:path";
import { safeName } from "./emit-plan.ts";
import { LABELS_FILE, readLabels, type Labels } from "./labels.ts";
import type { Fn, Program, Stmt } from "./program.ts";
import { labelGroups } from "./features.ts";

/** The program with labels applied (a new Program; the input is not changed). */
export function applyLabels(p: Program, labels: Labels): Program {
  const items = labels.items;
  if (!Object.keys(items).length) return p;
  const fnNames = new Set(p.functions.map((f) => f.name));
  const fnRename = new Map<string, string>();
  for (const f of p.functions) {
    const l = items[f.name];
    const want = l ? safeName(l.name) : undefined;
    if (want && want !== f.name && !fnNames.has(want)) {
      fnRename.set(f.name, want);
      fnNames.add(want);
    }
  }
  // Named feature groups read by their names in the statements' comments (before statements are renamed).
  const grouped = labelGroups(p, (g) => (items[g] ? safeName(items[g].name) : undefined));
  const functions = grouped.functions.map((f) => labelFn(f, items, fnRename));
  return { ...grouped, functions, entry: fnRename.get(p.entry) ?? p.entry };
}

function labelFn(f: Fn, items: Labels["items"], fnRename: ReadonlyMap<string, string>): Fn {
  const used = new Set<string>([...f.params.map((v) => v.name), ...f.body.flatMap((s) => (s.kind === "prim" ? [s.out.name] : s.outs.map((o) => o.name)))]);
  const rename = new Map<string, string>();
  const described = new Map<string, { name: string; description?: string }>();
  for (const s of f.body) {
    const out = s.kind === "prim" ? s.out.name : s.outs[0].name;
    const l = items[`${f.name}/${out}`] ?? (s.kind === "prim" ? items[s.prim.id] : undefined);
    if (!l) continue;
    described.set(out, l);
    const want = safeName(l.name);
    // Renaming a function's parameters or returns would change its signature for callers: statements only.
    if (want !== out && !used.has(want) && !f.returns.includes(out)) {
      rename.set(out, want);
      used.add(want);
    }
  }
  const r = (n: string) => rename.get(n) ?? n;
  const body = f.body.map((s): Stmt => {
    if (s.kind === "call") return { ...s, fn: fnRename.get(s.fn) ?? s.fn, args: s.args.map(r), outs: s.outs.map((o) => ({ ...o, name: r(o.name) })) };
    const l = described.get(s.out.name);
    // An opaque part's label names its emitted fragment; it stays unique, so only the value is renamed there.
    const prim = l && s.prim.kind !== "opaque" ? { ...s.prim, label: l.name, ...(l.description ? { description: l.description } : {}) } : s.prim;
    return { ...s, args: s.args.map(r), out: { ...s.out, name: r(s.out.name) }, prim };
  });
  return { ...f, name: fnRename.get(f.name) ?? f.name, body, returns: f.returns.map(r) };
}

/** The program with the labels of an explanation folder applied, when it holds labels.json. */
export function withFolderLabels(p: Program, dir: string | undefined): Program {
  if (!dir || !existsSync(path.join(dir, LABELS_FILE))) return p;
  return applyLabels(p, readLabels(dir));
}
