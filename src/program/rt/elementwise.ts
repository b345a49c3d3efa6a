// The runtime of the emitted program.ts, part 2: elementwise ONNX ops with numpy broadcasting, and Cast.
// Arithmetic runs in float64 and is stored in the result's dtype (float32 rounding, integer truncation).
import { broadcastIndex, broadcastShape, dtypeOfCode, isFloatType, newData, tensorFrom, type Ten } from "./core.ts";

/** f applied elementwise to broadcast a and b; the result has the given dtype. */
export function binary(a: Ten, b: Ten, dtype: string, f: (x: number, y: number) => number): Ten {
  const shape = broadcastShape(a.shape, b.shape);
  const ia = broadcastIndex(a.shape, shape), ib = broadcastIndex(b.shape, shape);
  const data = newData(dtype, ia.length);
  for (let i = 0; i < ia.length; i++) data[i] = f(a.data[ia[i]], b.data[ib[i]]);
  return { dtype, shape, data };
}

/** f applied to every element; the result keeps x's dtype unless another is given. */
export function unary(x: Ten, f: (v: number) => number, dtype = x.dtype): Ten {
  const data = newData(dtype, x.data.length);
  for (let i = 0; i < data.length; i++) data[i] = f(x.data[i]);
  return { dtype, shape: [...x.shape], data };
}

/** Integer results of integer inputs truncate toward zero (int64 lives in a Float64Array, which would not). */
function intOr(dtype: string, f: (x: number, y: number) => number): (x: number, y: number) => number {
  return isFloatType(dtype) ? f : (x, y) => Math.trunc(f(x, y)) + 0;
}

export function Add(a: Ten, b: Ten): Ten { return binary(a, b, a.dtype, (x, y) => x + y); }
export function Sub(a: Ten, b: Ten): Ten { return binary(a, b, a.dtype, (x, y) => x - y); }
export function Mul(a: Ten, b: Ten): Ten { return binary(a, b, a.dtype, (x, y) => x * y); }
/** Integer division truncates toward zero; by zero it gives 0 (as pseudonet's interpreter does). */
export function Div(a: Ten, b: Ten): Ten {
  return binary(a, b, a.dtype, isFloatType(a.dtype) ? (x, y) => x / y : (x, y) => (y === 0 ? 0 : Math.trunc(x / y) + 0));
}
export function Pow(a: Ten, b: Ten): Ten { return binary(a, b, a.dtype, intOr(a.dtype, Math.pow)); }
export function Equal(a: Ten, b: Ten): Ten { return binary(a, b, "bool", (x, y) => (x === y ? 1 : 0)); }
export function Less(a: Ten, b: Ten): Ten { return binary(a, b, "bool", (x, y) => (x < y ? 1 : 0)); }
export function Greater(a: Ten, b: Ten): Ten { return binary(a, b, "bool", (x, y) => (x > y ? 1 : 0)); }
export function And(a: Ten, b: Ten): Ten { return binary(a, b, "bool", (x, y) => (x && y ? 1 : 0)); }
export function Or(a: Ten, b: Ten): Ten { return binary(a, b, "bool", (x, y) => (x || y ? 1 : 0)); }
export function Not(x: Ten): Ten { return unary(x, (v) => (v ? 0 : 1)); }

/** Elementwise max over any number of inputs (NaN wins, as in onnxruntime). */
export function Max(xs: Ten[]): Ten { return xs.reduce((a, b) => binary(a, b, a.dtype, (x, y) => (x !== x || y !== y ? NaN : x > y ? x : y))); }
/** Elementwise min over any number of inputs (NaN wins). */
export function Min(xs: Ten[]): Ten { return xs.reduce((a, b) => binary(a, b, a.dtype, (x, y) => (x !== x || y !== y ? NaN : x < y ? x : y))); }
/** Elementwise sum over any number of inputs. */
export function Sum(xs: Ten[]): Ten { return xs.reduce((a, b) => Add(a, b)); }

/** x where cond, else y (all three broadcast). */
export function Where(cond: Ten, x: Ten, y: Ten): Ten {
  const shape = broadcastShape(cond.shape, x.shape, y.shape);
  const ic = broadcastIndex(cond.shape, shape), ix = broadcastIndex(x.shape, shape), iy = broadcastIndex(y.shape, shape);
  const data = newData(x.dtype, ic.length);
  for (let i = 0; i < ic.length; i++) data[i] = cond.data[ic[i]] ? x.data[ix[i]] : y.data[iy[i]];
  return { dtype: x.dtype, shape, data };
}

export function Neg(x: Ten): Ten { return unary(x, (v) => -v); }
export function Abs(x: Ten): Ten { return unary(x, Math.abs); }
export function Sqrt(x: Ten): Ten { return unary(x, Math.sqrt); }
export function Exp(x: Ten): Ten { return unary(x, Math.exp); }
export function Log(x: Ten): Ten { return unary(x, Math.log); }
export function Tanh(x: Ten): Ten { return unary(x, Math.tanh); }
export function Sigmoid(x: Ten): Ten { return unary(x, (v) => 1 / (1 + Math.exp(-v))); }
export function Relu(x: Ten): Ten { return unary(x, (v) => (v > 0 ? v : 0)); }
export function Reciprocal(x: Ten): Ten { return unary(x, (v) => 1 / v); }
export function Floor(x: Ten): Ten { return unary(x, Math.floor); }
export function Ceil(x: Ten): Ten { return unary(x, Math.ceil); }
export function Erf(x: Ten): Ten { return unary(x, erf64); }
export function LeakyRelu(x: Ten, at: { alpha?: number }): Ten {
  const a = at.alpha ?? 0.01;
  return unary(x, (v) => (v < 0 ? a * v : v));
}
/** Clip with min/max as inputs (opset >= 11) or attributes (before). */
export function Clip(x: Ten, lo?: Ten, hi?: Ten, at: { min?: number; max?: number } = {}): Ten {
  const a = lo ? lo.data[0] : at.min ?? -Infinity, b = hi ? hi.data[0] : at.max ?? Infinity;
  return unary(x, (v) => {
    const y = v < a ? a : v; // then the max: with min > max, every value is max (numpy.clip)
    return y > b ? b : y;
  });
}

/** Convert to the dtype named by `to` (a TensorProto.DataType code, or a type name before opset 6). */
export function Cast(x: Ten, at: { to: number | string; saturate?: number }): Ten {
  return tensorFrom(dtypeOfCode(at.to), x.shape, x.data);
}

/** The error function to double precision (fdlibm's s_erf.c rational approximations, as the interpreter's Erf). */
export function erf64(x: number): number {
  if (x !== x) return x;
  const poly = (c: number[], v: number) => c.reduceRight((acc, k) => acc * v + k, 0);
  const ax = Math.abs(x);
  if (ax < 0.84375) {
    if (ax < 3.7252902984e-9) return x + 1.28379167095512586316e-01 * x;
    const z = x * x;
    return x + x * (poly(ERF_PP, z) / poly(ERF_QQ, z));
  }
  if (ax < 1.25) {
    const v = 8.45062911510467529297e-01 + poly(ERF_PA, ax - 1) / poly(ERF_QA, ax - 1);
    return x >= 0 ? v : -v;
  }
  if (ax >= 6) return x >= 0 ? 1 : -1;
  const s = 1 / (ax * ax);
  const rs = ax < 1 / 0.35 ? poly(ERF_RA, s) / poly(ERF_SA, s) : poly(ERF_RB, s) / poly(ERF_SB, s);
  const r = Math.exp(-ax * ax - 0.5625 + rs) / ax;
  return x >= 0 ? 1 - r : r - 1;
}

// fdlibm's erf coefficients (Copyright (C) 1993 by Sun Microsystems, Inc.; freely usable with this notice).
const ERF_PP = [1.28379167095512558561e-01, -3.25042107247001499370e-01, -2.84817495755985104766e-02, -5.77027029648944159157e-03, -2.37630166566501626084e-05];
const ERF_QQ = [1, 3.97917223959155352819e-01, 6.50222499887672944485e-02, 5.08130628187576562776e-03, 1.32494738004321644526e-04, -3.96022827877536812320e-06];
const ERF_PA = [-2.36211856075265944077e-03, 4.14856118683748331666e-01, -3.72207876035701323847e-01, 3.18346619901161753674e-01, -1.10894694282396677476e-01, 3.54783043256182359371e-02, -2.16637559486879084300e-03];
const ERF_QA = [1, 1.06420880400844228286e-01, 5.40397917702171048937e-01, 7.18286544141962662868e-02, 1.26171219808761642112e-01, 1.36370839120290507362e-02, 1.19844998467991074170e-02];
const ERF_RA = [-9.86494403484714822705e-03, -6.93858572707181764372e-01, -1.05586262253232909814e+01, -6.23753324503260060396e+01, -1.62396669462573470355e+02, -1.84605092906711035994e+02, -8.12874355063065934246e+01, -9.81432934416914548592e+00];
const ERF_SA = [1, 1.96512716674392571292e+01, 1.37657754143519042600e+02, 4.34565877475229228821e+02, 6.45387271733267880336e+02, 4.29008140027567833386e+02, 1.08635005541779435134e+02, 6.57024977031928170135e+00, -6.04244152148580987438e-02];
const ERF_RB = [-9.86494292470009928597e-03, -7.99283237680523006574e-01, -1.77579549177547519889e+01, -1.60636384855821916062e+02, -6.37566443368389627722e+02, -1.02509513161107724954e+03, -4.83519191608651397019e+02];
const ERF_SB = [1, 3.03380607434824582924e+01, 3.25792512996573918826e+02, 1.53672958608443695994e+03, 3.19985821950859553908e+03, 2.55305040643316442583e+03, 4.74528541206955367215e+02, -2.24409524465858183362e+01];
