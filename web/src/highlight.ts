// Syntax highlighting of one line of pseudocode: a few token classes are enough for a Python-like notation.
import { html } from "htm/preact";
import type { VNode } from "preact";

const KEYWORDS = new Set(["def", "return", "for", "in", "if", "else", "and", "or", "not", "xor"]);
const TOKEN = /(#.*$)|("[^"]*")|(\b\d+(?:\.\d+)?(?:e[-+]?\d+)?\b)|([A-Za-z_][A-Za-z0-9_]*)(\s*\()?|(\s+)|(.)/g;

/** The line as spans: kw, call (a name being called), num, str, com; the rest plain. */
export function highlight(code: string): VNode[] {
  const out: VNode[] = [];
  for (const m of code.matchAll(TOKEN)) {
    const [all, com, str, num, ident, call] = m;
    if (com) out.push(html`<span class="com">${com}</span>`);
    else if (str) out.push(html`<span class="str">${str}</span>`);
    else if (num) out.push(html`<span class="num">${num}</span>`);
    else if (ident && KEYWORDS.has(ident)) out.push(html`<span class="kw">${ident}</span>${call ?? ""}`);
    else if (ident && call) out.push(html`<span class="call">${ident}</span>${call}`);
    else out.push(html`${all}`);
  }
  return out;
}
