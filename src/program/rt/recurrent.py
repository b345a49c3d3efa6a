# The runtime of the emitted program.py, part 6: the recurrent ops LSTM, GRU and RNN. The numpy twin of rt/recurrent.ts
# (layout 0 and 1, forward, reverse and bidirectional, sequence_lens, initial states, peepholes, clip, input_forget).
import numpy as np


def recurrent_act(name, alpha, beta):
    """An activation function by its ONNX name, with its alpha/beta (onnxruntime's defaults)."""
    n = name.lower()
    if n == "sigmoid":
        return lambda v: 1.0 / (1.0 + np.exp(-v))
    if n == "tanh":
        return np.tanh
    if n == "relu":
        return lambda v: np.maximum(v, 0.0)
    if n == "leakyrelu":
        a = 0.01 if alpha is None else alpha
        return lambda v: np.where(v < 0, a * v, v)
    if n == "affine":
        a, b = alpha or 0.0, beta or 0.0
        return lambda v: a * v + b
    if n == "hardsigmoid":
        a, b = (0.2 if alpha is None else alpha), (0.5 if beta is None else beta)
        return lambda v: np.clip(a * v + b, 0.0, 1.0)
    if n == "softsign":
        return lambda v: v / (1.0 + np.abs(v))
    if n == "softplus":
        return lambda v: np.log1p(np.exp(v))
    raise ValueError("the program runtime has no recurrent activation '%s'" % name)


def acts_of(at, defaults, dirs):
    """The activation functions of each direction, alphas/betas consumed in order."""
    names = at.get("activations", defaults * dirs)
    alphas, betas = list(at.get("activation_alpha", [])), list(at.get("activation_beta", []))
    fs = []
    for n in names:
        takes = n.lower() in ("leakyrelu", "affine", "hardsigmoid", "thresholdedrelu", "scaledtanh", "elu")
        two = n.lower() in ("affine", "hardsigmoid", "scaledtanh")
        alpha = alphas.pop(0) if takes and alphas else None
        beta = betas.pop(0) if two and betas else None
        fs.append(recurrent_act(n, alpha, beta))
    k = len(defaults)
    return [fs[d * k:(d + 1) * k] for d in range(dirs)]


def recur(X, W, R, B, lens, h0, c0, at, gates, cell):
    """One recurrent op: `cell(g, h, c, d)` turns gate pre-activations and the state into the next (h, c)."""
    dirs = 2 if at.get("direction") == "bidirectional" else 1
    layout = at.get("layout", 0)
    x = X.astype(np.float64) if layout == 0 else np.swapaxes(X, 0, 1).astype(np.float64)
    seq, batch, _ = x.shape
    hid = at.get("hidden_size", W.shape[1] // gates)
    state = lambda s: np.zeros((dirs, batch, hid)) if s is None else (s if layout == 0 else np.swapaxes(s, 0, 1)).astype(np.float64)
    hs, cs = state(h0), state(c0)
    y = np.zeros((seq, dirs, batch, hid))
    h_n, c_n = np.zeros((dirs, batch, hid)), np.zeros((dirs, batch, hid))
    for d in range(dirs):
        reverse = at.get("direction") == "reverse" or d == 1
        w, r = W[d].astype(np.float64), R[d].astype(np.float64)
        wbias = np.zeros(gates * hid) if B is None else B[d, :gates * hid].astype(np.float64)
        rbias = np.zeros(gates * hid) if B is None else B[d, gates * hid:].astype(np.float64)
        for b in range(batch):
            n = seq if lens is None else int(lens[b])
            h, c = hs[d, b].copy(), cs[d, b].copy()
            for s in range(n):
                t = n - 1 - s if reverse else s
                rec = h @ r.T + rbias
                h, c = cell(x[t, b] @ w.T + wbias + rec, h, c, d, rec)
                y[t, d, b] = h
            if n > 0:
                h_n[d, b], c_n[d, b] = h, c
    if layout == 1:
        y, h_n, c_n = np.transpose(y, (2, 0, 1, 3)), np.swapaxes(h_n, 0, 1), np.swapaxes(c_n, 0, 1)
    return [y.astype(X.dtype), h_n.astype(X.dtype), c_n.astype(X.dtype)]


def clipped(v, clip):
    return v if clip is None else np.clip(v, -clip, clip)


def LSTM(X, W, R, B, lens, h0, c0, P, at):
    """LSTM (gates i, o, f, c): outputs Y, Y_h, Y_c."""
    dirs = 2 if at.get("direction") == "bidirectional" else 1
    acts = acts_of(at, ["Sigmoid", "Tanh", "Tanh"], dirs)
    hid = at.get("hidden_size", W.shape[1] // 4)
    clip = at.get("clip")
    peep = np.zeros((dirs, 3 * hid)) if P is None else P.astype(np.float64)

    def cell(g, h, c, d, rec):
        f, gg, hh = acts[d]
        pi, po, pf = peep[d, :hid], peep[d, hid:2 * hid], peep[d, 2 * hid:]
        i = f(clipped(g[:hid] + pi * c, clip))
        fo = 1.0 - i if at.get("input_forget") else f(clipped(g[2 * hid:3 * hid] + pf * c, clip))
        c = fo * c + i * gg(clipped(g[3 * hid:], clip))
        o = f(clipped(g[hid:2 * hid] + po * c, clip))
        return o * hh(c), c
    return recur(X, W, R, B, lens, h0, c0, at, 4, cell)


def RNN(X, W, R, B, lens, h0, at):
    """The plain recurrent cell h = f(x W^T + h R^T + Wb + Rb): outputs Y, Y_h."""
    dirs = 2 if at.get("direction") == "bidirectional" else 1
    acts = acts_of(at, ["Tanh"], dirs)
    return recur(X, W, R, B, lens, h0, None, at, 1, lambda g, h, c, d, rec: (acts[d][0](clipped(g, at.get("clip"))), c))[:2]


def GRU(X, W, R, B, lens, h0, at):
    """GRU (gates z, r, h): outputs Y, Y_h. linear_before_reset applies the reset gate after the recurrent product."""
    dirs = 2 if at.get("direction") == "bidirectional" else 1
    acts = acts_of(at, ["Sigmoid", "Tanh"], dirs)
    hid = at.get("hidden_size", W.shape[1] // 3)
    clip = at.get("clip")
    lbr = at.get("linear_before_reset", 0)

    def cell(g, h, c, d, rec):
        f, gg = acts[d]
        z = f(clipped(g[:hid], clip))
        r = f(clipped(g[hid:2 * hid], clip))
        x_part = g[2 * hid:] - rec[2 * hid:]
        if lbr:
            hc = gg(clipped(x_part + r * rec[2 * hid:], clip))
        else:
            rb = 0.0 if B is None else B[d, 5 * hid:].astype(np.float64)
            hc = gg(clipped(x_part + (r * h) @ R[d, 2 * hid:].astype(np.float64).T + rb, clip))
        return (1 - z) * hc + z * h, c
    return recur(X, W, R, B, lens, h0, None, at, 3, cell)[:2]
