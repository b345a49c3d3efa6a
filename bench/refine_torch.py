#!/usr/bin/python3
"""Time refine's training step in PyTorch, for bench/refine.ts: the same network shapes (a spec of the lowered Net),
the same rows per step, the same step (teacher forward, student forward, weighted squared error on the logits,
backward, Adam), one thread (refine runs on one). Weights are random: the time does not depend on them.

Usage: /usr/bin/python3 bench/refine_torch.py SPEC.json   (prints {"msPerStep": ..., "steps": ...})
"""
import json
import sys
import time

import torch
from torch import nn

torch.set_num_threads(1)
torch.manual_seed(0)


def build(spec):
    mods = []
    for l in spec["layers"]:
        k = l["kind"]
        if k == "affine":
            mods.append(nn.Linear(l["in"], l["out"]))
        elif k == "conv":
            mods.append(nn.Conv2d(l["in"], l["out"], l["kernel"], stride=l["strides"], padding=l["pads"][: len(l["kernel"])],
                                  dilation=l["dilations"], groups=l["groups"]))
        elif k == "relu":
            mods.append(nn.ReLU())
        elif k == "maxpool":
            mods.append(nn.MaxPool2d(l["kernel"], stride=l["strides"]))
        elif k == "avgpool":
            mods.append(nn.AvgPool2d(l["kernel"], stride=l["strides"]))
        elif k == "flatten":
            mods.append(nn.Flatten())
        else:
            raise SystemExit(f"refine_torch.py: layer kind {k} not in the spec language")
    return nn.Sequential(*mods)


def main():
    spec = json.load(open(sys.argv[1]))
    teacher, student = build(spec), build(spec)
    rows, steps = spec["rows"], spec["steps"]
    x = torch.rand(rows, *spec["input"])
    w = torch.ones(rows, 1)
    opt = torch.optim.Adam(student.parameters(), lr=5e-4)
    for p in teacher.parameters():
        p.requires_grad_(False)

    def step():
        with torch.no_grad():
            t = teacher(x)
        s = student(x)
        loss = (w * (s - t) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()

    step()  # warm-up
    t0 = time.process_time()
    for _ in range(steps):
        step()
    cpu = (time.process_time() - t0) * 1000 / steps
    print(json.dumps({"msPerStep": cpu, "steps": steps}))


main()
