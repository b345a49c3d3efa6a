// Mod: remainder of a / b, numpy broadcasting. fmod = 0 (default, integers only): the sign of the divisor, as
// Python's % and numpy.mod; fmod = 1: the sign of the dividend, as C fmod (required for floats by the spec).
import type { NumericArray } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";
import { attrInt } from "./op.ts";
import { binaryOp, FLOATS, NUMERIC } from "./util/elementwise.ts";

/** C fmod over one run (JS % is fmod); an integer remainder by zero gives 0, as numpy does. */
function fmodRun(
  a: NumericArray, ao: number, as: number, b: NumericArray, bo: number, bs: number,
  out: NumericArray, oo: number, n: number,
): void {
  const ints = !(out instanceof Float32Array) && !(out instanceof Float64Array);
  for (let i = 0; i < n; i++) {
    const d = b[bo + i * bs];
    out[oo + i] = ints && d === 0 ? 0 : (a[ao + i * as] % d) + 0;
  }
}

/** Integer remainder with the divisor's sign over one run; by zero gives 0, as numpy does. */
function floorModRun(
  a: NumericArray, ao: number, as: number, b: NumericArray, bo: number, bs: number,
  out: NumericArray, oo: number, n: number,
): void {
  for (let i = 0; i < n; i++) {
    const d = b[bo + i * bs];
    if (d === 0) {
      out[oo + i] = 0;
      continue;
    }
    const r = a[ao + i * as] % d;
    out[oo + i] = r !== 0 && r < 0 !== d < 0 ? r + d : r + 0;
  }
}

export const Mod = binaryOp({
  name: "Mod",
  types: NUMERIC,
  kernel(dtype, _b, ctx) {
    const fmod = attrInt(ctx.node, "fmod", 0);
    if (fmod !== 0 && fmod !== 1) throw new OpError(ctx.node, `fmod must be 0 or 1, got ${fmod}`);
    if (fmod === 0 && FLOATS.includes(dtype)) throw new OpError(ctx.node, `fmod = 0 is for integers; ${dtype} inputs need fmod = 1`);
    return fmod === 1 ? fmodRun : floorModRun;
  },
});
