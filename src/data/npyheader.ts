// The .npy header: a Python dict literal such as {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }.
import { UserError } from "../errors.ts";

export interface NpyHeader {
  /** numpy dtype descr, e.g. "<f4". */
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

/** Parse the header dict of a .npy file; throws a UserError saying which key is missing or malformed. */
export function parseNpyHeader(text: string): NpyHeader {
  const t = text.trim();
  if (!t.startsWith("{") || !t.endsWith("}")) throw new UserError(`malformed .npy header: ${clip(t)}`);
  const descr = /['"]descr['"]\s*:\s*(['"])(.*?)\1/.exec(t);
  if (!descr) {
    if (/['"]descr['"]\s*:\s*\[/.test(t)) throw new UserError("structured (record) arrays are not supported; save a plain numeric array");
    throw new UserError(`malformed .npy header (no 'descr'): ${clip(t)}`);
  }
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(t);
  if (!fortran) throw new UserError(`malformed .npy header (no 'fortran_order'): ${clip(t)}`);
  const shape = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(t);
  if (!shape) throw new UserError(`malformed .npy header (no 'shape'): ${clip(t)}`);
  const dims = shape[1]
    .split(",")
    .map((s) => s.trim().replace(/L$/, "")) // Python 2 wrote long ints as 3L
    .filter((s) => s !== "");
  const parsed = dims.map((s) => {
    if (!/^\d+$/.test(s)) throw new UserError(`malformed .npy header: shape entry '${s}' is not a non-negative integer`);
    return Number(s);
  });
  return { descr: descr[2], fortranOrder: fortran[1] === "True", shape: parsed };
}

function clip(s: string): string {
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}
