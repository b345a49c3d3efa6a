// The runtime an emitted program carries: src/program/rt/*.ts (for program.ts) and rt/*.py (for program.py) split
// into top-level declarations, each with the names it uses, so an emitter copies exactly the ops a program calls
// and what they call in turn. The TypeScript signatures are also the calling convention of every op (how many
// inputs, whether they come as one list, which attributes it reads, whether it returns several outputs), so the
// runtime source stays the one place that says what an emitted opaque part can run.
import { readAsset } from "../util/assets.ts";

export type Lang = "ts" | "py";

/** The runtime files, in the order their declarations are emitted. */
const FILES = ["core", "elementwise", "shaping", "dense", "window", "window-nd", "recurrent", "activations", "norms", "indexing", "resize"];

/** One top-level declaration: its name, its text (with its doc comment), and the identifiers it mentions. */
export interface Decl {
  name: string;
  text: string;
  refs: Set<string>;
}

/** How an ONNX op of the runtime is called, read from its TypeScript signature. */
export interface OpSig {
  name: string;
  /** Inputs taken one by one (optional ones included); for a variadic op, 1 (the list). */
  inputs: number;
  /** The inputs come as one list (Concat, Max, ...). */
  variadic: boolean;
  /** Returns every output as a list (Split, LSTM, ...) instead of one tensor. */
  multi: boolean;
  /** The attributes it reads (its `at` parameter's fields), or null when it takes none. */
  attrs: string[] | null;
}

const DECL_START: Record<Lang, RegExp> = {
  ts: /^(?:export\s+)?(?:function|const|let|interface|type|class)\s+([A-Za-z_$][\w$]*)/,
  py: /^(?:def|class)\s+([A-Za-z_]\w*)|^([A-Za-z_]\w*)\s*=/,
};
const COMMENT: Record<Lang, RegExp> = { ts: /^(\/\/|\/\*\*| \*)/, py: /^#/ };
const IMPORT: Record<Lang, RegExp> = { ts: /^import\s/, py: /^(import|from)\s/ };

/** Split a source file into its top-level declarations (file header and imports dropped). */
export function splitDecls(src: string, lang: Lang): Decl[] {
  const decls: { name: string; lines: string[] }[] = [];
  let pending: string[] = [];
  for (const line of src.split("\n")) {
    const m = DECL_START[lang].exec(line);
    if (m) {
      decls.push({ name: m[1] ?? m[2], lines: [...pending, line] });
      pending = [];
    } else if (COMMENT[lang].test(line)) pending.push(line);
    else if (IMPORT[lang].test(line) || !decls.length) pending = [];
    else {
      decls[decls.length - 1].lines.push(...pending, line);
      pending = [];
    }
  }
  return decls.map(({ name, lines }) => {
    while (lines.length && lines[lines.length - 1].trim() === "") lines.pop();
    const code = lines.filter((l) => !COMMENT[lang].test(l.trimStart())).join("\n");
    const refs = new Set(code.match(/[A-Za-z_$][\w$]*/g) ?? []);
    refs.delete(name);
    return { name, text: lines.join("\n"), refs };
  });
}

const cache = new Map<string, Decl[]>();

/** Every declaration of one language's runtime, in emission order. */
export function runtimeDecls(lang: Lang): Decl[] {
  if (!cache.has(lang)) {
    const decls = FILES.flatMap((f) => splitDecls(readAsset(`src/program/rt/${f}.${lang}`), lang));
    const seen = new Set<string>();
    for (const d of decls) {
      if (seen.has(d.name)) throw new Error(`the ${lang} runtime declares '${d.name}' twice`);
      seen.add(d.name);
    }
    cache.set(lang, decls);
  }
  return cache.get(lang)!;
}

/** Split a parameter list (or type literal body) on commas/semicolons that are not nested in brackets. */
function splitTop(s: string, seps: string): string[] {
  const out: string[] = [];
  let depth = 0, start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if ("([{<".includes(ch)) depth++;
    else if (")]}>".includes(ch) && s[i - 1] !== "=") depth--;
    else if (depth === 0 && seps.includes(ch)) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out.map((p) => p.trim()).filter(Boolean);
}

/** The field names of an attribute type: `{ a?: T; b: T }` literals and interfaces joined with `&`. */
function fieldsOf(type: string, decls: Map<string, Decl>): string[] {
  return splitTop(type, "&").flatMap((part) => {
    let body = part;
    if (!part.startsWith("{")) {
      const d = decls.get(part);
      if (!d) throw new Error(`runtime attribute type '${part}' is not declared in src/program/rt`);
      body = d.text.slice(d.text.indexOf("{"));
    }
    const fields = splitTop(body.slice(body.indexOf("{") + 1, body.lastIndexOf("}")), ";,\n");
    return fields.map((f) => /^(\w+)\??\s*:/.exec(f)?.[1]).filter((f): f is string => f !== undefined);
  });
}

let sigs: Map<string, OpSig> | undefined;

/** The ONNX ops the runtime implements (exported functions named with a capital), with their calling convention. */
export function runtimeOps(): Map<string, OpSig> {
  if (sigs) return sigs;
  const decls = new Map(runtimeDecls("ts").map((d) => [d.name, d]));
  sigs = new Map();
  for (const d of decls.values()) {
    const m = /^export function ([A-Z]\w*)\(/m.exec(d.text);
    if (!m) continue;
    const open = m.index + m[0].length;
    let depth = 1, close = open;
    while (depth > 0) {
      const ch = d.text[close++];
      if (ch === "(") depth++;
      else if (ch === ")") depth--;
    }
    const params = splitTop(d.text.slice(open, close - 1), ",").map((p) => {
      const [, name, type] = /^(\w+)\??\s*:\s*([\s\S]*?)(\s*=\s*[\s\S]*)?$/.exec(p)!;
      return { name, type };
    });
    const at = params.find((p) => p.name === "at");
    const variadic = params[0]?.name === "xs";
    sigs.set(m[1], {
      name: m[1],
      inputs: params.filter((p) => p.name !== "at").length,
      variadic,
      multi: /^\s*:\s*Ten\[\]/.test(d.text.slice(close)),
      attrs: at ? fieldsOf(at.type, decls) : null,
    });
  }
  return sigs;
}

/** The declarations needed for the given roots (ops and helpers), closed over what they use, in source order. */
export function bundleRuntime(lang: Lang, roots: Iterable<string>): string {
  const decls = runtimeDecls(lang);
  const byName = new Map(decls.map((d) => [d.name, d]));
  const need = new Set<string>();
  const stack = [...roots];
  while (stack.length) {
    const n = stack.pop()!;
    const d = byName.get(n);
    if (!d || need.has(n)) continue;
    need.add(n);
    for (const r of d.refs) if (byName.has(r) && !need.has(r)) stack.push(r);
  }
  const texts = decls.filter((d) => need.has(d.name)).map((d) => (lang === "ts" ? d.text.replace(/^export /gm, "") : d.text));
  return texts.join(lang === "ts" ? "\n\n" : "\n\n\n");
}

/** Every name the runtime of a language declares (emitted code must not shadow them). */
export function runtimeNames(lang: Lang): Set<string> {
  return new Set(runtimeDecls(lang).map((d) => d.name));
}
