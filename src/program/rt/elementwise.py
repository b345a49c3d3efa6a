# The runtime of the emitted program.py, part 2: elementwise ONNX ops with numpy broadcasting, and Cast.
# The numpy twin of rt/elementwise.ts: float arithmetic stays in the input's float type, integers truncate.
import math

import numpy as np


def Add(a, b):
    return (a + b).astype(a.dtype)


def Sub(a, b):
    return (a - b).astype(a.dtype)


def Mul(a, b):
    return (a * b).astype(a.dtype)


def Div(a, b):
    """Integer division truncates toward zero; by zero it gives 0 (as pseudonet's interpreter does)."""
    if is_float(a):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (a / b).astype(a.dtype)
    safe = np.where(b == 0, 1, b)
    return np.where(b == 0, 0, np.fix(a.astype(np.float64) / safe)).astype(a.dtype)


def Pow(a, b):
    with np.errstate(all="ignore"):
        if is_float(a):
            return np.power(a, b.astype(a.dtype)).astype(a.dtype)
        return np.fix(np.power(a.astype(np.float64), b.astype(np.float64))).astype(a.dtype)


def Equal(a, b):
    return np.equal(a, b)


def Less(a, b):
    return np.less(a, b)


def Greater(a, b):
    return np.greater(a, b)


def And(a, b):
    return np.logical_and(a, b)


def Or(a, b):
    return np.logical_or(a, b)


def Not(x):
    return np.logical_not(x)


def Max(xs):
    """Elementwise max over any number of inputs (NaN wins)."""
    y = xs[0]
    for v in xs[1:]:
        y = np.maximum(y, v).astype(xs[0].dtype)
    return y


def Min(xs):
    """Elementwise min over any number of inputs (NaN wins)."""
    y = xs[0]
    for v in xs[1:]:
        y = np.minimum(y, v).astype(xs[0].dtype)
    return y


def Sum(xs):
    y = xs[0]
    for v in xs[1:]:
        y = Add(y, v)
    return y


def Where(cond, x, y):
    return np.where(cond, x, y).astype(x.dtype)


def unary(x, f):
    """f on float64 values, stored back in x's dtype."""
    with np.errstate(all="ignore"):
        return np.asarray(f(x.astype(np.float64))).astype(x.dtype)


def Neg(x):
    return unary(x, np.negative)


def Abs(x):
    return unary(x, np.abs)


def Sqrt(x):
    return unary(x, np.sqrt)


def Exp(x):
    return unary(x, np.exp)


def Log(x):
    return unary(x, np.log)


def Tanh(x):
    return unary(x, np.tanh)


def Sigmoid(x):
    return unary(x, lambda v: 1.0 / (1.0 + np.exp(-v)))


def Relu(x):
    return unary(x, lambda v: np.where(v > 0, v, 0.0))


def Reciprocal(x):
    return unary(x, lambda v: 1.0 / v)


def Floor(x):
    return unary(x, np.floor)


def Ceil(x):
    return unary(x, np.ceil)


ERF = np.vectorize(math.erf, otypes=[np.float64])


def Erf(x):
    """The error function: math.erf on every element."""
    return unary(x, ERF)


def LeakyRelu(x, at):
    a = at.get("alpha", 0.01)
    return unary(x, lambda v: np.where(v < 0, a * v, v))


def Clip(x, lo, hi, at):
    """Clip with min/max as inputs (opset >= 11) or attributes (before)."""
    a = float(np.asarray(lo).reshape(-1)[0]) if lo is not None else at.get("min", -np.inf)
    b = float(np.asarray(hi).reshape(-1)[0]) if hi is not None else at.get("max", np.inf)
    return unary(x, lambda v: np.minimum(np.maximum(v, a), b))


def Cast(x, at):
    """Convert to the dtype named by `to` (a TensorProto.DataType code, or a type name before opset 6)."""
    return as_dtype(x, dtype_of_code(at["to"]))
