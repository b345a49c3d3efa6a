// numpy .npz: a zip of .npy members (np.savez / np.savez_compressed), keyed by member name without ".npy".
import type { Tensor } from "../graph/tensor.ts";
import { UserError } from "../errors.ts";
import { decodeNpy, encodeNpy } from "./npy.ts";
import { readZip, writeZip } from "./zip.ts";

/** Decode a .npz archive into its arrays, in archive order. */
export function decodeNpz(buf: Buffer): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const { name, data } of readZip(buf)) {
    const key = name.endsWith(".npy") ? name.slice(0, -4) : name;
    try {
      out.set(key, decodeNpy(data));
    } catch (e) {
      if (e instanceof UserError) throw new UserError(`array '${key}': ${e.message}`);
      throw e;
    }
  }
  return out;
}

/** Encode named arrays as an uncompressed .npz archive that np.load reads. */
export function encodeNpz(arrays: ReadonlyMap<string, Tensor>): Buffer {
  return writeZip([...arrays].map(([name, t]) => ({ name: `${name}.npy`, data: encodeNpy(t) })));
}
