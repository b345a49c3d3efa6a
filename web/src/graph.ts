// The module graph: functions as boxes, calls as arrows, laid out by dagre (a maintained layered-graph layout),
// drawn as SVG. Clicking a box jumps to that function's code.
import dagre from "@dagrejs/dagre";
import { html } from "htm/preact";
import type { ProgramView } from "./api.ts";

/** The call graph of the program's functions; `onPick(fn)` when a box is clicked. */
export function ModuleGraph({ view, onPick }: { view: ProgramView; onPick: (fn: string) => void }) {
  if (view.functions.length < 2) return html`<p class="muted">One function: no modules were found.</p>`;
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "TB", nodesep: 16, ranksep: 28, marginx: 4, marginy: 4 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const f of view.functions) g.setNode(f.name, { width: Math.max(60, 8 * (f.label?.name ?? f.name).length + 16), height: 28 });
  for (const c of view.calls) g.setEdge(c.from, c.to, { times: c.times });
  dagre.layout(g);
  const { width = 100, height = 100 } = g.graph();
  return html`<svg class="modules" viewBox=${`0 0 ${width} ${height}`} width=${width} height=${height} role="img" aria-label="module graph">
    ${g.edges().map((e) => {
      const pts = g.edge(e).points ?? [];
      const times = view.calls.find((c) => c.from === e.v && c.to === e.w)?.times ?? 1;
      return html`<g><polyline points=${pts.map((p: { x: number; y: number }) => `${p.x},${p.y}`).join(" ")} class="edge" marker-end="url(#arrow)"></polyline>
        ${times > 1 ? html`<text x=${pts[1]?.x ?? 0} y=${pts[1]?.y ?? 0} class="times">x${times}</text>` : null}</g>`;
    })}
    ${g.nodes().map((n) => {
      const v = g.node(n);
      const f = view.functions.find((x) => x.name === n);
      return html`<g class="node" data-fn=${n} onClick=${() => onPick(n)}>
        <rect x=${v.x - v.width / 2} y=${v.y - v.height / 2} width=${v.width} height=${v.height} rx="4"></rect>
        <text x=${v.x} y=${v.y + 4} text-anchor="middle">${f?.label?.name ?? n}</text></g>`;
    })}
    <defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L8,4 L0,8 z"></path></marker></defs>
  </svg>`;
}
