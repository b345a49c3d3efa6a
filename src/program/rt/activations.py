# The runtime of the emitted program.py, part 7: the remaining elementwise ONNX ops (trigonometry, rounding, the
# activation functions PyTorch exports, comparisons, integer ops, Dropout at inference). The numpy twin of
# rt/activations.ts: float arithmetic in float64, stored in the input's dtype.
import math

import numpy as np


def Sin(x):
    return unary(x, np.sin)


def Cos(x):
    return unary(x, np.cos)


def Tan(x):
    return unary(x, np.tan)


def Asin(x):
    return unary(x, np.arcsin)


def Acos(x):
    return unary(x, np.arccos)


def Atan(x):
    return unary(x, np.arctan)


def Sinh(x):
    return unary(x, np.sinh)


def Cosh(x):
    return unary(x, np.cosh)


def Asinh(x):
    return unary(x, np.arcsinh)


def Acosh(x):
    return unary(x, np.arccosh)


def Atanh(x):
    return unary(x, np.arctanh)


def Sign(x):
    return np.sign(x).astype(x.dtype)


def Round(x):
    """Round half to even (numpy's rint)."""
    return np.rint(x).astype(x.dtype)


def IsNaN(x):
    return np.isnan(x)


def IsInf(x, at):
    neg, pos = at.get("detect_negative", 1), at.get("detect_positive", 1)
    return (np.isposinf(x) & bool(pos)) | (np.isneginf(x) & bool(neg))


def Elu(x, at):
    a = at.get("alpha", 1.0)
    return unary(x, lambda v: np.where(v < 0, a * (np.exp(v) - 1), v))


def Celu(x, at):
    a = at.get("alpha", 1.0)
    return unary(x, lambda v: np.maximum(v, 0) + np.minimum(0, a * (np.exp(v / a) - 1)))


def Selu(x, at):
    a, g = at.get("alpha", 1.67326319217681884765625), at.get("gamma", 1.05070102214813232421875)
    return unary(x, lambda v: np.where(v > 0, g * v, g * a * (np.exp(v) - 1)))


def HardSigmoid(x, at):
    a, b = at.get("alpha", 0.2), at.get("beta", 0.5)
    return unary(x, lambda v: np.clip(a * v + b, 0, 1))


def HardSwish(x):
    """x * hardsigmoid(x) with alpha 1/6, beta 1/2."""
    return unary(x, lambda v: v * np.clip(v / 6 + 0.5, 0, 1))


def softplus64(v):
    """log(1 + e^v) without overflow for large v."""
    return np.where(v > 0, v + np.log1p(np.exp(-np.abs(v))), np.log1p(np.exp(np.minimum(v, 0))))


def Softplus(x):
    return unary(x, softplus64)


def Softsign(x):
    return unary(x, lambda v: v / (1 + np.abs(v)))


def Mish(x):
    return unary(x, lambda v: v * np.tanh(softplus64(v)))


def ThresholdedRelu(x, at):
    a = at.get("alpha", 1.0)
    return unary(x, lambda v: np.where(v > a, v, 0.0))


def Shrink(x, at):
    b, l = at.get("bias", 0.0), at.get("lambd", 0.5)
    return unary(x, lambda v: np.where(v < -l, v + b, np.where(v > l, v - b, 0.0)))


def Gelu(x, at):
    """x * Phi(x): exact with erf, or the tanh approximation."""
    if at.get("approximate", "none") == "tanh":
        return unary(x, lambda v: 0.5 * v * (1 + np.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v ** 3))))
    return unary(x, lambda v: 0.5 * v * (1 + ERF(v / math.sqrt(2))))


def PRelu(x, slope):
    """x where positive, slope * x elsewhere (the slope broadcasts against x)."""
    return np.where(x < 0, slope * x, x).astype(x.dtype)


def GreaterOrEqual(a, b):
    return np.greater_equal(a, b)


def LessOrEqual(a, b):
    return np.less_equal(a, b)


def Xor(a, b):
    return np.logical_xor(a, b)


def Mod(a, b, at):
    """Remainder: fmod = 1 takes the dividend's sign (C fmod), fmod = 0 the divisor's (Python %); by zero gives 0 for integers."""
    with np.errstate(all="ignore"):
        if not is_float(a):
            safe = np.where(b == 0, 1, b)
            r = np.fmod(a, safe) if at.get("fmod") else np.mod(a, safe)
            return np.where(b == 0, 0, r).astype(a.dtype)
        return (np.fmod(a, b) if at.get("fmod") else np.mod(a, b)).astype(a.dtype)


def BitShift(a, b, at):
    """Shift unsigned integers left or right (bits shifted out of the dtype's width are lost)."""
    return (np.left_shift(a, b) if at["direction"] == "LEFT" else np.right_shift(a, b)).astype(a.dtype)


def Mean(xs):
    """Elementwise mean over any number of inputs."""
    s = wide(xs[0])
    for v in xs[1:]:
        s = s + wide(v)
    return (s / len(xs)).astype(xs[0].dtype)


def Dropout(x, ratio, training, at):
    """Dropout at inference: the input, and a mask keeping every value (the input's dtype before opset 10)."""
    if training is not None and bool(np.asarray(training).reshape(-1)[0]) and (0.5 if ratio is None else float(np.asarray(ratio).reshape(-1)[0])) != 0:
        raise ValueError("Dropout in training mode drops random units; the program runs inference only")
    return [x, np.ones(x.shape, dtype=x.dtype if at["opset"] < 10 else np.bool_)]


def CastLike(x, like, at):
    """x converted to the dtype of `like`."""
    return np.asarray(x).astype(like.dtype)
