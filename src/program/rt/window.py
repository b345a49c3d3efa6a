# The runtime of the emitted program.py, part 5: convolutions, pooling and the quantized ops (1-D and 2-D). The numpy
# twin of rt/window.ts: pooling reuses the program kernel `pool` (kernels.py); convolutions sum in float64.
import numpy as np


def window_pads(spatial, kernel, at):
    """Explicit pads (all begins, then all ends) with auto_pad resolved as onnxruntime does."""
    n = len(spatial)
    mode = at.get("auto_pad", "NOTSET")
    if mode == "NOTSET":
        return list(at.get("pads", [0] * (2 * n)))
    pads = [0] * (2 * n)
    if mode == "VALID":
        return pads
    for i in range(n):
        s, d = at.get("strides", [1] * n)[i], at.get("dilations", [1] * n)[i]
        total = max(0, (-(-spatial[i] // s) - 1) * s + (kernel[i] - 1) * d + 1 - spatial[i])
        pads[i] = -(-total // 2) if mode == "SAME_LOWER" else total // 2
        pads[i + n] = total - pads[i]
    return pads


def convolve(x, w, bias, at, dtype, x_zero, w_zero):
    """Conv over NCL / NCHW input with zero points subtracted (ConvInteger) and bias added; result in `dtype`."""
    if x.ndim > 4:
        return conv_nd(x, w, bias, at, dtype, x_zero, w_zero)
    two = x.ndim == 4
    kernel = list(at.get("kernel_shape", w.shape[2:]))
    p = window_pads(list(x.shape[2:]), kernel, at)
    x4 = x.astype(np.float64) - x_zero
    w4 = w.astype(np.float64)
    if w_zero is not None:
        w4 = w4 - w_zero.astype(np.float64).reshape((-1,) + (1,) * (w.ndim - 1))
    if not two:
        x4, w4, kernel, p = x4[:, :, None, :], w4[:, :, None, :], [1] + kernel, [0, p[0], 0, p[1]]
    strides = list(at.get("strides", [1] * (x.ndim - 2)))
    dil = list(at.get("dilations", [1] * (x.ndim - 2)))
    (sh, sw), (dh, dw) = (strides, dil) if two else (([1] + strides), ([1] + dil))
    kh, kw = kernel
    n, c, h, wd = x4.shape
    oh = (h + p[0] + p[2] - (kh - 1) * dh - 1) // sh + 1
    ow = (wd + p[1] + p[3] - (kw - 1) * dw - 1) // sw + 1
    xp = np.pad(x4, ((0, 0), (0, 0), (p[0], p[2]), (p[1], p[3])))
    g = at.get("group", 1)
    m = w4.shape[0]
    cpg, mpg = c // g, m // g
    y = np.zeros((n, m, oh, ow))
    for gi in range(g):
        xs = xp[:, gi * cpg:(gi + 1) * cpg]
        for ky in range(kh):
            for kx in range(kw):
                patch = xs[:, :, ky * dh: ky * dh + (oh - 1) * sh + 1: sh, kx * dw: kx * dw + (ow - 1) * sw + 1: sw]
                y[:, gi * mpg:(gi + 1) * mpg] += np.tensordot(patch, w4[gi * mpg:(gi + 1) * mpg, :, ky, kx], axes=([1], [1])).transpose(0, 3, 1, 2)
    if bias is not None:
        y += bias.astype(np.float64)[None, :, None, None]
    return (y if two else y[:, :, 0, :]).astype(NP_TYPES[dtype])


def Conv(x, w, b, at):
    return convolve(x, w, b, at, str(x.dtype), 0.0, None)


def ConvInteger(x, w, x_zero, w_zero, at):
    """Integer convolution: (x - x_zero_point) conv (w - w_zero_point), as int32."""
    xz = 0.0 if x_zero is None else float(np.asarray(x_zero).reshape(-1)[0])
    return convolve(x, w, None, at, "int32", xz, w_zero)


def pooled(kind, x, at):
    """Max or average pooling over any number of spatial axes (pool_nd), in x's dtype."""
    glob = kind.startswith("global_")
    kernel = list(x.shape[2:]) if glob else list(at["kernel_shape"])
    pads = [] if glob else window_pads(list(x.shape[2:]), kernel, at)
    return pool_nd(kind.replace("global_", ""), x, kernel, [] if glob else list(at.get("strides", [])), pads,
                   [] if glob else list(at.get("dilations", [])), bool(at.get("ceil_mode", 0)), bool(at.get("count_include_pad", 0)))


def MaxPool(x, at):
    return pooled("maxpool", x, at)


def AveragePool(x, at):
    return pooled("avgpool", x, at)


def GlobalAveragePool(x):
    return pooled("global_avgpool", x, {})


def GlobalMaxPool(x):
    return pooled("global_maxpool", x, {})


def zero_point(z, per_row):
    """A zero point as int64 that broadcasts in a matmul: scalar, one per row of a ([M, 1]) or per column of b ([N])."""
    if z is None:
        return 0
    z = np.asarray(z).astype(np.int64)
    if z.size == 1:
        return int(z.reshape(-1)[0])
    return z.reshape(-1, 1) if per_row and z.ndim == 1 else z


def MatMulInteger(a, b, a_zero, b_zero):
    """Integer matmul: (a - a_zero_point) (b - b_zero_point) as int32."""
    return np.matmul(a.astype(np.int64) - zero_point(a_zero, True), b.astype(np.int64) - zero_point(b_zero, False)).astype(np.int32)


def channel_shape(x, scale, axis):
    """Shape that broadcasts a per-axis scale / zero point against x (a scalar one stays as is)."""
    if np.size(scale) == 1:
        return ()
    a = norm_axis(1 if axis is None else axis, x.ndim)
    return tuple(-1 if i == a else 1 for i in range(x.ndim))


def QuantizeLinear(x, scale, zero, at):
    """y = saturate(round_half_even(x / scale) + zero_point) in the zero point's type (uint8 by default)."""
    t = np.uint8 if zero is None else zero.dtype
    shape = channel_shape(x, scale, at.get("axis"))
    lo, hi = np.iinfo(t).min, np.iinfo(t).max
    q = (x / np.asarray(scale).reshape(shape)).astype(x.dtype)
    z = 0 if zero is None else np.asarray(zero).astype(np.float64).reshape(shape)
    return np.clip(np.rint(q.astype(np.float64)) + z, lo, hi).astype(t)


def DequantizeLinear(x, scale, zero, at):
    """y = (x - zero_point) * scale, in the scale's type."""
    shape = channel_shape(x, scale, at.get("axis"))
    z = 0 if zero is None else np.asarray(zero).astype(np.float64).reshape(shape)
    return ((x.astype(np.float64) - z) * np.asarray(scale).reshape(shape)).astype(scale.dtype)
