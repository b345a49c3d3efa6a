# The runtime of the emitted program.py, part 4: matrix products, reductions and normalisations. The numpy twin of
# rt/dense.ts: float sums run in float64 and are stored once in the result's dtype.
import numpy as np


def wide(x):
    """float64 values of a float array (integer arrays stay exact as they are)."""
    return x.astype(np.float64) if is_float(x) else x


def MatMul(a, b):
    return np.matmul(wide(a), wide(b)).astype(a.dtype)


def Gemm(a, b, c, at):
    """alpha * op(A) op(B) + beta * C, with op a transpose when asked; C broadcasts."""
    a2 = wide(a).T if at.get("transA") else wide(a)
    b2 = wide(b).T if at.get("transB") else wide(b)
    y = at.get("alpha", 1.0) * (a2 @ b2)
    if c is not None:
        y = y + at.get("beta", 1.0) * wide(c)
    return y.astype(a.dtype)


def softmax_like(x, at, log):
    """softmax or log-softmax: over one axis (opset >= 13), or over all axes from `axis` on (before; default 1)."""
    opset = at["opset"]
    a = norm_axis(at.get("axis", -1 if opset >= 13 else 1), x.ndim)
    d = wide(x)
    axes = (a,) if opset >= 13 else tuple(range(a, x.ndim))
    z = d - np.max(d, axis=axes, keepdims=True)
    s = np.sum(np.exp(z), axis=axes, keepdims=True)
    return (z - np.log(s) if log else np.exp(z) / s).astype(x.dtype)


def Softmax(x, at):
    return softmax_like(x, at, False)


def LogSoftmax(x, at):
    return softmax_like(x, at, True)


def reduce_with(f, x, axes, at):
    """Reduce the listed axes (input or attribute; all when none) with f in float64."""
    listed = ints_of(axes) if axes is not None else at.get("axes", [])
    if not listed and at.get("noop_with_empty_axes"):
        return x
    ax = tuple(norm_axis(a, x.ndim) for a in listed) if listed else tuple(range(x.ndim))
    return np.asarray(f(wide(x), axis=ax, keepdims=at.get("keepdims", 1) != 0)).astype(x.dtype)


def ReduceSum(x, axes, at):
    return reduce_with(np.sum, x, axes, at)


def ReduceMean(x, axes, at):
    return reduce_with(np.mean, x, axes, at)


def ReduceProd(x, axes, at):
    return reduce_with(np.prod, x, axes, at)


def ReduceMax(x, axes, at):
    """The largest entry (-inf over an empty set)."""
    return reduce_with(lambda v, axis, keepdims: np.max(v, axis=axis, keepdims=keepdims, **({} if v.size else {"initial": -np.inf})), x, axes, at)


def ReduceMin(x, axes, at):
    """The smallest entry (inf over an empty set)."""
    return reduce_with(lambda v, axis, keepdims: np.min(v, axis=axis, keepdims=keepdims, **({} if v.size else {"initial": np.inf})), x, axes, at)


def arg_pick(pick, x, at):
    """Index of the entry `pick` (np.argmax / np.argmin) finds along an axis; ties keep the first unless select_last_index."""
    a = norm_axis(at.get("axis", 0), x.ndim)
    if at.get("select_last_index"):
        idx = x.shape[a] - 1 - pick(np.flip(x, axis=a), axis=a)
    else:
        idx = pick(x, axis=a)
    if at.get("keepdims", 1):
        idx = np.expand_dims(idx, a)
    return idx.astype(np.int64)


def ArgMax(x, at):
    """Index of the largest entry along an axis (the first on ties unless select_last_index), as int64."""
    return arg_pick(np.argmax, x, at)


def LayerNormalization(x, scale, bias, at):
    """(x - mean) / sqrt(var + epsilon) * scale + bias over the axes from `axis` on."""
    a = norm_axis(at.get("axis", -1), x.ndim)
    d = wide(x)
    ax = tuple(range(a, x.ndim))
    mean = np.mean(d, axis=ax, keepdims=True)
    var = np.mean((d - mean) ** 2, axis=ax, keepdims=True)
    y = (d - mean) / np.sqrt(var + at.get("epsilon", 1e-5)) * wide(scale)
    if bias is not None:
        y = y + wide(bias)
    return y.astype(x.dtype)


def BatchNormalization(x, scale, b, mean, var, at):
    """Inference-mode batch normalisation over axis 1."""
    shape = (1, -1) + (1,) * (x.ndim - 2)
    k = wide(scale) / np.sqrt(wide(var) + at.get("epsilon", 1e-5))
    return ((wide(x) - wide(mean).reshape(shape)) * k.reshape(shape) + wide(b).reshape(shape)).astype(x.dtype)
