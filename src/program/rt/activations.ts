// The runtime of the emitted program.ts, part 7: the remaining elementwise ONNX ops (trigonometry, rounding, the
// activation functions PyTorch exports: Elu, Selu, Celu, HardSigmoid, HardSwish, Softplus, Gelu, Mish, PRelu, ...),
// comparisons, integer ops and Dropout at inference. Arithmetic runs in float64, stored in the result's dtype.
import { isFloatType, newData, tensorFrom, type Ten } from "./core.ts";
import { binary, erf64, unary } from "./elementwise.ts";

export function Sin(x: Ten): Ten { return unary(x, Math.sin); }
export function Cos(x: Ten): Ten { return unary(x, Math.cos); }
export function Tan(x: Ten): Ten { return unary(x, Math.tan); }
export function Asin(x: Ten): Ten { return unary(x, Math.asin); }
export function Acos(x: Ten): Ten { return unary(x, Math.acos); }
export function Atan(x: Ten): Ten { return unary(x, Math.atan); }
export function Sinh(x: Ten): Ten { return unary(x, Math.sinh); }
export function Cosh(x: Ten): Ten { return unary(x, Math.cosh); }
export function Asinh(x: Ten): Ten { return unary(x, Math.asinh); }
export function Acosh(x: Ten): Ten { return unary(x, Math.acosh); }
export function Atanh(x: Ten): Ten { return unary(x, Math.atanh); }
export function Sign(x: Ten): Ten { return unary(x, (v) => (v > 0 ? 1 : v < 0 ? -1 : v === 0 ? 0 : NaN)); }
/** Round half to even (as numpy and ONNX do). */
export function Round(x: Ten): Ten {
  return unary(x, (v) => {
    const r = Math.round(v);
    return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  });
}
export function IsNaN(x: Ten): Ten { return unary(x, (v) => (v !== v ? 1 : 0), "bool"); }
export function IsInf(x: Ten, at: { detect_negative?: number; detect_positive?: number }): Ten {
  const neg = at.detect_negative ?? 1, pos = at.detect_positive ?? 1;
  return unary(x, (v) => ((v === Infinity && pos) || (v === -Infinity && neg) ? 1 : 0), "bool");
}

export function Elu(x: Ten, at: { alpha?: number }): Ten {
  const a = at.alpha ?? 1;
  return unary(x, (v) => (v < 0 ? a * (Math.exp(v) - 1) : v));
}
export function Celu(x: Ten, at: { alpha?: number }): Ten {
  const a = at.alpha ?? 1;
  return unary(x, (v) => Math.max(0, v) + Math.min(0, a * (Math.exp(v / a) - 1)));
}
export function Selu(x: Ten, at: { alpha?: number; gamma?: number }): Ten {
  const a = at.alpha ?? 1.67326319217681884765625, g = at.gamma ?? 1.05070102214813232421875;
  return unary(x, (v) => (v > 0 ? g * v : g * a * (Math.exp(v) - 1)));
}
export function HardSigmoid(x: Ten, at: { alpha?: number; beta?: number }): Ten {
  const a = at.alpha ?? 0.2, b = at.beta ?? 0.5;
  return unary(x, (v) => Math.max(0, Math.min(1, a * v + b)));
}
/** x * hardsigmoid(x) with alpha 1/6, beta 1/2. */
export function HardSwish(x: Ten): Ten { return unary(x, (v) => v * Math.max(0, Math.min(1, v / 6 + 0.5))); }
/** log(1 + e^x), without overflow for large x. */
export function softplus64(v: number): number { return v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v)); }
export function Softplus(x: Ten): Ten { return unary(x, softplus64); }
export function Softsign(x: Ten): Ten { return unary(x, (v) => v / (1 + Math.abs(v))); }
export function Mish(x: Ten): Ten { return unary(x, (v) => v * Math.tanh(softplus64(v))); }
export function ThresholdedRelu(x: Ten, at: { alpha?: number }): Ten {
  const a = at.alpha ?? 1;
  return unary(x, (v) => (v > a ? v : 0));
}
export function Shrink(x: Ten, at: { bias?: number; lambd?: number }): Ten {
  const b = at.bias ?? 0, l = at.lambd ?? 0.5;
  return unary(x, (v) => (v < -l ? v + b : v > l ? v - b : 0));
}
/** x * Phi(x): exact with erf, or the tanh approximation. */
export function Gelu(x: Ten, at: { approximate?: string }): Ten {
  if (at.approximate === "tanh") return unary(x, (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))));
  return unary(x, (v) => 0.5 * v * (1 + erf64(v / Math.SQRT2)));
}
/** x where positive, slope * x elsewhere (the slope broadcasts against x). */
export function PRelu(x: Ten, slope: Ten): Ten { return binary(x, slope, x.dtype, (v, s) => (v < 0 ? s * v : v)); }

export function GreaterOrEqual(a: Ten, b: Ten): Ten { return binary(a, b, "bool", (x, y) => (x >= y ? 1 : 0)); }
export function LessOrEqual(a: Ten, b: Ten): Ten { return binary(a, b, "bool", (x, y) => (x <= y ? 1 : 0)); }
export function Xor(a: Ten, b: Ten): Ten { return binary(a, b, "bool", (x, y) => (!x !== !y ? 1 : 0)); }

/** Remainder: fmod = 1 takes the dividend's sign (C fmod), fmod = 0 the divisor's (Python %); by zero gives 0 for integers. */
export function Mod(a: Ten, b: Ten, at: { fmod?: number }): Ten {
  const ints = !isFloatType(a.dtype);
  return binary(a, b, a.dtype, (x, y) => {
    if (ints && y === 0) return 0;
    const r = x % y;
    return at.fmod ? r : r !== 0 && (r < 0) !== (y < 0) ? r + y : r;
  });
}

/** Shift unsigned integers left or right (bits shifted out of the dtype's width are lost). */
export function BitShift(a: Ten, b: Ten, at: { direction: string }): Ten {
  const width = ({ uint8: 8, uint16: 16, uint32: 32, uint64: 64 } as Record<string, number>)[a.dtype] ?? 32;
  const mod = 2 ** width;
  return binary(a, b, a.dtype, (x, y) => (at.direction === "LEFT" ? (x * 2 ** y) % mod : Math.floor(x / 2 ** y)));
}

/** Elementwise mean over any number of inputs. */
export function Mean(xs: Ten[]): Ten {
  const sum = xs.reduce((a, b) => binary(a, b, "float64", (x, y) => x + y));
  const data = newData(xs[0].dtype, sum.data.length);
  for (let i = 0; i < data.length; i++) data[i] = sum.data[i] / xs.length;
  return { dtype: xs[0].dtype, shape: sum.shape, data };
}

/** Dropout at inference: the input, and (when asked) a mask keeping every value (the input's dtype before opset 10). */
export function Dropout(x: Ten, ratio: Ten | undefined, training: Ten | undefined, at: { seed?: number; ratio?: number; is_test?: number; opset: number }): Ten[] {
  if (training?.data[0] && (ratio ? ratio.data[0] : 0.5) !== 0) throw new Error("Dropout in training mode drops random units; the program runs inference only");
  const mask = newData(at.opset < 10 ? x.dtype : "bool", x.data.length);
  mask.fill(1);
  return [x, { dtype: at.opset < 10 ? x.dtype : "bool", shape: [...x.shape], data: mask }];
}

/** x converted to the dtype of `like` (saturate only matters for float8 types, which the runtime does not hold). */
export function CastLike(x: Ten, like: Ten, at: { saturate?: number }): Ten {
  return tensorFrom(like.dtype, x.shape, x.data);
}
