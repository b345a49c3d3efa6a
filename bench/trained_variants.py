#!/usr/bin/python3
"""Train the zoo's small trained functions again at other seeds and hidden widths, for bench/trained-variants.ts.

Run from the repository root:  /usr/bin/python3 bench/trained_variants.py OUT_DIR [--seeds 10,11,12] [--only FN,...]
Regression nets train full-batch on 2,000 uniform rows (sort3: batches of 128 from 20,000).
Writes OUT_DIR/<fn>-<arch>-s<seed>/model.onnx, data.npy (the held-out rows, or every point of a bits domain) and
meta.json (function, architecture, seed, training error). Same recipes as zoo/trained/train.py (MSE, Adam), with
the hidden layers varied: 8, 16 and 32 units in one layer, 16-16 in two and 8-8-8 in three. Seeded and deterministic (one thread);
a net trains in a few seconds of CPU. Nothing here is committed but the results bench/trained-variants.ts writes.
"""
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
# Tiny weights late in training are denormal floats, which made some nets 10x slower to train.
torch.set_flush_denormal(True)

ARCHS = {"h8": [8], "h16": [16], "h32": [32], "h16x2": [16, 16], "h8x3": [8, 8, 8]}


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def bits(n):
    return torch.tensor([[(k >> i) & 1 for i in range(n)] for k in range(2 ** n)], dtype=torch.float32)


# name: (domain, n inputs, target, primitives the explanation should name (zoo/score.ts signatures, | = either), steps)
FUNCTIONS = {
    "xor": ("bits", 2, lambda x: (x[:, :1] != x[:, 1:]).float(), ["logic:xor"], 2000),
    "parity4": ("bits", 4, lambda x: x.sum(dim=1, keepdim=True) % 2, ["logic:xor"], 3000),
    "and3": ("bits", 3, lambda x: x.prod(dim=1, keepdim=True), ["logic:and|threshold"], 2000),
    "max2": ((-1, 1), 2, lambda x: x.max(dim=1, keepdim=True).values, ["max"], 4000),
    "min2": ((-1, 1), 2, lambda x: x.min(dim=1, keepdim=True).values, ["min"], 4000),
    "abs": ((-1, 1), 1, lambda x: x.abs(), ["act:abs"], 4000),
    "clamp": ((-3, 3), 1, lambda x: x.clamp(-1, 2), ["act:clip|piecewise"], 4000),
    "sort3": ((-1, 1), 3, lambda x: x.sort(dim=1).values, ["sort"], 6000),
    # Two functions spread over one hidden layer (no output is the whole net's function of one input).
    "clampmax": ((-3, 3), 3, lambda x: torch.cat([x[:, :1].clamp(-1, 2), x[:, 1:].max(dim=1, keepdim=True).values], dim=1),
                 ["act:clip|piecewise", "max"], 4000),
}


def train(fn, arch, seed):
    domain, n, target, prim, steps = FUNCTIONS[fn]
    torch.manual_seed(seed)
    np.random.seed(seed)
    gen = torch.Generator().manual_seed(seed)
    if domain == "bits":
        x = xt = bits(n)
        batch = None
    else:
        lo, hi = domain
        x = torch.rand(2000 if fn != "sort3" else 20000, n, generator=gen) * (hi - lo) + lo
        xt = torch.rand(1000, n, generator=gen) * (hi - lo) + lo
        batch = 128 if fn == "sort3" else None
    y = target(x)
    model = mlp([n, *ARCHS[arch], y.shape[1]])
    opt = torch.optim.AdamW(model.parameters(), lr=0.01 if domain == "bits" else 3e-3, weight_decay=0.0)
    model.train()
    for _ in range(steps):
        if batch is None:
            xb, yb = x, y
        else:
            idx = torch.randint(0, x.shape[0], (batch,), generator=gen)
            xb, yb = x[idx], y[idx]
        opt.zero_grad()
        nn.functional.mse_loss(model(xb), yb).backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        err = (model(xt) - target(xt)).abs()
        right = float(((model(xt) > 0.5).float() == target(xt)).all(dim=1).float().mean()) if domain == "bits" else None
    return model, x[:1], xt, {
        "function": fn, "arch": arch, "hidden": ARCHS[arch], "seed": seed, "expect": prim,
        "domain": "bits" if domain == "bits" else {"lo": domain[0], "hi": domain[1]},
        "train": {"heldOutMaxAbsErr": float(err.max()), "heldOutMeanAbsErr": float(err.mean()), "samples": int(xt.shape[0]),
                  "targetRange": float(target(xt).max() - target(xt).min()),
                  **({"allInputsRight": right} if right is not None else {})},
    }


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("--"):
        sys.exit("usage: trained_variants.py OUT_DIR [--seeds 10,11,12] [--only FN,...] [--archs h8,h16,h32,h16x2]")
    out = args[0]
    opts = dict(zip(args[1::2], args[2::2]))
    seeds = [int(s) for s in opts.get("--seeds", "10,11,12").split(",")]
    only = opts.get("--only", ",".join(FUNCTIONS)).split(",")
    archs = opts.get("--archs", ",".join(ARCHS)).split(",")
    for fn in only:
        for arch in archs:
            for seed in seeds:
                name = f"{fn}-{arch}-s{seed}"
                d = os.path.join(out, name)
                if os.path.exists(os.path.join(d, "meta.json")):
                    continue
                c = time.process_time()
                model, example, xt, meta = train(fn, arch, seed)
                os.makedirs(d, exist_ok=True)
                np.save(os.path.join(d, "data.npy"), xt.numpy().astype(np.float32))
                torch.onnx.export(model, example, os.path.join(d, "model.onnx"), opset_version=13, input_names=["x"], output_names=["y"],
                                  dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
                meta["trainCpuSeconds"] = round(time.process_time() - c, 2)
                with open(os.path.join(d, "meta.json"), "w") as f:
                    json.dump(meta, f, indent=1)
                print(f"{name}: held-out max |err| {meta['train']['heldOutMaxAbsErr']:.3g} [{meta['trainCpuSeconds']} s cpu]", flush=True)


if __name__ == "__main__":
    main()
