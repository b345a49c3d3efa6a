// A folder of PNG images -> one float32 batch in [0, 1], one image per file in filename order.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";
import type { NumTensor } from "../graph/tensor.ts";
import { UserError } from "../errors.ts";

export interface PngOptions {
  /** Channels wanted: 1 (grayscale) or 3 (RGB). By default 1 if every image is grayscale, else 3. */
  channels?: 1 | 3;
  /** Axis order of the result; NCHW by default (PyTorch), NHWC for Keras/TF models. */
  layout?: "NCHW" | "NHWC";
}

/** One decoded image: RGB planes as floats in [0, 1]. */
interface Image {
  file: string;
  width: number;
  height: number;
  gray: boolean;
  rgb: Float32Array; // height*width*3, interleaved
}

/** The .png files of a folder, sorted by file name (code-point order, like Python's sorted(os.listdir())). */
export function pngFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.toLowerCase().endsWith(".png"))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Read every .png of a folder into a [N, C, H, W] (or [N, H, W, C]) float32 tensor; all images must share one size. */
export function readPngFolder(dir: string, opts: PngOptions = {}): NumTensor {
  const files = pngFiles(dir);
  if (files.length === 0) throw new UserError(`folder ${dir} has no .png files`);
  const images = files.map((f) => decodePng(join(dir, f), f));
  const { width, height } = images[0];
  for (const im of images) {
    if (im.width !== width || im.height !== height) {
      throw new UserError(`image ${im.file} is ${im.width}x${im.height}, but ${images[0].file} is ${width}x${height}; all images must have one size`);
    }
  }
  const channels = opts.channels ?? (images.every((im) => im.gray) ? 1 : 3);
  if (channels === 1) {
    const colour = images.find((im) => !im.gray);
    if (colour) throw new UserError(`image ${colour.file} is in colour, but the model wants 1 channel (grayscale)`);
  }
  const nhwc = opts.layout === "NHWC";
  const hw = width * height;
  const per = hw * channels;
  const data = new Float32Array(images.length * per);
  images.forEach((im, n) => {
    for (let p = 0; p < hw; p++) {
      for (let c = 0; c < channels; c++) {
        data[n * per + (nhwc ? p * channels + c : c * hw + p)] = im.rgb[p * 3 + c];
      }
    }
  });
  const shape = nhwc ? [images.length, height, width, channels] : [images.length, channels, height, width];
  return { dtype: "float32", shape, data };
}

function decodePng(path: string, file: string): Image {
  let png: PNG & { colorType?: number; depth?: number };
  try {
    // skipRescale keeps 16-bit samples exact; we scale to [0, 1] ourselves.
    png = PNG.sync.read(readFileSync(path), { skipRescale: true }) as PNG & { colorType?: number; depth?: number };
  } catch (e) {
    throw new UserError(`image ${file} is not a readable PNG: ${(e as Error).message}`);
  }
  const { width, height } = png;
  const palette = png.colorType === 3;
  const max = palette ? 255 : 2 ** (png.depth ?? 8) - 1;
  const src = png.data as unknown as ArrayLike<number>;
  const rgb = new Float32Array(width * height * 3);
  let gray = true;
  for (let p = 0; p < width * height; p++) {
    const r = src[p * 4], g = src[p * 4 + 1], b = src[p * 4 + 2];
    if (r !== g || g !== b) gray = false;
    rgb[p * 3] = r / max;
    rgb[p * 3 + 1] = g / max;
    rgb[p * 3 + 2] = b / max;
  }
  return { file, width, height, gray, rgb };
}
