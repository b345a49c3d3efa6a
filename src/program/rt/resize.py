# The runtime of the emitted program.py, part 11: Resize, Upsample and MaxUnpool. The numpy twin of rt/resize.ts:
# separable resampling, one axis at a time; coordinates in float32 steps as onnxruntime computes them.
import numpy as np


def source_coord(x, scale, in_len, out_len, coord, roi):
    """The input coordinate of output index x along one axis (coordinate_transformation_mode)."""
    f = np.float32
    s = f(scale)
    if coord == "half_pixel_symmetric":
        adj = f(out_len / f(s * in_len))
        return float(f(f(f(in_len / 2) * f(1 - adj)) + f(f(f(x + 0.5) / s) - 0.5)))
    if coord == "pytorch_half_pixel":
        return float(f(f(f(x + 0.5) / s) - 0.5)) if out_len > 1 else 0.0
    if coord == "align_corners":
        return 0.0 if out_len == 1 else float(f(f(x * (in_len - 1)) / f(out_len - 1)))
    if coord == "asymmetric":
        return float(f(f(x) / s))
    if coord == "tf_half_pixel_for_nn":
        return float(f(f(x + 0.5) / s))
    if coord == "tf_crop_and_resize":
        a, b = f(roi[0]), f(roi[1])
        if out_len == 1:
            return float(f(0.5 * (a + b) * (in_len - 1)))
        return float(f(f(a * (in_len - 1)) + f(f(f(x * f(b - a)) * (in_len - 1)) / f(out_len - 1))))
    return float(f(f(f(x + 0.5) / s) - 0.5))


def cubic_weight(d, a):
    """Keys' cubic convolution kernel with parameter a."""
    t = abs(d)
    if t <= 1:
        return ((a + 2) * t - (a + 3)) * t * t + 1
    return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a if t < 2 else 0.0


def resize_axis(in_len, out_len, scale, mode, coord, nearest, at, roi):
    """One axis's plan: (index [out, taps], weight [out, taps], outside [out]) or None when the axis stays as it is."""
    if scale == 1 and in_len == out_len:
        return None
    aa = scale if at.get("antialias") and scale < 1 else 1.0
    first = int(np.floor(-(1 if mode == "linear" else 2) / aa)) + 1
    taps = 1 if mode == "nearest" else 2 - 2 * first
    index = np.zeros((out_len, taps), dtype=np.int64)
    weight = np.zeros((out_len, taps))
    outside = np.zeros(out_len, dtype=bool)
    for j in range(out_len):
        x = source_coord(j, scale, in_len, out_len, coord, roi)
        if coord == "tf_crop_and_resize" and (x < 0 or x > in_len - 1):
            outside[j] = True
            continue
        if mode == "nearest":
            fl = int(np.floor(x))
            r = x - fl
            if nearest == "round_prefer_ceil":
                i = fl if r < 0.5 else fl + 1
            elif nearest == "floor":
                i = fl
            elif nearest == "ceil":
                i = int(np.ceil(x))
            elif nearest == "simple":
                i = int(np.ceil(x)) if scale < 1 else int(np.trunc(x))
            else:
                i = fl if r <= 0.5 else fl + 1
            index[j, 0], weight[j, 0] = min(max(i, 0), in_len - 1), 1.0
            continue
        base = int(np.floor(x))
        t = x - base
        ws = [max(0.0, 1 - abs((i - t) * aa)) if mode == "linear" else cubic_weight((i - t) * aa, at.get("cubic_coeff_a", -0.75)) for i in range(first, 2 - first)]
        if aa < 1:
            s = sum(ws)
            ws = [w / s for w in ws]
        for k in range(taps):
            i = base + first + k
            weight[j, k] = 0.0 if at.get("exclude_outside") and (i < 0 or i >= in_len) else ws[k]
            index[j, k] = min(max(i, 0), in_len - 1)
        if at.get("exclude_outside") and weight[j].sum() != 0:
            weight[j] /= weight[j].sum()
    return index, weight, outside


def resample_all(x, plans, extrapolation):
    """x resampled along every axis with a plan; integers truncate and saturate to their type."""
    y = x.astype(np.float64)
    for a, plan in enumerate(plans):
        if plan is None:
            continue
        index, weight, outside = plan
        moved = np.moveaxis(y, a, 0)
        out = np.zeros((index.shape[0],) + moved.shape[1:])
        for k in range(index.shape[1]):
            out += weight[:, k].reshape((-1,) + (1,) * (moved.ndim - 1)) * moved[index[:, k]]
        out[outside] = extrapolation
        y = np.moveaxis(out, 0, a)
    if np.issubdtype(x.dtype, np.integer):
        info = np.iinfo(x.dtype)
        y = np.clip(np.trunc(y), info.min, info.max)
    return y.astype(x.dtype)


def Resize(x, roi_or_scales, scales_in, sizes_in, at):
    """Resize by scales (output = floor(input * scale)) or to sizes: (X, scales) at opset 10, (X, roi, scales, sizes) from 11."""
    legacy = at["opset"] < 11
    r = x.ndim
    axes = [norm_axis(a, r) for a in (at["axes"] if at["opset"] >= 18 and "axes" in at else range(r))]
    vals = lambda t: None if t is None or np.size(t) == 0 else [float(v) for v in np.asarray(t).reshape(-1)]
    scales_v = vals(roi_or_scales if legacy else scales_in)
    sizes_v = None if legacy else vals(sizes_in)
    roi_v = None if legacy else vals(roi_or_scales)
    shape, scales, rois = list(x.shape), [1.0] * r, [[0, 1]] * r
    if scales_v is not None:
        for i, a in enumerate(axes):
            scales[a], shape[a] = scales_v[i], int(np.floor(x.shape[a] * scales_v[i]))
    else:
        policy = at.get("keep_aspect_ratio_policy", "stretch") if at["opset"] >= 18 else "stretch"
        if policy == "stretch":
            for i, a in enumerate(axes):
                shape[a], scales[a] = int(sizes_v[i]), sizes_v[i] / x.shape[a]
        else:
            ratios = [sizes_v[i] / x.shape[a] for i, a in enumerate(axes)]
            s = min(ratios) if policy == "not_larger" else max(ratios)
            for a in axes:
                scales[a], shape[a] = s, int(np.floor(s * x.shape[a] + 0.5))
    if roi_v is not None:
        for i, a in enumerate(axes):
            rois[a] = [roi_v[i], roi_v[len(axes) + i]]
    mode = at.get("mode", "nearest")
    coord = "asymmetric" if legacy else at.get("coordinate_transformation_mode", "half_pixel")
    nearest = "simple" if legacy else at.get("nearest_mode", "round_prefer_floor")
    opts = dict(at, antialias=at.get("antialias", 0) if at["opset"] >= 18 else 0)
    plans = [resize_axis(x.shape[a], shape[a], scales[a], mode, coord, nearest, opts, rois[a]) for a in range(r)]
    return resample_all(x, plans, at.get("extrapolation_value", 0.0))


def Upsample(x, scales_in, at):
    """Upsample (opsets 7-9): Resize-10's rule, scales as an attribute (7) or input (9); "bilinear" is linear."""
    scales = list(at["scales"]) if at["opset"] < 9 else [float(v) for v in np.asarray(scales_in).reshape(-1)]
    mode = "linear" if at.get("mode") == "bilinear" else at.get("mode", "nearest")
    plans = [resize_axis(d, int(np.floor(d * scales[a])), scales[a], mode, "asymmetric", "simple", {}, [0, 1]) for a, d in enumerate(x.shape)]
    return resample_all(x, plans, 0.0)


def MaxUnpool(x, ind, out_shape, at):
    """Scatter pooled values back to the positions MaxPool's indices recorded (zeros elsewhere)."""
    n = x.ndim - 2
    s, p, k = at.get("strides", [1] * n), at.get("pads", [0] * (2 * n)), at["kernel_shape"]
    inferred = list(x.shape[:2]) + [(x.shape[i + 2] - 1) * s[i] + k[i] - p[i] - p[i + n] for i in range(n)]
    shape = ints_of(out_shape) if out_shape is not None else inferred
    coords = np.unravel_index(ind.astype(np.int64).reshape(-1), inferred)
    y = np.zeros(shape, dtype=x.dtype)
    y[coords] = x.reshape(-1)
    return y
