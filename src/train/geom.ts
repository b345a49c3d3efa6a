// The 3-D window geometry (ops/util/spatial.ts's Geom3) of a conv or pool layer, from the layer's attributes and
// its input's per-sample shape [C, ...spatial]: 1-D and 2-D windows get leading axes of size 1, as the kernels expect.
import type { Geom3 } from "../ops/util/spatial.ts";

/** Spatial window attributes shared by conv and pool layers. */
export interface WindowLayer {
  kernel: number[];
  strides: number[];
  pads: number[];
  dilations: number[];
}

const lift3 = (v: readonly number[], fill: number): [number, number, number] => {
  const r = [...new Array<number>(3 - v.length).fill(fill), ...v];
  return [r[0], r[1], r[2]];
};

/** Geometry of a window layer reading per-sample shape `inShape` and writing `outShape` (both [C, ...spatial]). */
export function layerGeom(l: WindowLayer, inShape: readonly number[], outShape: readonly number[]): Geom3 {
  const n = l.kernel.length;
  if (n < 1 || n > 3 || inShape.length !== n + 1) throw new Error(`layerGeom: ${n} spatial axes over input [${inShape.join(", ")}]`);
  return {
    in: lift3(inShape.slice(1), 1),
    out: lift3(outShape.slice(1), 1),
    kernel: lift3(l.kernel, 1),
    strides: lift3(l.strides.length ? l.strides : l.kernel.map(() => 1), 1),
    dilations: lift3(l.dilations.length ? l.dilations : l.kernel.map(() => 1), 1),
    padBegin: lift3(l.pads.length ? l.pads.slice(0, n) : l.kernel.map(() => 0), 0),
    padEnd: lift3(l.pads.length ? l.pads.slice(n) : l.kernel.map(() => 0), 0),
  };
}

/** The geometry of the transposed window: what a conv's input gradient (a ConvTranspose of dY) runs on. */
export function transposeGeom(g: Geom3): Geom3 {
  return { ...g, in: g.out, out: g.in };
}
