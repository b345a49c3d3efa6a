// Feature groups of a statement (NMF of its units' activations, computed by explain): each group with its share
// of the activation and its units; opened, its top-activating inputs (a picture strip for images, a table for
// vectors) beside its feature visualisation and its strongest unit's. Pictures are files explain wrote; the page
// only shows them.
import { html } from "htm/preact";
import { useState } from "preact/hooks";
import type { FeatureGroupView, Label, VisScore } from "./api.ts";

type LabelButtonT = (p: { id: string; current?: Label; reload: () => void }) => unknown;

/** Units listed per group before "...". */
const SHOWN_UNITS = 16;

/** The groups of one statement; `LabelButton` names a group (labels.json, as for statements). */
export function FeatureGroups({ groups, LabelButton, reload }: { groups: FeatureGroupView[]; LabelButton: LabelButtonT; reload: () => void }) {
  return html`<div class="features"><h4>Feature groups: units that fire together on the data (NMF), largest share first</h4>
    ${groups.map((g) => html`<${Group} g=${g} LabelButton=${LabelButton} reload=${reload} />`)}</div>`;
}

/** "1.8x": the objective the picture reaches over the largest any input of the data reaches. */
function ratio(v: VisScore | undefined): string {
  return v && v.dataMax > 0 ? `${(v.objective / v.dataMax).toFixed(1)}x` : "";
}

const RATIO_TITLE = "gradient ascent on the input through the network: how hard the picture drives it, over the largest any input of the data does";

function Group({ g, LabelButton, reload }: { g: FeatureGroupView; LabelButton: LabelButtonT; reload: () => void }) {
  const [open, setOpen] = useState(false);
  const toggle = () => setOpen(!open);
  return html`<div class=${`fgroup${open ? " open" : ""}`} data-group=${g.name}>
    <div class="fghead" role="button" tabindex="0" aria-expanded=${open} onClick=${toggle} onKeyDown=${(e: KeyboardEvent) => e.key === "Enter" && toggle()}>
      <span class="twisty">${open ? "▾" : "▸"}</span><code>${g.name}</code>
      ${g.label ? html` <span class="label" title=${g.label.description ?? ""}>${g.label.name}</span>` : null}
      <span class="muted"> ${g.units.length} units, ${(100 * g.share).toFixed(1)}% of the activation</span>
      ${g.pictures?.vis ? html`<img class="thumb" src=${`files/${g.pictures.vis}`} alt=${`${g.name}: visualisation`} />` : null}
      <${LabelButton} id=${g.name} current=${g.label} reload=${reload} />
    </div>
    ${open ? html`<div class="fgbody">
      <div class="fgpics">
        ${g.pictures?.top
          ? html`<figure class="ftop"><img class="top" src=${`files/${g.pictures.top}`} alt=${`${g.name}: top inputs`} />
              <figcaption>top inputs: data rows ${g.top.map((t) => t.row).join(", ")}</figcaption></figure>`
          : html`<${TopTable} g=${g} />`}
        ${g.pictures?.vis ? html`<figure class="fvis"><img class="vis" src=${`files/${g.pictures.vis}`} alt=${`${g.name}: visualisation`} />
          <figcaption title=${RATIO_TITLE}>visualisation, ${ratio(g.vis)}</figcaption></figure>` : null}
        ${g.unit ? html`<figure class="fvis"><img class="vis unit" src=${`files/${g.unit.picture}`} alt=${`${g.stmt}[${g.unit.index}]: visualisation`} />
          <figcaption title=${RATIO_TITLE}>top unit ${g.stmt}[${g.unit.index}], ${ratio(g.unit.vis)}</figcaption></figure>` : null}
      </div>
      <div class="funits">units (loading): ${g.units.slice(0, SHOWN_UNITS).map((u) => `${g.stmt}[${u.index}] ${u.loading.toFixed(2)}`).join(", ")}${g.units.length > SHOWN_UNITS ? `, … ${g.units.length} in all` : ""}</div>
    </div>` : null}
  </div>`;
}

/** Vector inputs: the top examples as a table (row, the group's activation, the input's values). */
function TopTable({ g }: { g: FeatureGroupView }) {
  const width = Math.max(0, ...g.top.map((t) => t.input?.length ?? 0));
  return html`<table class="ftable"><tr><th>row</th><th>activation</th>${Array.from({ length: width }, (_, i) => html`<th>x${i}</th>`)}</tr>
    ${g.top.map((t) => html`<tr><td>${t.row}</td><td>${t.value}</td>${(t.input ?? []).map((v) => html`<td>${v}</td>`)}</tr>`)}</table>`;
}
