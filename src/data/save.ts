// Encode tensors for writing, chosen by the output file's extension.
import { extname } from "node:path";
import { stridesOf, type NumericArray, type Tensor } from "../graph/tensor.ts";
import { UserError } from "../errors.ts";
import { tensorToNested } from "./json.ts";
import { encodeNpy } from "./npy.ts";
import { encodeNpz } from "./npz.ts";

/** Extensions a single tensor can be written as. */
export const SINGLE_FORMATS = [".npy", ".json", ".csv"];

/** Encode one tensor as .npy, .json (nested arrays) or .csv (1-D or 2-D), by the path's extension. */
export function encodeTensor(t: Tensor, path: string): Buffer {
  switch (extname(path).toLowerCase()) {
    case ".npy":
      return encodeNpy(t);
    case ".json":
      return Buffer.from(JSON.stringify(tensorToNested(t)) + "\n");
    case ".csv":
      return Buffer.from(toCsv(t));
    default:
      throw new UserError(`cannot write ${path}: use a ${SINGLE_FORMATS.join(", ")} file, a .npz file, or a folder`);
  }
}

/** Encode named tensors as one .npz archive. */
export function encodeTensors(named: ReadonlyMap<string, Tensor>): Buffer {
  return encodeNpz(named);
}

function toCsv(t: Tensor): string {
  if (t.shape.length > 2) throw new UserError(`cannot write a ${t.shape.length}-D tensor as CSV (rows of numbers); use .npy or .json`);
  const [rows, cols] = t.shape.length === 2 ? t.shape : t.shape.length === 1 ? [t.shape[0], 1] : [1, 1];
  const d = t.data as NumericArray | string[];
  const stride = stridesOf([rows, cols])[0];
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    for (let c = 0; c < cols; c++) cells.push(String(d[r * stride + c]));
    lines.push(cells.join(","));
  }
  return lines.join("\n") + "\n";
}
