# Program kernels in numpy: the Python twin of src/program/kernels.ts, inlined into every emitted program.py.
# Every value is a batch (batch axis first); axes given to kernels count per-sample axes (0 = first after the
# batch). Arithmetic runs in float64, results are float32, like the TypeScript kernels.
import base64

import numpy as np


def from_base64(b64, shape):
    """Decode base64 little-endian float32 values into an array of the given shape."""
    return np.frombuffer(base64.b64decode(b64), dtype="<f4").astype(np.float32).reshape(shape)


def erf(x):
    """erf to about 1.2e-7 relative error in erfc (Numerical Recipes' erfcc), same formula as the TS kernels."""
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    r = t * np.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (
        0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
    return np.where(x >= 0, 1.0 - r, r - 1.0)


def activation(x, a):
    """An elementwise activation: a is {"fn": name, "alpha"?, "min"?, "max"?} or None."""
    if a is None:
        return x.astype(np.float32)
    d = x.astype(np.float64)
    fn = a["fn"]
    with np.errstate(over="ignore"):
        if fn == "relu":
            y = np.where(d < 0, 0.0, d)
        elif fn == "leaky_relu":
            y = np.where(d < 0, a.get("alpha", 0.01) * d, d)
        elif fn == "sigmoid":
            y = 1.0 / (1.0 + np.exp(-d))
        elif fn == "tanh":
            y = np.tanh(d)
        elif fn == "gelu":
            y = 0.5 * d * (1.0 + erf(d / np.sqrt(2.0)))
        elif fn == "gelu_tanh":
            y = 0.5 * d * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (d + 0.044715 * d ** 3)))
        elif fn == "exp":
            y = np.exp(d)
        elif fn == "abs":
            y = np.abs(d)
        elif fn == "clip":
            y = np.clip(d, a.get("min", -np.inf), a.get("max", np.inf))
        elif fn == "identity":
            y = d
        else:
            raise ValueError("unknown activation " + fn)
    return y.astype(np.float32)


def affine(x, W, b, n_out, act):
    """act(W x + b) over the last axis; W is [n_out, n_in]."""
    y = x.astype(np.float64) @ W.astype(np.float64).T + b.astype(np.float64)
    return activation(y.astype(np.float32), act)


def _geom(x, kernel, strides, pads, dilations):
    """Window geometry, 1-D treated as 2-D with height 1: (x4, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr)."""
    if len(kernel) == 2:
        sh, sw = (list(strides) or [1, 1])
        dh, dw = (list(dilations) or [1, 1])
        pt, pl, pb, pr = (list(pads) or [0, 0, 0, 0])
        return x, kernel[0], kernel[1], sh, sw, dh, dw, pt, pl, pb, pr
    sw = (list(strides) or [1])[0]
    dw = (list(dilations) or [1])[0]
    pl, pr = (list(pads) or [0, 0])
    return x[:, :, None, :], 1, kernel[0], 1, sw, 1, dw, 0, pl, 0, pr


def _out_len(n, k, s, d, pb, pe, ceil):
    span = n + pb + pe - ((k - 1) * d + 1)
    o = (-(-span // s) if ceil else span // s) + 1
    if ceil and (o - 1) * s >= n + pb:
        o -= 1
    return o


def _back(y, two):
    return y if two else y[:, :, 0, :]


def conv(x, w, bias, out_c, kernel, strides, pads, dilations, groups, act):
    """act(conv(x, w) + bias) for NCL or NCHW input; w is [out_c, in_c/groups, *kernel]."""
    two = len(kernel) == 2
    x4, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr = _geom(x, kernel, strides, pads, dilations)
    w4 = w if two else w[:, :, None, :]
    n, c, h, wd = x4.shape
    oh, ow = _out_len(h, kh, sh, dh, pt, pb, False), _out_len(wd, kw, sw, dw, pl, pr, False)
    xp = np.pad(x4.astype(np.float64), ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    cpg, opg = c // groups, out_c // groups
    y = np.zeros((n, out_c, oh, ow))
    for g in range(groups):
        xs = xp[:, g * cpg:(g + 1) * cpg]
        wg = w4[g * opg:(g + 1) * opg].astype(np.float64)
        for ky in range(kh):
            for kx in range(kw):
                patch = xs[:, :, ky * dh: ky * dh + (oh - 1) * sh + 1: sh, kx * dw: kx * dw + (ow - 1) * sw + 1: sw]
                # tensordot goes through BLAS (a plain einsum would loop in C, far slower on big images).
                y[:, g * opg:(g + 1) * opg] += np.tensordot(patch, wg[:, :, ky, kx], axes=([1], [1])).transpose(0, 3, 1, 2)
    if len(bias):
        y += bias.astype(np.float64)[None, :, None, None]
    return activation(_back(y, two).astype(np.float32), act)


def pool(kind, x, kernel, strides, pads, dilations, ceil_mode, count_include_pad):
    """maxpool / avgpool / global_maxpool / global_avgpool over NCL or NCHW input."""
    two = x.ndim == 4
    if kind.startswith("global_"):
        axes = tuple(range(2, x.ndim))
        f = np.max if kind == "global_maxpool" else np.mean
        return f(x.astype(np.float64), axis=axes, keepdims=True).astype(np.float32)
    x4, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr = _geom(x, kernel, strides, pads, dilations)
    n, c, h, wd = x4.shape
    oh, ow = _out_len(h, kh, sh, dh, pt, pb, ceil_mode), _out_len(wd, kw, sw, dw, pl, pr, ceil_mode)
    eh = max(0, (oh - 1) * sh + (kh - 1) * dh + 1 - h - pt)
    ew = max(0, (ow - 1) * sw + (kw - 1) * dw + 1 - wd - pl)
    fill = -np.inf if kind == "maxpool" else 0.0
    xp = np.pad(x4.astype(np.float64), ((0, 0), (0, 0), (pt, eh), (pl, ew)), constant_values=fill)
    acc = np.full((n, c, oh, ow), -np.inf if kind == "maxpool" else 0.0)
    for ky in range(kh):
        for kx in range(kw):
            win = xp[:, :, ky * dh: ky * dh + (oh - 1) * sh + 1: sh, kx * dw: kx * dw + (ow - 1) * sw + 1: sw]
            acc = np.maximum(acc, win) if kind == "maxpool" else acc + win
    if kind == "avgpool":
        def extent(o_len, s, p0, k, n_in, p1):
            y0 = np.arange(o_len) * s - p0
            y1 = np.minimum(y0 + k, n_in + p1)
            return y1 - y0, np.minimum(y1, n_in) - np.maximum(y0, 0)
        ph, vh = extent(oh, sh, pt, kh, h, pb)
        pw, vw = extent(ow, sw, pl, kw, wd, pr)
        acc = acc / (np.outer(ph, pw) if count_include_pad else np.outer(vh, vw))
    return _back(acc, two).astype(np.float32)


def softmax(x, axis, log):
    """softmax (or log-softmax) along a per-sample axis."""
    d = x.astype(np.float64)
    z = d - np.max(d, axis=axis + 1, keepdims=True)
    s = np.sum(np.exp(z), axis=axis + 1, keepdims=True)
    return (z - np.log(s) if log else np.exp(z) / s).astype(np.float32)


def argmax(x, axis, keepdims, select_last):
    """Index of the largest entry along a per-sample axis (as float32, like the TS kernels)."""
    a = axis + 1
    if select_last:
        flipped = np.flip(x, axis=a)
        idx = x.shape[a] - 1 - np.argmax(flipped, axis=a)
    else:
        idx = np.argmax(x, axis=a)
    if keepdims:
        idx = np.expand_dims(idx, a)
    return idx.astype(np.float32)


def reshape(x, shape):
    """Same data with a new per-sample shape."""
    return x.reshape((x.shape[0],) + tuple(shape))


def add(xs):
    """Elementwise sum with broadcasting."""
    y = xs[0].astype(np.float32)
    for v in xs[1:]:
        y = y + v
    return y.astype(np.float32)


def concat(xs, axis):
    """Concatenate along a per-sample axis."""
    return np.concatenate(xs, axis=axis + 1).astype(np.float32)


def max_min(xs, kind):
    """Elementwise max or min of the args; NaN wins."""
    f = np.maximum if kind == "max" else np.minimum
    y = xs[0]
    for v in xs[1:]:
        y = f(y, v)
    return y.astype(np.float32)


def sort_last(x, descending):
    """Sort along the last axis."""
    y = np.sort(x, axis=-1)
    return (y[..., ::-1] if descending else y).astype(np.float32)


def threshold(x, c, strict):
    """1 where x > c (x >= c when not strict), else 0; c is one value or one per per-sample element."""
    cc = c.reshape(()) if c.size == 1 else c.reshape(x.shape[1:])
    return ((x > cc) if strict else (x >= cc)).astype(np.float32)


def logic(xs, op):
    """Boolean gates on 0/1 values (true when > 0.5)."""
    bs = [v > 0.5 for v in xs]
    if op == "not":
        return (~bs[0]).astype(np.float32)
    if op == "maj":
        return (2 * sum(b.astype(np.int64) for b in bs) > len(bs)).astype(np.float32)
    f = {"and": np.logical_and, "or": np.logical_or, "xor": np.logical_xor}[op]
    y = bs[0]
    for b in bs[1:]:
        y = f(y, b)
    return y.astype(np.float32)


def piecewise(x, breakpoints, slopes, value0):
    """A piecewise-linear function of one variable, elementwise (value0 at breakpoints[0])."""
    d = x.astype(np.float64)
    if not breakpoints:
        return (value0 + slopes[0] * d).astype(np.float32)
    y = value0 + slopes[0] * np.minimum(d - breakpoints[0], 0.0)
    for j in range(len(breakpoints)):
        hi = breakpoints[j + 1] if j + 1 < len(breakpoints) else np.inf
        y = y + slopes[j + 1] * np.clip(d, breakpoints[j], hi) - slopes[j + 1] * breakpoints[j]
    return y.astype(np.float32)


def pick(x, indices):
    """Entries of the last axis, in the given order."""
    return x[..., list(indices)].astype(np.float32)


def linear(xs, coefs, bias):
    """sum_i coefs[i] * xs[i] + bias, elementwise (float64, then float32)."""
    y = np.full(xs[0].shape, bias, dtype=np.float64)
    for c, v in zip(coefs, xs):
        y = y + c * v.astype(np.float64)
    return y.astype(np.float32)


def onehot(x, n):
    """A one-hot row of n floats per sample from one integer index per sample."""
    idx = np.asarray(x).reshape(x.shape[0], -1)[:, 0].astype(np.int64)
    y = np.zeros((x.shape[0], n), dtype=np.float32)
    ok = (idx >= 0) & (idx < n)
    y[np.nonzero(ok)[0], idx[ok]] = 1
    return y


def sort_all(xs, descending):
    """Sort the concatenation of several values along the last axis."""
    return sort_last(np.concatenate(xs, axis=-1) if len(xs) > 1 else xs[0], descending)


def machine(x, alphabet, d, nxt, out, k, last=False):
    """A state machine over time: each of the T rows of x (d values) read as the nearest alphabet row; state 0
    first, state = next[state, symbol] (-1, a transition never seen, keeps the state); y[:, t] = out[state]
    (with last, only the final state's values: [b, k])."""
    x = np.asarray(x, dtype=np.float32)
    b, T = x.shape[0], x.shape[1]
    xs = x.reshape(b, T, d)
    A = np.asarray(alphabet, dtype=np.float32).reshape(-1, d)
    sym = ((xs[:, :, None, :] - A[None, None, :, :]) ** 2).sum(-1).argmin(-1)
    table = np.asarray(nxt, dtype=np.int64).reshape(-1, A.shape[0])
    values = np.asarray(out, dtype=np.float32).reshape(-1, k)
    y = np.zeros((b, T, k), dtype=np.float32)
    state = np.zeros(b, dtype=np.int64)
    for t in range(T):
        nx = table[state, sym[:, t]]
        state = np.where(nx >= 0, nx, state)
        y[:, t] = values[state]
    return values[state] if last else y
