// BitShift: x << s or x >> s (attribute direction = "LEFT" or "RIGHT"), unsigned integers only, numpy
// broadcasting. Bits shifted past the type's width are lost; a shift by the width or more gives 0.
import type { DType, NumericArray } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";
import { attrString } from "./op.ts";
import { binaryOp, UNSIGNED_INTS, type BinaryRun } from "./util/elementwise.ts";

const WIDTH: Partial<Record<DType, number>> = { uint8: 8, uint16: 16, uint32: 32, uint64: 64 };

/** x << s over one run: multiply by 2^s and keep the low `bits` bits (uint64 via BigInt: doubles lose them). */
function leftRun(bits: number): BinaryRun {
  const mask = (1n << BigInt(bits)) - 1n;
  return (a: NumericArray, ao, as, b: NumericArray, bo, bs, out: NumericArray, oo, n) => {
    for (let i = 0; i < n; i++) {
      const s = b[bo + i * bs];
      const x = a[ao + i * as];
      out[oo + i] = s >= bits ? 0 : bits < 64 ? (x * 2 ** s) % 2 ** bits : Number((BigInt(x) << BigInt(s)) & mask);
    }
  };
}

/** x >> s over one run. */
function rightRun(bits: number): BinaryRun {
  return (a: NumericArray, ao, as, b: NumericArray, bo, bs, out: NumericArray, oo, n) => {
    for (let i = 0; i < n; i++) {
      const s = b[bo + i * bs];
      out[oo + i] = s >= bits ? 0 : Math.floor(a[ao + i * as] / 2 ** s);
    }
  };
}

export const BitShift = binaryOp({
  name: "BitShift",
  types: UNSIGNED_INTS,
  kernel(dtype, _b, ctx) {
    const direction = attrString(ctx.node, "direction");
    const bits = WIDTH[dtype]!;
    if (direction === "LEFT") return leftRun(bits);
    if (direction === "RIGHT") return rightRun(bits);
    throw new OpError(ctx.node, `attribute 'direction' must be "LEFT" or "RIGHT", got ${direction === undefined ? "none" : `"${direction}"`}`);
  },
});
