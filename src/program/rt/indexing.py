# The runtime of the emitted program.py, part 9: Pad, Tile, GatherElements, GatherND, Trilu, Size. The numpy twin
# of rt/indexing.ts.
import numpy as np


def Pad(x, pads, value, axes, at):
    """Pad every axis (or the listed ones): pads as input (opset >= 11) or attribute (before); negative pads crop."""
    r = x.ndim
    p = ints_of(pads) if pads is not None else list(at.get("pads", [0] * (2 * r)))
    ax = [norm_axis(a, r) for a in (ints_of(axes) if axes is not None else range(r))]
    begin, end = [0] * r, [0] * r
    for k, a in enumerate(ax):
        begin[a], end[a] = p[k], p[k + len(ax)]
    crop = tuple(slice(max(0, -b), x.shape[k] - max(0, -e)) for k, (b, e) in enumerate(zip(begin, end)))
    y = x[crop]
    widths = [(max(0, b), max(0, e)) for b, e in zip(begin, end)]
    mode = at.get("mode", "constant")
    if mode == "constant":
        fill = np.asarray(value).reshape(-1)[0] if value is not None and np.size(value) else at.get("value", 0)
        return np.pad(y, widths, mode="constant", constant_values=fill)
    for k, (b, e) in enumerate(widths):
        d = y.shape[k]
        j = np.arange(-b, d + e)
        if mode == "edge":
            j = np.clip(j, 0, d - 1)
        elif mode == "wrap":
            j = j % d
        else:  # reflect: mirror without repeating the edge value
            period = max(2 * (d - 1), 1)
            j = j % period
            j = np.where(j < d, j, period - j)
        y = np.take(y, j, axis=k)
    return y


def Tile(x, repeats):
    return np.tile(x, ints_of(repeats))


def GatherElements(x, indices, at):
    """out[i] = x[i with the axis position replaced by indices[i]] (negative indices count from the end)."""
    a = norm_axis(at.get("axis", 0), x.ndim)
    idx = indices.astype(np.int64)
    return np.take_along_axis(x, np.where(idx < 0, idx + x.shape[a], idx), axis=a)


def GatherND(x, indices, at):
    """Slices of x addressed by the last axis of indices, after `batch_dims` shared leading axes."""
    b = at.get("batch_dims", 0)
    idx = indices.astype(np.int64)
    q = idx.shape[-1]
    lead = idx.shape[:-1]
    flat_x = x.reshape((-1,) + x.shape[b:]) if b else x[None]
    flat_i = idx.reshape((-1,) + idx.shape[b:]) if b else idx[None]
    out = []
    for n in range(flat_x.shape[0]):
        rows = flat_i[n].reshape(-1, q)
        rows = np.where(rows < 0, rows + np.array(flat_x.shape[1:1 + q]), rows)
        out.append(np.stack([flat_x[n][tuple(r)] for r in rows]) if len(rows) else np.zeros((0,) + flat_x.shape[1 + q:], x.dtype))
    return np.stack(out).reshape(lead + x.shape[b + q:])


def Trilu(x, k, at):
    """Keep the upper (default) or lower triangle of the last two axes, shifted by the diagonal k; zero the rest."""
    kk = 0 if k is None else int(np.asarray(k).reshape(-1)[0])
    return np.triu(x, kk) if at.get("upper", 1) else np.tril(x, kk)


def Size(x):
    return np.array(x.size, dtype=np.int64)
