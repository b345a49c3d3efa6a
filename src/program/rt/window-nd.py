# The runtime of the emitted program.py, part 10: windows over any number of spatial axes: pooling (dilations,
# ceil_mode, count_include_pad, as onnxruntime sizes them) and ConvTranspose. The numpy twin of rt/window-nd.ts.
import numpy as np


def window_taps(xp, kernel, strides, dilations, out):
    """For every kernel tap, the strided view of the padded input xp that the tap sees at each output position."""
    n = len(kernel)
    for k in np.ndindex(*kernel):
        box = tuple(slice(k[i] * dilations[i], k[i] * dilations[i] + (out[i] - 1) * strides[i] + 1, strides[i]) for i in range(n))
        yield xp[(slice(None), slice(None)) + box]


def pool_nd(kind, x, kernel, strides, pads, dilations, ceil, include_pad):
    """Max or average pooling of NC[spatial...] with explicit pads (begins, then ends)."""
    sp = list(x.shape[2:])
    n = len(sp)
    s = [strides[i] if i < len(strides) else 1 for i in range(n)]
    d = [dilations[i] if i < len(dilations) else 1 for i in range(n)]
    pb = [pads[i] if i < len(pads) else 0 for i in range(n)]
    pe = [pads[i + n] if i + n < len(pads) else 0 for i in range(n)]
    out = []
    for i in range(n):
        span = sp[i] + pb[i] + pe[i] - ((kernel[i] - 1) * d[i] + 1)
        o = (-(-span // s[i]) if ceil else span // s[i]) + 1
        if ceil and (o - 1) * s[i] >= sp[i] + pb[i]:
            o -= 1
        out.append(o)
    ext = [(out[i] - 1) * s[i] + (kernel[i] - 1) * d[i] + 1 for i in range(n)]
    after = [max(0, ext[i] - sp[i] - pb[i]) for i in range(n)]
    widths = [(0, 0), (0, 0)] + [(pb[i], after[i]) for i in range(n)]
    valid = np.pad(np.ones(sp), widths[2:])[None, None]
    if kind == "maxpool":
        xp = np.pad(x.astype(np.float64), widths, constant_values=-np.inf)
        y = np.full(x.shape[:2] + tuple(out), -np.inf)
        for v in window_taps(xp, kernel, s, d, out):
            y = np.maximum(y, v)
        return y.astype(x.dtype)
    xp = np.pad(x.astype(np.float64), widths)
    inside = np.zeros([sp[i] + pb[i] + after[i] for i in range(n)])
    inside[tuple(slice(0, min(sp[i] + pb[i] + pe[i], inside.shape[i])) for i in range(n))] = 1
    total = np.zeros(x.shape[:2] + tuple(out))
    count = np.zeros((1, 1) + tuple(out))
    for v, c in zip(window_taps(xp, kernel, s, d, out), window_taps((inside if include_pad else valid[0, 0])[None, None], kernel, s, d, out)):
        total = total + v
        count = count + c
    return (total / count).astype(x.dtype)


def ConvTranspose(x, w, b, at):
    """The gradient of Conv as a layer: W is [C, M/group, kernel...]; every input value scatters its kernel into y."""
    sp = list(x.shape[2:])
    n = len(sp)
    kernel = list(at.get("kernel_shape", w.shape[2:]))
    s, d = list(at.get("strides", [1] * n)), list(at.get("dilations", [1] * n))
    op = list(at.get("output_padding", [0] * n))
    asked = at.get("output_shape")
    if asked is not None and len(asked) == n + 2:
        asked = asked[2:]
    mode = at.get("auto_pad", "NOTSET")
    pads = list(at.get("pads", [0] * (2 * n)))
    begin, out = [], []
    for i in range(n):
        full = (sp[i] - 1) * s[i] + op[i] + (kernel[i] - 1) * d[i] + 1
        split = (lambda t: t // 2) if mode == "SAME_UPPER" else (lambda t: t - t // 2)
        if asked is not None:
            begin.append(split(max(0, full - asked[i])))
            out.append(asked[i])
        elif mode in ("SAME_UPPER", "SAME_LOWER"):
            total = max(0, full - sp[i] * s[i])
            begin.append(split(total))
            out.append(full - total)
        else:
            pb, pe = (0, 0) if mode == "VALID" else (pads[i], pads[i + n])
            begin.append(pb)
            out.append(full - pb - pe)
    N, C = x.shape[:2]
    g = at.get("group", 1)
    mpg = w.shape[1]
    cpg = C // g
    # Accumulate on a canvas big enough for every tap, then cut the output window out of it.
    canvas = [(sp[i] - 1) * s[i] + (kernel[i] - 1) * d[i] + 1 for i in range(n)]
    lo = [max(0, begin[i]) for i in range(n)]
    y = np.zeros((N, mpg * g) + tuple(max(canvas[i], lo[i] + out[i]) + max(0, -begin[i]) for i in range(n)))
    shift = [max(0, -begin[i]) for i in range(n)]
    xd, wd = x.astype(np.float64), w.astype(np.float64)
    for gi in range(g):
        xs = xd[:, gi * cpg:(gi + 1) * cpg]
        for k in np.ndindex(*kernel):
            contrib = np.tensordot(xs, wd[(slice(gi * cpg, (gi + 1) * cpg), slice(None)) + k], axes=([1], [0]))
            contrib = np.moveaxis(contrib, -1, 1)
            box = tuple(slice(shift[i] + k[i] * d[i], shift[i] + k[i] * d[i] + (sp[i] - 1) * s[i] + 1, s[i]) for i in range(n))
            y[(slice(None), slice(gi * mpg, (gi + 1) * mpg)) + box] += contrib
    cut = tuple(slice(shift[i] + begin[i], shift[i] + begin[i] + out[i]) for i in range(n))
    y = y[(slice(None), slice(None)) + cut]
    if b is not None:
        y = y + wide(b).reshape((1, -1) + (1,) * n)
    return y.astype(x.dtype)


def conv_nd(x, w, bias, at, dtype, x_zero, w_zero):
    """Conv over any number of spatial axes, zero points subtracted (ConvInteger) and bias added; result in `dtype`."""
    sp = list(x.shape[2:])
    n = len(sp)
    kernel = list(w.shape[2:])
    p = window_pads(sp, kernel, at)
    s, d = list(at.get("strides", [1] * n)), list(at.get("dilations", [1] * n))
    out = [(sp[i] + p[i] + p[i + n] - (kernel[i] - 1) * d[i] - 1) // s[i] + 1 for i in range(n)]
    xp = np.pad(x.astype(np.float64) - x_zero, [(0, 0), (0, 0)] + [(p[i], max(0, (out[i] - 1) * s[i] + (kernel[i] - 1) * d[i] + 1 - sp[i] - p[i])) for i in range(n)])
    wd = w.astype(np.float64)
    if w_zero is not None:
        wd = wd - w_zero.astype(np.float64).reshape((-1,) + (1,) * (w.ndim - 1))
    g = at.get("group", 1)
    m = w.shape[0]
    cpg, mpg = x.shape[1] // g, m // g
    y = np.zeros((x.shape[0], m) + tuple(out))
    for gi in range(g):
        xs = xp[:, gi * cpg:(gi + 1) * cpg]
        for k, v in zip(np.ndindex(*kernel), window_taps(xs, kernel, s, d, out)):
            y[:, gi * mpg:(gi + 1) * mpg] += np.moveaxis(np.tensordot(v, wd[(slice(gi * mpg, (gi + 1) * mpg), slice(None)) + k], axes=([1], [1])), -1, 1)
    if bias is not None:
        y += bias.astype(np.float64).reshape((1, -1) + (1,) * n)
    return y.astype(NP_TYPES[dtype])
