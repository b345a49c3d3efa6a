# The runtime of the emitted program.py, part 8: more reductions and the normalisations PyTorch exports. The numpy
# twin of rt/norms.ts: statistics in float64, stored in the input's dtype.
import numpy as np


def ReduceL1(x, axes, at):
    return reduce_with(lambda v, axis, keepdims: np.sum(np.abs(v), axis=axis, keepdims=keepdims), x, axes, at)


def ReduceL2(x, axes, at):
    return reduce_with(lambda v, axis, keepdims: np.sqrt(np.sum(v * v, axis=axis, keepdims=keepdims)), x, axes, at)


def ReduceSumSquare(x, axes, at):
    return reduce_with(lambda v, axis, keepdims: np.sum(v * v, axis=axis, keepdims=keepdims), x, axes, at)


def ReduceLogSum(x, axes, at):
    return reduce_with(lambda v, axis, keepdims: np.log(np.sum(v, axis=axis, keepdims=keepdims)), x, axes, at)


def log_sum_exp(v, axis, keepdims):
    """log(sum(exp(v))), shifted by the maximum so large values do not overflow."""
    m = np.max(v, axis=axis, keepdims=True) if v.size else np.zeros([1] * v.ndim)
    m = np.where(np.isfinite(m), m, 0)
    y = np.log(np.sum(np.exp(v - m), axis=axis, keepdims=True)) + m
    return y if keepdims else np.squeeze(y, axis=axis)


def ReduceLogSumExp(x, axes, at):
    return reduce_with(log_sum_exp, x, axes, at)


def ArgMin(x, at):
    """Index of the smallest entry along an axis (the first on ties unless select_last_index), as int64."""
    return arg_pick(np.argmin, x, at)


def Hardmax(x, at):
    """1 at the first maximum of each line: lines along `axis` (opset >= 13), or of x flattened at `axis` before."""
    opset = at["opset"]
    a = norm_axis(at.get("axis", -1 if opset >= 13 else 1), x.ndim)
    v = x if opset >= 13 else x.reshape(int(np.prod(x.shape[:a])), -1)
    ax = a if opset >= 13 else 1
    y = np.zeros(v.shape, dtype=x.dtype)
    if v.shape[ax] > 0:
        np.put_along_axis(y, np.expand_dims(np.argmax(v, axis=ax), ax), 1, axis=ax)
    return y.reshape(x.shape)


def CumSum(x, axis, at):
    """Running sum along the axis given as input; exclusive leaves each element out, reverse runs from the end."""
    a = norm_axis(int(np.asarray(axis).reshape(-1)[0]), x.ndim)
    v = np.flip(x, a) if at.get("reverse") else x
    s = np.cumsum(wide(v), axis=a)
    if at.get("exclusive"):
        s = s - wide(v)
    return (np.flip(s, a) if at.get("reverse") else s).astype(x.dtype)


def group_normalize(x, scale, bias, g, eps):
    """Normalise each (sample, group of c/g channels) over its channels and positions, then scale and bias per channel."""
    n, c = x.shape[:2]
    v = wide(x).reshape(n, g, -1)
    mu = v.mean(axis=2, keepdims=True)
    var = ((v - mu) ** 2).mean(axis=2, keepdims=True)
    y = ((v - mu) / np.sqrt(var + eps)).reshape(x.shape)
    shape = (1, c) + (1,) * (x.ndim - 2)
    return (y * wide(scale).reshape(shape) + wide(bias).reshape(shape)).astype(x.dtype)


def InstanceNormalization(x, scale, b, at):
    return group_normalize(x, scale, b, x.shape[1], at.get("epsilon", 1e-5))


def GroupNormalization(x, scale, b, at):
    """Scale and bias per group (opset 18) or per channel (opset 21)."""
    g, c = at["num_groups"], x.shape[1]
    if np.size(scale) != c:
        scale, b = np.repeat(scale, c // g), np.repeat(b, c // g)
    return group_normalize(x, scale, b, g, at.get("epsilon", 1e-5))


def MeanVarianceNormalization(x, at):
    """(x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9), moments over `axes` (default [0, 2, 3])."""
    ax = tuple(at.get("axes", [0, 2, 3]))
    d = wide(x)
    mean = d.mean(axis=ax, keepdims=True)
    sq = (d * d).mean(axis=ax, keepdims=True)
    return ((d - mean) / (np.sqrt(np.maximum(sq - mean ** 2, 0)) + 1e-9)).astype(x.dtype)


def LRN(x, at):
    """Local response normalisation across channels: x / (bias + alpha / size * sum of x^2 over `size` channels)^beta."""
    size = at["size"]
    c = x.shape[1]
    before, after = (size - 1) // 2, -(-(size - 1) // 2)
    d = wide(x)
    sq = d * d
    s = np.zeros_like(d)
    for ch in range(c):
        s[:, ch] = sq[:, max(0, ch - before):min(c - 1, ch + after) + 1].sum(axis=1)
    return (d / (at.get("bias", 1.0) + at.get("alpha", 1e-4) / size * s) ** at.get("beta", 0.75)).astype(x.dtype)
