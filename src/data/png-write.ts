// A small PNG encoder (8-bit grey or RGB, no interlace) with node:zlib: pictures explain writes (feature groups'
// top inputs and visualisations). zlib at a fixed level gives the same bytes for the same pixels, run to run.
import { crc32, deflateSync } from "node:zlib";

/** An 8-bit picture: `channels` 1 (grey) or 3 (RGB), row-major, channels interleaved. */
export interface Picture {
  width: number;
  height: number;
  channels: 1 | 3;
  pixels: Uint8Array;
}

/** The PNG file for a picture. */
export function encodePng(p: Picture): Uint8Array {
  const { width: w, height: h, channels: c } = p;
  if (p.pixels.length !== w * h * c) throw new Error(`encodePng: ${p.pixels.length} bytes for ${w} x ${h} x ${c}`);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = c === 1 ? 0 : 2; // colour type: grey or RGB
  // Each scanline starts with filter type 0 (none): simple, and zlib does well on small pictures anyway.
  const raw = Buffer.alloc(h * (w * c + 1));
  for (let y = 0; y < h; y++) raw.set(p.pixels.subarray(y * w * c, (y + 1) * w * c), y * (w * c + 1) + 1);
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw, { level: 9 })), chunk("IEND", Buffer.alloc(0))]);
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Pictures side by side with a `gap`-pixel white margin between them (all the same size and channels). */
export function sideBySide(ps: readonly Picture[], gap = 2): Picture {
  if (!ps.length) throw new Error("sideBySide: no pictures");
  const { width: w, height: h, channels: c } = ps[0];
  const W = ps.length * w + (ps.length - 1) * gap;
  const pixels = new Uint8Array(W * h * c).fill(255);
  ps.forEach((p, k) => {
    for (let y = 0; y < h; y++) pixels.set(p.pixels.subarray(y * w * c, (y + 1) * w * c), (y * W + k * (w + gap)) * c);
  });
  return { width: W, height: h, channels: c, pixels };
}

/** A picture of one input: `values` is c x h x w (c = 1 or 3; other c: the first channel), mapped from [lo, hi]
 *  to 0..255 and enlarged `scale` times (nearest neighbour) so a 28 x 28 digit reads in a report. */
export function pictureOf(values: ArrayLike<number>, shape: readonly [number, number, number], lo: number, hi: number, scale = 1): Picture {
  const [c0, h, w] = shape;
  const c = c0 === 3 ? 3 : 1;
  const span = hi > lo ? hi - lo : 1;
  const W = w * scale, H = h * scale;
  const pixels = new Uint8Array(W * H * c);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let ch = 0; ch < c; ch++) {
        const v = values[ch * h * w + Math.floor(y / scale) * w + Math.floor(x / scale)];
        pixels[(y * W + x) * c + ch] = Math.max(0, Math.min(255, Math.round((255 * (v - lo)) / span)));
      }
    }
  }
  return { width: W, height: H, channels: c as 1 | 3, pixels };
}

/** The image shape [c, h, w] of a per-sample input shape, or undefined when it is not an image: [c, h, w] with
 *  c = 1 or 3, or [h, w]. A flat vector is not drawn even when its length is a square (400 features are not a
 *  20 x 20 picture unless the model says so). */
export function imageShape(shape: readonly number[]): [number, number, number] | undefined {
  if (shape.length === 3 && (shape[0] === 1 || shape[0] === 3) && shape[1] >= 4 && shape[2] >= 4) return [shape[0], shape[1], shape[2]];
  if (shape.length === 2 && shape[0] >= 4 && shape[1] >= 4) return [1, shape[0], shape[1]];
  return undefined;
}
