// The explorer page: the program's top level; click a call to open the function's body in place, click a
// primitive to open its implementation (its units and weights, as `pseudonet show` prints them, and heat maps);
// click again to close. Preact + htm: a small React-style library, no build-time JSX, so the page stays a few
// kilobytes and its build needs nothing but Vite.
import { html } from "htm/preact";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { getReport, getShow, getView, getWeights, putLabel, type FnView, type LineView, type ProgramView, type WeightView } from "./api.ts";
import { ModuleGraph } from "./graph.ts";
import { HeatMap } from "./heatmap.ts";
import { highlight } from "./highlight.ts";
import { Units } from "./units.ts";
import { FeatureGroups } from "./features.ts";
import "./style.css";

/** Functions nested deeper than this are not opened in place (a recursive program would never end). */
const MAX_DEPTH = 12;

type Crumb = { key: string; text: string };

function App() {
  const [view, setView] = useState<ProgramView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const [trail, setTrail] = useState<Crumb[]>([]);
  const reload = () => getView().then(setView, (e: Error) => setError(e.message));
  useEffect(() => void reload(), []);
  if (error) return html`<p class="error">Could not load the program: ${error}</p>`;
  if (!view) return html`<p class="loading">Loading the program…</p>`;
  const fns = new Map(view.functions.map((f) => [f.name, f]));
  const toggle = (key: string, crumbs: Crumb[]) => {
    const next = new Set(open);
    if (next.has(key)) {
      for (const k of open) if (k === key || k.startsWith(`${key}>`)) next.delete(k);
      setTrail(crumbs.slice(0, -1));
    } else {
      next.add(key);
      setTrail(crumbs);
    }
    setOpen(next);
  };
  const jump = (fn: string) => document.getElementById(`fn-${fn}`)?.scrollIntoView({ behavior: "smooth", block: "start" });
  const entry = fns.get(view.entry)!;
  const ctx: Ctx = { fns, open, toggle, reload };
  return html`
    <header>
      <h1>${view.name}</h1>
      <span class="muted">${view.size.statements} statements in ${view.functions.length} function(s), ${view.size.weights.toLocaleString("en-US")} weights</span>
    </header>
    <nav class="crumbs" aria-label="breadcrumb">
      <a href="#" onClick=${(e: Event) => (e.preventDefault(), setTrail([]), jump(view.entry))}>${view.entry}</a>
      ${trail.map((c) => html` › <a href="#" data-key=${c.key} onClick=${(e: Event) => (e.preventDefault(), document.querySelector(`[data-key="${CSS.escape(c.key)}"]`)?.scrollIntoView({ block: "center" }))}>${c.text}</a>`)}
    </nav>
    <main>
      <section class="code">
        <${Fn} fn=${entry} ctx=${ctx} keyPrefix="" depth=${0} crumbs=${[]} />
        ${view.functions.filter((f) => f.name !== view.entry).map((f) => html`<${Fn} fn=${f} ctx=${ctx} keyPrefix=${`#${f.name}`} depth=${0} crumbs=${[]} />`)}
      </section>
      <aside>
        <${Fidelity} view=${view} />
        <h2>Modules</h2>
        <${ModuleGraph} view=${view} onPick=${jump} />
        <${Passes} />
      </aside>
    </main>`;
}

interface Ctx {
  fns: Map<string, FnView>;
  open: ReadonlySet<string>;
  toggle: (key: string, crumbs: Crumb[]) => void;
  reload: () => void;
}

function Fn({ fn, ctx, keyPrefix, depth, crumbs }: { fn: FnView; ctx: Ctx; keyPrefix: string; depth: number; crumbs: Crumb[] }) {
  const top = depth === 0;
  return html`<div class=${top ? "fn top" : "fn nested"} id=${top ? `fn-${fn.name}` : undefined}>
    <div class="line header"><code>${highlight(fn.header)}</code>${fn.label ? html` <span class="label">${fn.label.name}</span>` : null}
      ${top ? html`<${LabelButton} id=${fn.name} current=${fn.label} reload=${ctx.reload} />` : null}</div>
    ${fn.doc ? html`<div class="line doc"><code class="com">"""${fn.doc}"""</code></div>` : null}
    ${fn.lines.map((l) => html`<${Line} line=${l} ctx=${ctx} keyPrefix=${keyPrefix} depth=${depth} crumbs=${crumbs} />`)}
    <div class="line"><code><span class="kw">return</span> ${fn.returns}</code></div>
  </div>`;
}

function Line({ line, ctx, keyPrefix, depth, crumbs }: { line: LineView; ctx: Ctx; keyPrefix: string; depth: number; crumbs: Crumb[] }) {
  const key = `${keyPrefix}>${line.path}`;
  const isOpen = ctx.open.has(key);
  const here = [...crumbs, { key, text: line.label?.name ?? line.path }];
  const o = line.opens;
  const labelId = o.kind === "prim" ? o.id : line.path;
  const callee = o.kind === "call" ? ctx.fns.get(o.fn) : undefined;
  const openable = o.kind === "prim" || (callee && depth < MAX_DEPTH);
  return html`<div class=${`stmt ${o.kind}${isOpen ? " open" : ""}`} data-key=${key} data-path=${line.path}>
    <div class="line" role="button" tabindex="0" aria-expanded=${isOpen}
      onClick=${() => openable && ctx.toggle(key, here)} onKeyDown=${(e: KeyboardEvent) => e.key === "Enter" && openable && ctx.toggle(key, here)}>
      <span class="twisty">${openable ? (isOpen ? "▾" : "▸") : " "}</span>
      <code>${highlight(line.code)}</code>
      ${line.comment ? html`<code class="com">  # ${line.comment}</code>` : null}
      ${line.label ? html` <span class="label" title=${line.label.description ?? ""}>${line.label.name}</span>` : null}
      <${LabelButton} id=${labelId} current=${line.label} reload=${ctx.reload} />
    </div>
    ${isOpen && callee ? html`<${Fn} fn=${callee} ctx=${ctx} keyPrefix=${key} depth=${depth + 1} crumbs=${here} />` : null}
    ${isOpen && o.kind === "prim" ? html`<${PrimDetail} line=${line} reload=${ctx.reload} />` : null}
  </div>`;
}

function PrimDetail({ line, reload }: { line: LineView; reload: () => void }) {
  const o = line.opens as Extract<LineView["opens"], { kind: "prim" }>;
  const [text, setText] = useState<string | null>(null);
  const [weights, setWeights] = useState<WeightView[] | null>(null);
  const [err, setErr] = useState<string | null>(null);
  useEffect(() => {
    getShow(line.path).then((r) => setText(r.text), (e: Error) => setErr(e.message));
    getWeights(o.id).then((r) => setWeights(r.weights), (e: Error) => setErr(e.message));
  }, [line.path, o.id]);
  return html`<div class="detail">
    <div class="facts">${o.prim}${o.units ? `, ${o.units} units` : ""}, local error ${o.error ? o.error.toExponential(1) : "0 (exact)"}
      ${o.ops ? html`<div class="ops">ONNX ops run as they are: ${o.ops.map((op) => html`<span class="op">${op}</span>`)}</div>` : null}</div>
    ${err ? html`<p class="error">${err}</p>` : null}
    ${weights ? html`<div class="heats">${weights.filter((w) => w.values.length > 1).map((w) => html`<${HeatMap} w=${w} />`)}</div>` : null}
    ${o.features?.length ? html`<${FeatureGroups} groups=${o.features} LabelButton=${LabelButton} reload=${reload} />` : null}
    <${Units} layers=${o.layers} />
    ${text === null ? html`<p class="loading">Opening…</p>` : html`<pre class="show">${text}</pre>`}
  </div>`;
}

function LabelButton({ id, current, reload }: { id: string; current?: { name: string; description?: string }; reload: () => void }) {
  const [editing, setEditing] = useState(false);
  const [err, setErr] = useState<string | null>(null);
  if (!editing) {
    return html`<button class="name" title="name this" data-label-for=${id} onClick=${(e: Event) => (e.stopPropagation(), setEditing(true))}>✎</button>`;
  }
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const name = (form.elements.namedItem("name") as HTMLInputElement).value.trim();
    const description = (form.elements.namedItem("description") as HTMLInputElement).value.trim();
    try {
      await putLabel(id, name || null, description || undefined);
      setEditing(false);
      reload();
    } catch (x) {
      setErr((x as Error).message);
    }
  };
  return html`<form class="labelform" onClick=${(e: Event) => e.stopPropagation()} onSubmit=${submit}>
    <input name="name" placeholder="name (an identifier)" value=${current?.name ?? ""} pattern="[A-Za-z_][A-Za-z0-9_]*" autofocus />
    <input name="description" placeholder="what it does" value=${current?.description ?? ""} />
    <button type="submit">save</button><button type="button" onClick=${() => setEditing(false)}>cancel</button>
    ${err ? html`<span class="error">${err}</span>` : null}
  </form>`;
}

function Fidelity({ view }: { view: ProgramView }) {
  const f = view.fidelity;
  if (!f) return html`<h2>Fidelity</h2><p class="muted">Not measured.</p>`;
  return html`<h2>Fidelity</h2><table class="fidelity">
    <tr><th>max |error|</th><td>${f.maxAbsErr.toExponential(1)}</td></tr>
    <tr><th>relative</th><td>${f.relErr.toExponential(1)}</td></tr>
    ${f.top1Agreement !== undefined ? html`<tr><th>top-1 agreement</th><td>${(100 * f.top1Agreement).toFixed(2)}%</td></tr>` : null}
    ${f.certifiedMaxErr !== undefined ? html`<tr><th>certified over the box</th><td>${f.certifiedMaxErr.toExponential(1)}</td></tr>` : null}
    <tr><th>on</th><td>${f.samples} ${f.data} samples</td></tr></table>`;
}

function Passes() {
  const [rows, setRows] = useState<string[][]>([]);
  useEffect(() => {
    getReport().then((md) => {
      // The "## Passes" section's table, up to the next section.
      const at = md.indexOf("## Passes");
      const section = at < 0 ? "" : md.slice(at + 9).split("\n## ")[0];
      const table = section.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| pass |") && !l.startsWith("|---"));
      setRows(table.map((l) => l.slice(2, -2).split(" | ").map((c) => c.replace(/\\\|/g, "|"))));
    });
  }, []);
  if (!rows.length) return null;
  return html`<h2>Passes</h2><table class="passes">${rows.map(([p, what]) => html`<tr><th>${p}</th><td>${what}</td></tr>`)}</table>`;
}

render(html`<${App} />`, document.getElementById("app")!);
