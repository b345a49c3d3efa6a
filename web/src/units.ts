// What the units behind a primitive do on the data: each unit's activation histogram and the inputs that drive it
// hardest (drawn as images when the input is an image, else their first values), from units.json.
import { html } from "htm/preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { getUnits, type UnitsFile, type UnitView } from "./api.ts";

/** Units shown per layer before "and N more". */
const SHOWN = 12;

/** The units of a primitive's Net slice, layer by layer. */
export function Units({ layers }: { layers: { id: string; units: number[] | null }[] }) {
  const [file, setFile] = useState<UnitsFile | null | undefined>(undefined);
  useEffect(() => void getUnits().then(setFile), []);
  if (!file) return null;
  const parts = layers.filter((l) => file.layers[l.id]);
  if (!parts.length) return null;
  return html`<div class="units">${parts.map((l) => {
    const all = file.layers[l.id];
    const ids = l.units ?? all.map((_, i) => i);
    return html`<div class="unitlayer"><h4>${l.id}: ${ids.length} unit(s) on the analysis sample</h4>
      ${ids.slice(0, SHOWN).map((u) => html`<${Unit} id=${`${l.id}:${u}`} v=${all[u]} file=${file} />`)}
      ${ids.length > SHOWN ? html`<p class="muted">and ${ids.length - SHOWN} more</p>` : null}</div>`;
  })}</div>`;
}

function Unit({ id, v, file }: { id: string; v: UnitView | undefined; file: UnitsFile }) {
  if (!v) return null;
  const max = Math.max(1, ...v.counts);
  return html`<div class="unit" data-unit=${id}>
    <span class="uid">${id}</span>
    <svg class="hist" width="100" height="28" viewBox="0 0 100 28" aria-label=${`activations of ${id} from ${v.lo} to ${v.hi}`}>
      ${v.counts.map((c, i) => html`<rect x=${i * 5} y=${28 - (26 * c) / max} width="4" height=${(26 * c) / max}></rect>`)}
    </svg>
    <span class="range muted">${v.lo} … ${v.hi}</span>
    ${v.top.map((t) => html`<${Example} values=${file.rows[t.row]} shape=${file.input?.shape ?? []} title=${`row ${t.row}: ${t.value}`} />`)}
  </div>`;
}

/** One input: a small grey image when it is one (c x h x w, or a square vector), else its first values. */
function Example({ values, shape, title }: { values: number[] | undefined; shape: number[]; title: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const side = shape.length === 1 ? Math.round(Math.sqrt(shape[0])) : 0;
  const [h, w] = shape.length === 3 ? [shape[1], shape[2]] : side >= 4 && side * side === shape[0] ? [side, side] : [0, 0];
  useEffect(() => {
    const c = ref.current;
    if (!c || !values || !h) return;
    c.width = w;
    c.height = h;
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < h * w; i++) (lo = Math.min(lo, values[i])), (hi = Math.max(hi, values[i]));
    const img = c.getContext("2d")!.createImageData(w, h);
    for (let i = 0; i < h * w; i++) {
      const g = hi > lo ? (255 * (values[i] - lo)) / (hi - lo) : 0;
      img.data.set([g, g, g, 255], i * 4);
    }
    c.getContext("2d")!.putImageData(img, 0, 0);
  }, [values, h, w]);
  if (!values) return null;
  if (h) return html`<canvas class="example" ref=${ref} title=${title} style=${`width:${Math.max(28, w)}px;height:${Math.max(28, h)}px`}></canvas>`;
  return html`<code class="example vec" title=${title}>[${values.slice(0, 6).map((x) => x.toFixed(2)).join(", ")}${values.length > 6 ? ", …" : ""}]</code>`;
}
