// A weight matrix drawn as a heat map on a canvas: blue negative, red positive, white zero, scaled to max |w|.
import { html } from "htm/preact";
import { useEffect, useRef } from "preact/hooks";
import type { WeightView } from "./api.ts";

/** Canvas heat map of one weight; a title says its shape and range. */
export function HeatMap({ w }: { w: WeightView }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const max = w.values.reduce((a, v) => Math.max(a, Math.abs(v)), 0) || 1;
  useEffect(() => {
    const c = ref.current;
    if (!c || !w.rows || !w.cols) return;
    c.width = w.cols;
    c.height = w.rows;
    const ctx = c.getContext("2d")!;
    const img = ctx.createImageData(w.cols, w.rows);
    w.values.forEach((v, i) => {
      const t = Math.min(1, Math.abs(v) / max);
      const [r, g, b] = v >= 0 ? [255, 255 * (1 - t), 255 * (1 - t)] : [255 * (1 - t), 255 * (1 - t), 255];
      img.data.set([r, g, b, 255], i * 4);
    });
    ctx.putImageData(img, 0, 0);
  }, [w]);
  const scale = Math.max(1, Math.min(24, Math.floor(360 / Math.max(w.cols, 1)), Math.floor(240 / Math.max(w.rows, 1))));
  return html`<figure class="heat">
    <canvas ref=${ref} style=${`width:${w.cols * scale}px;height:${w.rows * scale}px`} title=${`${w.name}: max |w| ${max.toPrecision(3)}`}></canvas>
    <figcaption>${w.name} [${w.shape.join(" x ")}]${w.sampled ? " (sampled)" : ""}, |w| up to ${max.toPrecision(3)}</figcaption>
  </figure>`;
}
