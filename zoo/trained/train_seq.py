#!/usr/bin/python3
"""Train the zoo's sequence cases and export them as PyTorch users do (torch.onnx.export, opset 13).

Run from the repository root:  /usr/bin/python3 zoo/trained/train_seq.py [NAME...]
Recurrent nets (nn.RNN / nn.GRU / nn.LSTM, batch_first, a linear head per step) on algorithmic tasks in the
spirit of MIPS (Michaud et al. 2024): input x [batch, T, d] of 0/1 floats, output y [batch, T, classes] logits
per step. Small transformers (one causal attention layer, GPT-2 style, hand-written attention) on tasks whose
mechanism is known: input token ids [batch, n], output logits [batch, n, vocab].
Each case gets model.onnx, truth.json (the algorithm as a loop, the minimal machine's state count, head types)
and data.npy (held-out sequences drawn with another seed than training). Seeded and deterministic on one thread.
"""
import json
import math
import os
import sys
import time
import warnings

import numpy as np
import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "zoo", "trained")
T_TRAIN = 20
# Where cases are written (--variants DIR writes elsewhere).
OUT_DIR = [OUT]
N_DATA = 500

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


# ---- tasks: each maps bit sequences [B, T, d] (0/1) to class labels [B, T] -------------------------------

def parity(x):
    return (x[..., 0].cumsum(1) % 2).long()


def count_mod(k):
    return lambda x: (x[..., 0].cumsum(1) % k).long()


def running_max(x):
    return x[..., 0].cummax(1).values.long()


def add_bits(x):
    """x[..., 0] and x[..., 1] are two numbers, least significant bit first; y is the bit of their sum."""
    a, b = x[..., 0].long(), x[..., 1].long()
    carry = torch.zeros(x.shape[0], dtype=torch.long)
    out = []
    for t in range(x.shape[1]):
        s = a[:, t] + b[:, t] + carry
        out.append(s % 2)
        carry = s // 2
    return torch.stack(out, 1)


def detect(pattern):
    """1 where the last len(pattern) bits equal the pattern."""
    p = torch.tensor(pattern, dtype=torch.float32)

    def f(x):
        b = x[..., 0]
        y = torch.zeros(b.shape, dtype=torch.long)
        n = len(pattern)
        for t in range(n - 1, b.shape[1]):
            y[:, t] = (b[:, t - n + 1:t + 1] == p).all(1).long()
        return y
    return f


def paren_depth(x):
    return (2 * x[..., 0] - 1).cumsum(1).long()


# ---- sequence samplers --------------------------------------------------------------------------------------

def random_bits(d):
    return lambda B, T, g: torch.randint(0, 2, (B, T, d), generator=g).float()


def bounded_parens(k):
    """Random bracket sequences whose depth stays in [0, k]: 1 = open, 0 = close, uniform over the legal moves."""
    def sample(B, T, g):
        x = torch.zeros(B, T, 1)
        depth = torch.zeros(B, dtype=torch.long)
        for t in range(T):
            r = torch.randint(0, 2, (B,), generator=g)
            move = torch.where(depth == 0, torch.ones_like(r), torch.where(depth == k, torch.zeros_like(r), r))
            x[:, t, 0] = move.float()
            depth = depth + 2 * move - 1
        return x
    return sample


class Tagger(nn.Module):
    """A recurrent cell over the sequence and a linear read-out per step."""

    def __init__(self, cell, d, hidden, classes, vocab=None):
        super().__init__()
        self.emb = nn.Embedding(vocab, d) if vocab else None
        self.rnn = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}[cell](d, hidden, batch_first=True)
        self.head = nn.Linear(hidden, classes)

    def forward(self, x):
        h, _ = self.rnn(self.emb(x) if self.emb is not None else x)
        return self.head(h)


def truth_base(name, seed, params, hidden, extra, primitives):
    t = {
        "format": "pseudonet.zoo-truth", "version": 1, "name": name, "family": "trained", "seed": seed,
        "program": None, "primitives": primitives, "modules": [], "obfuscations": [], "domainFlag": None, "data": "data.npy",
        "size": {"parameters": params, "nonzeroParameters": params, "hiddenUnits": hidden},
    }
    t.update(extra)
    return t


def write(name, model, example, names, truth, data):
    d = os.path.join(OUT_DIR[0], name)
    os.makedirs(d, exist_ok=True)
    np.save(os.path.join(d, "data.npy"), data)
    model.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, example, os.path.join(d, "model.onnx"), opset_version=13, input_names=names,
                          output_names=["y"], dynamic_axes={names[0]: {0: "batch", 1: "steps"}, "y": {0: "batch", 1: "steps"}})
    with open(os.path.join(d, "truth.json"), "w") as f:
        f.write(json.dumps(truth, indent=1) + "\n")


def seq_accuracy(model, x, y):
    with torch.no_grad():
        p = model(x).argmax(-1)
    return float((p == y).float().mean()), float((p == y).all(1).float().mean())


def train_rnn(name, cell, d, hidden, classes, task, sampler, seed, title, algorithm, states, steps=3000, lr=1e-2, vocab=None):
    """vocab: the input is token ids below vocab, embedded (d wide) before the cell."""
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    model = Tagger(cell, d, hidden, classes, vocab)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    lossf = nn.CrossEntropyLoss()
    for step in range(steps):
        # short sequences first, then full length: long-range credit assignment is easier once short ones work
        T = min(T_TRAIN, 4 + step * T_TRAIN // (steps // 3))
        x = sampler(64, T, g)
        y = task(x)
        opt.zero_grad()
        loss = lossf(model(x).reshape(-1, classes), y.reshape(-1))
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
    model.eval()
    gt = torch.Generator().manual_seed(1000 + seed)
    xt = sampler(N_DATA, T_TRAIN, gt)
    step_acc, seq_acc = seq_accuracy(model, xt, task(xt))
    xl = sampler(N_DATA, 2 * T_TRAIN, gt)
    long_acc, long_seq = seq_accuracy(model, xl, task(xl))
    params = int(sum(p.numel() for p in model.parameters()))
    truth = truth_base(name, seed, params, hidden, {
        "title": title, "task": f"per-step classification over 0/1 sequences ({cell.upper()} {d}-{hidden}, linear head to {classes} classes)",
        "input": {"name": "x", "shape": [-1] if vocab else [-1, d]}, "output": {"name": "y", "size": classes, "kind": "onehot-per-step"},
        "domain": {"kind": "sequences", "alphabet": f"tokens below {vocab}" if vocab else "bits", "width": 1 if vocab else d, "length": T_TRAIN},
        "machine": {"algorithm": algorithm, "states": states, "cell": cell},
        "accuracy": {"heldOutSteps": step_acc, "heldOutSequences": seq_acc, "heldOutSamples": N_DATA,
                     "length40Steps": long_acc, "length40Sequences": long_seq},
    }, ["machine"])
    write(name, model, sampler(1, 5, g), ["x"], truth, xt.numpy().astype(np.int64 if vocab else np.float32))
    return f"{name}: held-out steps {step_acc:.4f}, sequences {seq_acc:.4f}; length 40: steps {long_acc:.4f}, sequences {long_seq:.4f}"


# ---- transformers -------------------------------------------------------------------------------------------

class Block(nn.Module):
    """GPT-2 style pre-LN block: fused QKV causal attention and a tanh-GELU MLP."""

    def __init__(self, d, h, ctx):
        super().__init__()
        self.h = h
        self.register_buffer("bias", torch.tril(torch.ones(ctx, ctx)).bool())
        self.ln_1 = nn.LayerNorm(d)
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d)
        self.fc = nn.Linear(d, 4 * d)
        self.proj = nn.Linear(4 * d, d)

    def heads(self, x):
        b, n, d = x.shape
        return x.view(b, n, self.h, d // self.h).transpose(1, 2)

    def forward(self, x):
        b, n, d = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(d, dim=2)
        q, k, v = self.heads(q), self.heads(k), self.heads(v)
        s = q @ k.transpose(-2, -1) / math.sqrt(d // self.h)
        s = s.masked_fill(~self.bias[:n, :n], float("-inf"))
        a = (s.softmax(-1) @ v).transpose(1, 2).reshape(b, n, d)
        x = x + self.c_proj(a)
        return x + self.proj(nn.functional.gelu(self.fc(self.ln_2(x)), approximate="tanh"))


class Tiny(nn.Module):
    def __init__(self, vocab, d, h, ctx, out):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(ctx, d)
        self.block = Block(d, h, ctx)
        self.ln_f = nn.LayerNorm(d)
        self.head = nn.Linear(d, out, bias=False)

    def forward(self, ids):
        pos = torch.arange(ids.shape[1]).unsqueeze(0)
        return self.head(self.ln_f(self.block(self.wte(ids) + self.wpe(pos))))


def train_attn(name, vocab, d, h, n, task, seed, title, algorithm, heads, steps=3000, lr=3e-3, bos=False):
    """task(ids) -> (labels [B, n], mask [B, n] of positions the loss and the accuracy count). bos: position 0 holds
    the last token id (a beginning-of-sequence marker), the others ids below it."""
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)

    def sample(B, gen):
        ids = torch.randint(0, vocab - 1 if bos else vocab, (B, n), generator=gen)
        if bos:
            ids[:, 0] = vocab - 1
        return ids
    model = Tiny(vocab, d, h, n, vocab)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    for step in range(steps):
        ids = sample(128, g)
        y, m = task(ids)
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(ids)[m], y[m])
        loss.backward()
        opt.step()
        sched.step()
    model.eval()
    ids = sample(N_DATA, torch.Generator().manual_seed(1000 + seed))
    y, m = task(ids)
    with torch.no_grad():
        p = model(ids).argmax(-1)
    acc = float((p == y)[m].float().mean())
    params = int(sum(p.numel() for p in model.parameters()))
    truth = truth_base(name, seed, params, d, {
        "title": title, "task": f"next-token classification over {vocab} tokens, {n} positions (1 causal attention layer, {h} head(s), d={d})",
        "input": {"name": "ids", "shape": [-1]}, "output": {"name": "y", "size": vocab, "kind": "onehot-per-step"},
        "domain": {"kind": "tokens", "vocab": vocab, "length": n},
        "algorithm": algorithm, "heads": heads,
        "accuracy": {"heldOutPositions": acc, "heldOutSamples": N_DATA},
    }, ["attend"])
    write(name, model, sample(1, g), ["ids"], truth, ids.numpy().astype(np.int64))
    return f"{name}: held-out accuracy {acc:.4f} (positions the task defines)"


def prev_token(ids):
    y = torch.roll(ids, 1, dims=1)
    m = torch.ones_like(ids, dtype=torch.bool)
    m[:, 0] = False
    return y, m


def occurrences(ids):
    """After a BOS at position 0: y[t] = occurrences of x[t] in x[1..t], capped at 4."""
    x = ids[:, 1:]
    same = (x[:, :, None] == x[:, None, :]) & torch.tril(torch.ones(x.shape[1], x.shape[1], dtype=torch.bool))
    y = torch.zeros_like(ids)
    y[:, 1:] = same.sum(-1).clamp(max=4)
    m = torch.ones_like(ids, dtype=torch.bool)
    m[:, 0] = False
    return y, m


def first_token(ids):
    y = ids[:, :1].expand(-1, ids.shape[1])
    m = torch.ones_like(ids, dtype=torch.bool)
    m[:, 0] = False
    return y, m


JOBS = {
    "parity_rnn": lambda: train_rnn("parity_rnn", "rnn", 1, 8, 2, parity, random_bits(1), 11,
                                    "y[t] = parity of x[0..t] (tanh RNN 1-8, head to 2 classes)",
                                    "state = 0; for x in xs: state = (state + x) % 2; emit(state)", 2, steps=6000),
    "count3_lstm": lambda: train_rnn("count3_lstm", "lstm", 1, 8, 3, count_mod(3), random_bits(1), 12,
                                     "y[t] = number of ones in x[0..t] mod 3 (LSTM 1-8, head to 3 classes)",
                                     "state = 0; for x in xs: state = (state + x) % 3; emit(state)", 3),
    "runmax_rnn": lambda: train_rnn("runmax_rnn", "rnn", 1, 4, 2, running_max, random_bits(1), 13,
                                    "y[t] = max(x[0..t]) (tanh RNN 1-4, head to 2 classes)",
                                    "state = 0; for x in xs: state = max(state, x); emit(state)", 2),
    "add_gru": lambda: train_rnn("add_gru", "gru", 2, 8, 2, add_bits, random_bits(2), 14,
                                 "y[t] = bit t of a + b, a = x[:, 0] and b = x[:, 1] least significant bit first (GRU 2-8, head to 2 classes)",
                                 "state = 0; for (a, b) in xs: state = a + b + state // 2; emit(state % 2)", 4),
    "pattern_lstm": lambda: train_rnn("pattern_lstm", "lstm", 1, 8, 2, detect([1, 0, 1]), random_bits(1), 15,
                                      "y[t] = 1 when x[t-2..t] = 1, 0, 1 (LSTM 1-8, head to 2 classes)",
                                      "state = 0; for x in xs: state = next[state][x] (KMP automaton of 101); emit(state == 3)", 4),
    "paren_gru": lambda: train_rnn("paren_gru", "gru", 1, 8, 4, paren_depth, bounded_parens(3), 16,
                                   "y[t] = bracket depth after x[0..t], 1 = open, 0 = close, depth kept in [0, 3] (GRU 1-8, head to 4 classes)",
                                   "state = 0; for x in xs: state = state + 2 * x - 1; emit(state)", 4),
    "prevtok_attn": lambda: train_attn("prevtok_attn", 8, 16, 1, 8, prev_token, 21,
                                       "y[t] = x[t-1]: copy the previous token (1 layer, 1 head)",
                                       "y[t] = x[t-1]", ["previous-token"]),
    "firsttok_attn": lambda: train_attn("firsttok_attn", 8, 16, 1, 8, first_token, 22,
                                        "y[t] = x[0]: copy the first token (1 layer, 1 head)",
                                        "y[t] = x[0]", ["first-token"]),
    "count_attn": lambda: train_attn("count_attn", 5, 16, 1, 8, occurrences, 23,
                                     "y[t] = occurrences of x[t] in x[1..t] (capped at 4) after a BOS token 4 at position 0 (1 layer, 1 head)",
                                     "y[t] = min(4, count(x[1..t] == x[t])): attend to the earlier copies of x[t] and to BOS; 1 / (count + 1) of the attention lands on BOS",
                                     ["content-based"], steps=4000, bos=True),
}


# The recurrent tasks again, for variants: (task, classes, width d, sampler, states, algorithm).
TASKS = {
    "parity": (parity, 2, 1, random_bits(1), 2, "state = (state + x) % 2; emit(state)"),
    "count3": (count_mod(3), 3, 1, random_bits(1), 3, "state = (state + x) % 3; emit(state)"),
    "runmax": (running_max, 2, 1, random_bits(1), 2, "state = max(state, x); emit(state)"),
    "add": (add_bits, 2, 2, random_bits(2), 4, "state = a + b + state // 2; emit(state % 2)"),
    "pattern": (detect([1, 0, 1]), 2, 1, random_bits(1), 4, "KMP automaton of 101"),
    "paren": (paren_depth, 4, 1, bounded_parens(3), 4, "state = state + 2 * x - 1; emit(state)"),
}


def random_ids(vocab):
    return lambda B, T, g: torch.randint(0, vocab, (B, T), generator=g)


def count_token(v, k):
    return lambda ids: ((ids == v).long().cumsum(1) % k)


def variants(out_dir, only=()):
    """Every task with every cell at hidden 16 and other seeds than the zoo's: the generalisation check of the
    machine reading (bench: zoo/bench-fsm.ts). Not committed; written to out_dir."""
    OUT_DIR[0] = out_dir
    for task, (fn, classes, d, sampler, states, algo) in TASKS.items():
        for k, cell in enumerate(["rnn", "gru", "lstm"]):
            name = f"{task}_{cell}16"
            if only and name not in only:
                continue
            t, c = time.time(), time.process_time()
            msg = train_rnn(name, cell, d, 16, classes, fn, sampler, 100 + 10 * k + len(task), f"{task} ({cell.upper()} {d}-16)", algo, states,
                            steps=6000 if cell == "rnn" else 3000)
            print(f"{msg}  [{time.time() - t:.1f} s wall, {time.process_time() - c:.1f} s cpu]", flush=True)
    # Token ids through an embedding: counting one token's occurrences mod 3.
    for k, cell in enumerate(["gru", "lstm"]):
        name = f"count2tok_{cell}16"
        if only and name not in only:
            continue
        t, c = time.time(), time.process_time()
        msg = train_rnn(name, cell, 6, 16, 3, count_token(2, 3), random_ids(4), 200 + k, f"ones of token 2 mod 3 over ids 0..3 ({cell.upper()}, embedding 6, hidden 16)",
                        "state = (state + (x == 2)) % 3; emit(state)", 3, vocab=4)
        print(f"{msg}  [{time.time() - t:.1f} s wall, {time.process_time() - c:.1f} s cpu]", flush=True)


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "--variants":
        return variants(sys.argv[2], set(sys.argv[3:]))
    only = set(sys.argv[1:])
    total = time.time()
    for name, job in JOBS.items():
        if only and name not in only:
            continue
        t, c = time.time(), time.process_time()
        msg = job()
        print(f"{msg}  [{time.time() - t:.1f} s wall, {time.process_time() - c:.1f} s cpu]", flush=True)
    print(f"total {time.time() - total:.1f} s wall, {time.process_time():.1f} s cpu")


if __name__ == "__main__":
    main()
