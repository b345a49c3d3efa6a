// Tensor comparison with numpy's allclose rule, exact for integers, bools and strings.
import assert from "node:assert/strict";
import type { Tensor } from "../../src/graph/tensor.ts";

/** Compare actual with expected: |a - e| <= atol + rtol * |e| for floats (NaN equals NaN), exact otherwise.
 *  Returns undefined when they match, else a one-line description of the first difference. */
export function mismatch(actual: Tensor, expected: Tensor, rtol = 1e-3, atol = 1e-7): string | undefined {
  if (actual.dtype !== expected.dtype) return `dtype ${actual.dtype}, expected ${expected.dtype}`;
  if (actual.shape.length !== expected.shape.length || actual.shape.some((d, i) => d !== expected.shape[i])) {
    return `shape [${actual.shape.join(", ")}], expected [${expected.shape.join(", ")}]`;
  }
  if (actual.data.length !== expected.data.length) return `${actual.data.length} values, expected ${expected.data.length}`;
  const float = actual.dtype === "float32" || actual.dtype === "float64" || actual.dtype === "float16";
  let bad = 0;
  let first = -1;
  let worst = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i];
    const e = expected.data[i];
    let ok: boolean;
    if (!float || typeof a !== "number" || typeof e !== "number") ok = a === e;
    else if (Number.isNaN(e) || Number.isNaN(a)) ok = Number.isNaN(e) && Number.isNaN(a);
    else if (!Number.isFinite(e) || !Number.isFinite(a)) ok = a === e;
    else {
      const d = Math.abs(a - e);
      ok = d <= atol + rtol * Math.abs(e);
      if (!ok) worst = Math.max(worst, d);
    }
    if (!ok) {
      bad++;
      if (first < 0) first = i;
    }
  }
  if (bad === 0) return undefined;
  const worstStr = float ? `, max abs diff ${worst.toExponential(3)}` : "";
  return `${bad}/${expected.data.length} values differ${worstStr}; first at flat index ${first}: got ${actual.data[first]}, expected ${expected.data[first]}`;
}

/** Assert that every expected output is in `got` and matches it by mismatch's rule; `where` prefixes the message. */
export function assertOutputs(got: Record<string, Tensor>, want: Record<string, Tensor>, rtol: number, atol: number, where = ""): void {
  for (const [name, expected] of Object.entries(want)) {
    assert.ok(got[name], `${where}output '${name}' missing`);
    const diff = mismatch(got[name], expected, rtol, atol);
    assert.equal(diff, undefined, `${where}output '${name}': ${diff}`);
  }
}
