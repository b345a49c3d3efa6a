"""Real torch.onnx.export of the zoo's networks, for bench/exporters.ts.

Reads a jobs file: [{"src": model.onnx, "outs": [{"opset": 9, "path": out.onnx}, ...]}, ...]. Each src is a zoo
case as zoo/export.ts writes it (Gemm/Conv/Relu/Flatten/Slice/Concat). The script builds an nn.Module with the
same weights (nn.Linear, nn.Conv2d, nn.ReLU, max_pool2d, nn.Flatten, x[:, a:b], torch.cat; a weight used by several Gemm
nodes is one shared nn.Linear, as a module applied several times) and exports it with torch.onnx.export at each
opset, with a dynamic batch axis. Run with Debian's /usr/bin/python3 (torch 1.13, onnx 1.12).
"""
import json
import sys

import onnx
import torch
from onnx import numpy_helper

torch.set_num_threads(1)


def attr(node, name, default=None):
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return default


class FromOnnx(torch.nn.Module):
    """The zoo network as an nn.Module: one submodule per weighted layer, the graph's node order as forward."""

    def __init__(self, model):
        super().__init__()
        g = model.graph
        inits = {t.name: torch.tensor(numpy_helper.to_array(t).copy()) for t in g.initializer}
        self.consts = {}
        self.steps = []
        self.layers = torch.nn.ModuleDict()
        by_weight = {}
        # MatMul(x, W[in,out]) + Add(b) (the zoo's `matmul` layout) is one nn.Linear, as a PyTorch user writes it.
        mm_bias = {}
        for n in g.node:
            if n.op_type == "Add":
                for k, v in enumerate(n.input):
                    prod = [m for m in g.node if v in m.output and m.op_type == "MatMul"]
                    if prod and n.input[1 - k] in inits:
                        mm_bias[prod[0].name] = (n.input[1 - k], n.output[0])
        fused_adds = {out for _, out in mm_bias.values()}
        for n in g.node:
            if n.op_type == "Add" and n.output[0] in fused_adds:
                continue
            if n.op_type == "Constant":
                self.consts[n.output[0]] = numpy_helper.to_array(attr(n, "value")).tolist()
                continue
            key = None
            outs = list(n.output)
            if n.op_type in ("Gemm", "Conv", "MatMul"):
                w = n.input[1]
                if w not in by_weight:
                    key = "l%d" % len(by_weight)
                    if n.op_type == "MatMul":
                        W, b = inits[w].T.contiguous(), inits[mm_bias[n.name][0]]
                    else:
                        W, b = inits[w], inits[n.input[2]]
                    if n.op_type in ("Gemm", "MatMul"):
                        assert n.op_type == "MatMul" or (attr(n, "transB", 0) == 1 and attr(n, "transA", 0) == 0)
                        m = torch.nn.Linear(W.shape[1], W.shape[0])
                    else:
                        pads = attr(n, "pads")
                        m = torch.nn.Conv2d(W.shape[1], W.shape[0], tuple(W.shape[2:]), stride=tuple(attr(n, "strides")), padding=tuple(pads[:2]))
                    with torch.no_grad():
                        m.weight.copy_(W)
                        m.bias.copy_(b)
                    self.layers[key] = m
                    by_weight[w] = key
                key = by_weight[w]
                if n.op_type == "MatMul":
                    outs = [mm_bias[n.name][1]]
            self.steps.append((n.op_type, list(n.input), outs, key, n))
        self.input = g.input[0].name
        self.output = g.output[0].name

    def forward(self, x):
        env = {self.input: x}
        for op, ins, outs, key, n in self.steps:
            a = env.get(ins[0])
            if op in ("Gemm", "Conv", "MatMul"):
                y = self.layers[key](a)
            elif op == "Relu":
                y = torch.relu(a)
            elif op == "MaxPool":
                k, st, pads = attr(n, "kernel_shape"), attr(n, "strides", None), attr(n, "pads", [0, 0, 0, 0])
                y = torch.nn.functional.max_pool2d(a, tuple(k), stride=tuple(st or k), padding=tuple(pads[:2]))
            elif op == "Flatten":
                y = torch.flatten(a, 1)
            elif op == "Slice":
                start, end = self.consts[ins[1]][0], self.consts[ins[2]][0]
                y = a[:, start:end]
            elif op == "Concat":
                y = torch.cat([env[i] for i in ins], dim=attr(n, "axis"))
            else:
                raise ValueError("no torch layer for %s '%s'" % (op, n.name))
            env[outs[0]] = y
        return env[self.output]


def main():
    jobs = json.load(open(sys.argv[1]))
    for job in jobs:
        model = onnx.load(job["src"])
        net = FromOnnx(model).eval()
        shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim[1:]]
        dummy = torch.zeros([2] + shape)
        for o in job["outs"]:
            torch.onnx.export(net, dummy, o["path"], opset_version=o["opset"], input_names=["x"], output_names=["y"],
                              dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})


if __name__ == "__main__":
    main()
