// Load input data from a file or folder, by extension: .npy, .npz, .json, .csv, .pb, or a folder of .png images.
import { readFileSync, statSync } from "node:fs";
import { basename, extname } from "node:path";
import type { ValueInfo } from "../graph/graph.ts";
import type { Tensor } from "../graph/tensor.ts";
import { UserError } from "../errors.ts";
import { parseCsv } from "./csv.ts";
import { fitToInput, type FitOptions } from "./fit.ts";
import { parseJsonData } from "./json.ts";
import { decodeNpy } from "./npy.ts";
import { decodeNpz } from "./npz.ts";
import { readTensorProto } from "../onnx/read.ts";
import { readPngFolder, type PngOptions } from "./png.ts";

export interface LoadedData {
  tensor: Tensor;
  /** Conversions made on the way (dtype, batch axis, header row, ...), for the user to see. */
  notes: string[];
}

export const DATA_FORMATS = ".npy, .npz, .json, .csv, .pb (an ONNX TensorProto), a folder of .png images, or an ONNX test-data folder (input_0.pb, input_1.pb, ...: one per model input, in order)";

/** Read data from a path; with `expected`, also check it fits that model input and convert it (see fit.ts). */
export function loadData(path: string, expected?: ValueInfo, fit: FitOptions = {}): LoadedData {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new UserError(`data file ${path} does not exist`);
  }
  const notes: string[] = [];
  let t: Tensor;
  try {
    t = st.isDirectory() ? readPngFolder(path, pngOptions(expected)) : readFile(path, expected, notes);
  } catch (e) {
    if (e instanceof UserError) throw new UserError(`${path}: ${e.message}`);
    throw e;
  }
  if (!expected) return { tensor: t, notes };
  const fitted = fitToInput(t, expected, path, fit);
  return { tensor: fitted.tensor, notes: [...notes, ...fitted.notes] };
}

function readFile(path: string, expected: ValueInfo | undefined, notes: string[]): Tensor {
  const ext = extname(path).toLowerCase();
  if (![".npy", ".npz", ".json", ".csv", ".pb"].includes(ext)) {
    throw new UserError(`unknown data format '${ext || basename(path)}'; use ${DATA_FORMATS}`);
  }
  const buf = readFileSync(path);
  if (buf.length === 0) throw new UserError("the file is empty");
  switch (ext) {
    case ".npy":
      return decodeNpy(buf, { share: true }); // the buffer is ours alone: the array may be a view of it
    case ".json":
      return parseJsonData(buf.toString("utf8"));
    case ".pb":
      return readTensorProto(buf, { file: "the file" }).tensor;
    case ".csv": {
      const { tensor, header } = parseCsv(buf.toString("utf8"));
      if (header) notes.push(`${path}: first row taken as a header (${header.slice(0, 4).join(", ")}${header.length > 4 ? ", ..." : ""})`);
      return tensor;
    }
    default:
      return pickNpz(decodeNpz(buf), expected, path, notes);
  }
}

/** The one array of an .npz, or the one named after the model input. */
function pickNpz(arrays: Map<string, Tensor>, expected: ValueInfo | undefined, path: string, notes: string[]): Tensor {
  if (expected && arrays.has(expected.name)) return arrays.get(expected.name)!;
  if (arrays.size === 1) {
    const [name, t] = [...arrays][0];
    if (expected) notes.push(`${path}: using its only array '${name}' for input '${expected.name}'`);
    return t;
  }
  const names = [...arrays.keys()].join(", ") || "none";
  const want = expected ? `an array named '${expected.name}'` : "exactly one array";
  throw new UserError(`expected ${want}; the archive holds: ${names}`);
}

/** Image layout and channels from the model input's shape: [N, C, H, W] or (Keras) [N, H, W, C]. */
function pngOptions(expected: ValueInfo | undefined): PngOptions {
  const s = expected?.shape;
  if (!s || s.length !== 4) return {};
  const isCh = (d: unknown) => d === 1 || d === 3;
  if (isCh(s[1])) return { channels: s[1] as 1 | 3, layout: "NCHW" };
  if (isCh(s[3])) return { channels: s[3] as 1 | 3, layout: "NHWC" };
  return {};
}
