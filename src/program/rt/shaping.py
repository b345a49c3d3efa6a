# The runtime of the emitted program.py, part 3: ONNX ops that move values around. The numpy twin of rt/shaping.ts.
import numpy as np


def Reshape(x, shape, at):
    """New shape: 0 copies the input's dim (unless allowzero), -1 takes what is left."""
    want = [x.shape[i] if d == 0 and not at.get("allowzero") else d for i, d in enumerate(ints_of(shape))]
    return x.reshape(want)


def Flatten(x, at):
    a = at.get("axis", 1)
    a = a + x.ndim if a < 0 else a
    return x.reshape(int(np.prod(x.shape[:a])), int(np.prod(x.shape[a:])))


def Identity(x):
    return x


def Transpose(x, at):
    return np.transpose(x, at.get("perm"))


def Squeeze(x, axes, at):
    """Remove size-1 axes: those listed (input since opset 13, attribute before), else all of them."""
    listed = ints_of(axes) if axes is not None else at.get("axes")
    if listed is None:
        return x.reshape([d for d in x.shape if d != 1])
    drop = [norm_axis(a, x.ndim) for a in listed]
    return x.reshape([d for i, d in enumerate(x.shape) if i not in drop])


def Unsqueeze(x, axes, at):
    """Insert size-1 axes at the listed positions of the output (input since opset 13, attribute before)."""
    listed = ints_of(axes) if axes is not None else at.get("axes", [])
    rank = x.ndim + len(listed)
    where = [norm_axis(a, rank) for a in listed]
    dims = iter(x.shape)
    return x.reshape([1 if i in where else next(dims) for i in range(rank)])


def Concat(xs, at):
    return np.concatenate(xs, axis=at["axis"])


def Slice(x, starts, ends, axes, steps, at):
    """[start, end) with a step along chosen axes, clamped as numpy does (attributes before opset 10)."""
    s0 = ints_of(starts) if starts is not None else at["starts"]
    e0 = ints_of(ends) if ends is not None else at["ends"]
    ax = ints_of(axes) if axes is not None else at.get("axes", list(range(len(s0))))
    st = ints_of(steps) if steps is not None else [1] * len(s0)
    box = [slice(None)] * x.ndim
    for b, e, a, s in zip(s0, e0, ax, st):
        a = norm_axis(a, x.ndim)
        d = x.shape[a]
        b, e = (b + d if b < 0 else b), (e + d if e < 0 else e)
        if s > 0:
            b, e = min(max(b, 0), d), min(max(e, 0), d)
        else:
            b, e = min(max(b, 0), d - 1), min(max(e, -1), d - 1)
        box[a] = slice(b, None if e < 0 else e, s)
    return x[tuple(box)]


def Split(x, split, at):
    """Pieces along an axis: sizes from the split input (opset 13) or attribute, else equal parts (the last smaller)."""
    a = norm_axis(at.get("axis", 0), x.ndim)
    d = x.shape[a]
    sizes = ints_of(split) if split is not None else at.get("split")
    if sizes is None:
        n = at.get("num_outputs", at["outputs"])
        each = -(-d // n)
        sizes = [max(0, min(each, d - i * each)) for i in range(n)]
    return list(np.split(x, np.cumsum(sizes)[:-1], axis=a))


def Shape(x, at):
    """The shape as an int64 vector (dims start..end since opset 15)."""
    r = x.ndim
    clamp = lambda v: min(max(v + r if v < 0 else v, 0), r)
    return np.array(x.shape[clamp(at.get("start", 0)):clamp(at.get("end", r))], dtype=np.int64)


def Gather(x, indices, at):
    """Entries of x along an axis picked by indices (negative ones count from the end)."""
    return np.take(x, indices.astype(np.int64), axis=norm_axis(at.get("axis", 0), x.ndim))


def Expand(x, shape):
    out = np.broadcast_shapes(x.shape, tuple(ints_of(shape)))
    return np.broadcast_to(x, out).copy()


def ConstantOfShape(shape, at):
    """A tensor of the given shape filled with `value` (a one-element tensor; float32 0 by default)."""
    v = at.get("value")
    if v is None:
        v = np.zeros(1, dtype=np.float32)
    return np.full(ints_of(shape), v.reshape(-1)[0], dtype=v.dtype)


def Range(start, limit, delta):
    s, l, d = (np.asarray(v).reshape(-1)[0] for v in (start, limit, delta))
    n = max(int(np.ceil((float(l) - float(s)) / float(d))), 0)
    return (s + np.arange(n) * d).astype(np.asarray(start).dtype)


def Constant(at):
    """A constant node's value (the value attribute, or one of the value_* shorthands)."""
    if "value" in at:
        return at["value"]
    if "value_float" in at:
        return np.array(at["value_float"], dtype=np.float32)
    if "value_floats" in at:
        return np.array(at["value_floats"], dtype=np.float32)
    if "value_int" in at:
        return np.array(at["value_int"], dtype=np.int64)
    if "value_ints" in at:
        return np.array(at["value_ints"], dtype=np.int64)
    raise ValueError("Constant: no value attribute the program runtime supports")
