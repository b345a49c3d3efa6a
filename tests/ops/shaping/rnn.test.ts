// RNN, GRU and LSTM: scalar cases written out by hand, structural properties (sequence_lens, directions,
// layout), errors, and random seeded comparisons with onnxruntime over directions, activations and options.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { OpError } from "../../../src/errors.ts";
import { f32, tensor, type Tensor } from "../../../src/graph/tensor.ts";
import type { Attr } from "../../../src/graph/graph.ts";
import { mismatch } from "../../helpers/allclose.ts";
import { randnArray, rng } from "../../helpers/rng.ts";
import { A, infer, ortBatch, run, vals, type OpCase } from "./harness.ts";

const sig = (x: number) => 1 / (1 + Math.exp(-x));
const close = (got: (number | string)[], want: number[]) =>
  assert.ok(got.length === want.length && got.every((g, i) => Math.abs((g as number) - want[i]) < 1e-6), `got [${got}], want [${want}]`);
const GATES: Record<string, number> = { RNN: 1, GRU: 3, LSTM: 4 };

describe("hand-checked cells", () => {
  it("RNN with Relu and identity weights is relu(x)", () => {
    const X = f32([2, 1, 2], [1, -2, -3, 4]);
    const W = f32([1, 2, 2], [1, 0, 0, 1]);
    const R = f32([1, 2, 2], [0, 0, 0, 0]);
    const [Y, Yh] = run("RNN", [X, W, R], { hidden_size: A.int(2), activations: A.strings(["Relu"]) }, 7, 2);
    assert.deepEqual(Y.shape, [2, 1, 1, 2]);
    assert.deepEqual(vals(Y), [1, 0, 0, 4]);
    assert.deepEqual(vals(Yh), [0, 4]);
  });
  it("RNN scalar recurrence with bias and initial state", () => {
    const [w, r, wb, rb, h0] = [0.5, -0.8, 0.1, 0.2, 0.3];
    const xs = [1, 2, -1];
    const [Y] = run("RNN", [f32([3, 1, 1], xs), f32([1, 1, 1], [w]), f32([1, 1, 1], [r]), f32([1, 2], [wb, rb]), undefined, f32([1, 1, 1], [h0])], { hidden_size: A.int(1) }, 7, 2);
    let h = h0;
    const want = xs.map((x) => (h = Math.tanh(w * x + r * h + wb + rb)));
    close(vals(Y), want);
  });
  it("LSTM scalar cell (gates i, o, f, c) with peepholes", () => {
    const [wi, wo, wf, wc] = [0.5, -0.3, 0.8, 1.1];
    const [ri, ro, rf, rc] = [0.2, 0.4, -0.6, 0.7];
    const [pi, po, pf] = [0.1, -0.2, 0.3];
    const xs = [1, -2];
    const outs = run("LSTM", [f32([2, 1, 1], xs), f32([1, 4, 1], [wi, wo, wf, wc]), f32([1, 4, 1], [ri, ro, rf, rc]), undefined, undefined, undefined, undefined, f32([1, 3], [pi, po, pf])],
      { hidden_size: A.int(1) }, 7, 3);
    let [h, c] = [0, 0];
    const want = xs.map((x) => {
      const i = sig(wi * x + ri * h + pi * c);
      const f = sig(wf * x + rf * h + pf * c);
      c = f * c + i * Math.tanh(wc * x + rc * h);
      const o = sig(wo * x + ro * h + po * c);
      return (h = o * Math.tanh(c));
    });
    close(vals(outs[0]), want);
    close(vals(outs[1]), [h]);
    close(vals(outs[2]), [c]);
  });
  for (const lbr of [0, 1]) {
    it(`GRU scalar cell (gates z, r, h), linear_before_reset=${lbr}`, () => {
      const [wz, wr, wh] = [0.5, -0.4, 0.9];
      const [rz, rr, rh] = [0.3, 0.6, -0.7];
      const B = [0.1, 0.2, 0.3, -0.1, 0.05, 0.4]; // Wb z r h, Rb z r h
      const xs = [0.5, -1.5, 2];
      const [Y] = run("GRU", [f32([3, 1, 1], xs), f32([1, 3, 1], [wz, wr, wh]), f32([1, 3, 1], [rz, rr, rh]), f32([1, 6], B)],
        { hidden_size: A.int(1), linear_before_reset: A.int(lbr) }, 7, 2);
      let h = 0;
      const want = xs.map((x) => {
        const z = sig(wz * x + rz * h + B[0] + B[3]);
        const r = sig(wr * x + rr * h + B[1] + B[4]);
        const hh = lbr ? Math.tanh(wh * x + r * (rh * h + B[5]) + B[2]) : Math.tanh(wh * x + rh * (r * h) + B[5] + B[2]);
        return (h = (1 - z) * hh + z * h);
      });
      close(vals(Y), want);
    });
  }
});

/** Random weights for an op with D directions. */
function weights(r: () => number, op: string, D: number, I: number, H: number): Tensor[] {
  const G = GATES[op] * H;
  return [f32([D, G, I], randnArray(r, D * G * I, 0.5)), f32([D, G, H], randnArray(r, D * G * H, 0.5)), f32([D, 2 * G], randnArray(r, D * 2 * G, 0.3))];
}

/** Rows [t0, t1) of a [seq, ...] tensor, optionally reversed in time. */
function timeSlice(t: Tensor, t0: number, t1: number, reverse = false): Tensor {
  const row = t.data.length / t.shape[0];
  const rows = Array.from({ length: t1 - t0 }, (_, k) => (reverse ? t1 - 1 - k : t0 + k));
  return f32([t1 - t0, ...t.shape.slice(1)], rows.flatMap((i) => Array.from((t.data as Float32Array).subarray(i * row, (i + 1) * row))));
}

describe("structure", () => {
  const r = rng(7);
  for (const op of ["RNN", "GRU", "LSTM"]) {
    it(`${op}: reverse = forward on reversed time; bidirectional stacks both`, () => {
      const [W, R, B] = weights(r, op, 1, 3, 2);
      const X = f32([4, 1, 3], randnArray(r, 12));
      const nOut = op === "LSTM" ? 3 : 2;
      const attrs = { hidden_size: A.int(2) };
      const [fwd] = run(op, [X, W, R, B], attrs, 7, nOut);
      const [rev] = run(op, [timeSlice(X, 0, 4, true), W, R, B], { ...attrs, direction: A.string("reverse") }, 7, nOut);
      assert.equal(mismatch(timeSlice(rev, 0, 4, true), fwd, 1e-6, 1e-7), undefined);
      // The same weights for both directions.
      const both = (t: Tensor) => f32([2, ...t.shape.slice(1)], [...vals(t), ...vals(t)] as number[]);
      const [W2, R2, B2] = [both(W), both(R), both(B)];
      const [bi] = run(op, [X, W2, R2, B2], { ...attrs, direction: A.string("bidirectional") }, 7, nOut);
      const [back] = run(op, [X, W, R, B], { ...attrs, direction: A.string("reverse") }, 7, nOut);
      assert.deepEqual(bi.shape, [4, 2, 1, 2]);
      // Y[t, 0] is the forward run, Y[t, 1] the reverse run.
      for (let t = 0; t < 4; t++) {
        close(vals(bi).slice(t * 4, t * 4 + 2), vals(fwd).slice(t * 2, t * 2 + 2) as number[]);
        close(vals(bi).slice(t * 4 + 2, t * 4 + 4), vals(back).slice(t * 2, t * 2 + 2) as number[]);
      }
    });
    it(`${op}: sequence_lens stop each batch entry early, zeros after its end`, () => {
      const [W, R, B] = weights(r, op, 1, 2, 3);
      const X = f32([5, 2, 2], randnArray(r, 20));
      const nOut = op === "LSTM" ? 3 : 2;
      for (const direction of ["forward", "reverse"]) {
        const attrs = { hidden_size: A.int(3), direction: A.string(direction) };
        const outs = run(op, [X, W, R, B, tensor("int32", [2], [5, 3])], attrs, 7, nOut);
        // Entry 1 alone, cut to its 3 steps.
        const x1 = f32([3, 1, 2], Array.from({ length: 3 }, (_, t) => [X.data[(t * 2 + 1) * 2], X.data[(t * 2 + 1) * 2 + 1]]).flat());
        const solo = run(op, [x1, W, R, B], attrs, 7, nOut);
        const y = vals(outs[0]) as number[];
        for (let t = 0; t < 5; t++) {
          const got = y.slice((t * 2 + 1) * 3, (t * 2 + 2) * 3);
          if (t < 3) close(got, (vals(solo[0]) as number[]).slice(t * 3, t * 3 + 3));
          else assert.deepEqual(got, [0, 0, 0]);
        }
        close((vals(outs[1]) as number[]).slice(3, 6), vals(solo[1]) as number[]);
      }
    });
    it(`${op}: layout 1 (batch first) = layout 0 on transposed data`, () => {
      const [W, R, B] = weights(r, op, 2, 2, 3);
      const [seq, batch] = [3, 2];
      const X = f32([seq, batch, 2], randnArray(r, 12));
      const Xb = f32([batch, seq, 2], Array.from({ length: 12 }, (_, k) => {
        const [b, t, i] = [Math.floor(k / 6), Math.floor(k / 2) % 3, k % 2];
        return X.data[(t * batch + b) * 2 + i] as number;
      }));
      const nOut = op === "LSTM" ? 3 : 2;
      const attrs = { hidden_size: A.int(3), direction: A.string("bidirectional") };
      const a = run(op, [X, W, R, B], attrs, 14, nOut);
      const b = run(op, [Xb, W, R, B], { ...attrs, layout: A.int(1) }, 14, nOut);
      assert.deepEqual(b[0].shape, [batch, seq, 2, 3]);
      assert.deepEqual(b[1].shape, [batch, 2, 3]);
      // Y[b, t, d, h] (layout 1) = Y[t, d, b, h] (layout 0)
      for (let t = 0; t < seq; t++) for (let d = 0; d < 2; d++) for (let bb = 0; bb < batch; bb++) {
        close(vals(b[0]).slice(((bb * seq + t) * 2 + d) * 3, ((bb * seq + t) * 2 + d) * 3 + 3), (vals(a[0]) as number[]).slice(((t * 2 + d) * batch + bb) * 3, ((t * 2 + d) * batch + bb) * 3 + 3));
      }
    });
  }
  it("errors name the node and what was expected", () => {
    const [W, R] = weights(r, "LSTM", 1, 2, 3);
    const X = f32([2, 1, 2], [1, 2, 3, 4]);
    assert.throws(() => run("LSTM", [X, W, R], { hidden_size: A.int(4) }, 7, 3), (e: unknown) => e instanceof OpError && /LSTM_test.*W has shape/.test(e.message));
    assert.throws(() => run("LSTM", [X, W, R], { hidden_size: A.int(3), activations: A.strings(["Sigmoid", "Gelu", "Tanh"]) }, 7, 3), /activation 'Gelu'/);
    assert.throws(() => run("LSTM", [X, W, R, undefined, tensor("int32", [1], [3])], { hidden_size: A.int(3) }, 7, 3), /sequence_lens\[0\] = 3/);
    assert.throws(() => run("LSTM", [X, W, R], { hidden_size: A.int(3), direction: A.string("both") }, 7, 3), /direction 'both'/);
    const [W2, R2] = weights(r, "RNN", 2, 2, 3);
    assert.throws(() => run("RNN", [X, W2, R2], { hidden_size: A.int(3), direction: A.string("bidirectional"), activations: A.strings(["Relu"]) }, 7, 2),
      /expected 2 activations for bidirectional RNN/);
  });
  it("shape rule", () => {
    const outs = infer("LSTM", [{ dtype: "float32", shape: ["seq", "b", 32] }, { dtype: "float32", shape: [2, 512, 32] }],
      { hidden_size: A.int(128), direction: A.string("bidirectional") }, 9, 3);
    assert.deepEqual(outs.map((o) => o.shape), [["seq", 2, "b", 128], [2, "b", 128], [2, "b", 128]]);
    const gru = infer("GRU", [{ dtype: "float32", shape: ["b", "seq", 8] }, { dtype: "float32", shape: [1, 12, 8] }], { layout: A.int(1) }, 14, 2);
    assert.deepEqual(gru.map((o) => o.shape), [["b", "seq", 1, 4], ["b", 1, 4]]);
  });
});

/** Random cases for one op: every direction, with and without the optional inputs, plus option variants. */
function oracleCases(r: () => number, op: string): OpCase[] {
  const out: OpCase[] = [];
  const nOut = op === "LSTM" ? 3 : 2;
  const acts: Record<string, string[][]> = {
    RNN: [["Relu"], ["Sigmoid"], ["LeakyRelu"], ["HardSigmoid"], ["Elu"], ["Softsign"], ["Softplus"], ["ThresholdedRelu"], ["Affine"], ["ScaledTanh"]],
    GRU: [["Sigmoid", "Relu"], ["HardSigmoid", "Tanh"], ["Sigmoid", "Softsign"]],
    LSTM: [["Sigmoid", "Relu", "Tanh"], ["HardSigmoid", "Tanh", "Softplus"], ["Sigmoid", "Elu", "ScaledTanh"]],
  };
  for (const direction of ["forward", "reverse", "bidirectional"]) {
    const D = direction === "bidirectional" ? 2 : 1;
    for (let variant = 0; variant < 6; variant++) {
      const [seq, batch, I, H] = [1 + Math.floor(r() * 5), 1 + Math.floor(r() * 3), 1 + Math.floor(r() * 4), 1 + Math.floor(r() * 4)];
      const [W, R, B] = weights(r, op, D, I, H);
      const X = f32([seq, batch, I], randnArray(r, seq * batch * I));
      const attrs: Record<string, Attr> = { hidden_size: A.int(H), direction: A.string(direction) };
      const inputs: (Tensor | undefined)[] = [X, W, R, variant === 1 ? undefined : B];
      if (variant >= 2) {
        inputs.push(tensor("int32", [batch], Array.from({ length: batch }, () => Math.floor(r() * (seq + 1)))));
        inputs.push(f32([D, batch, H], randnArray(r, D * batch * H)));
        if (op === "LSTM") inputs.push(f32([D, batch, H], randnArray(r, D * batch * H)), f32([D, 3 * H], randnArray(r, D * 3 * H, 0.5)));
      }
      if (variant === 3) attrs.clip = A.float(0.5 + r());
      if (variant === 4) {
        const list = acts[op][Math.floor(r() * acts[op].length)];
        attrs.activations = A.strings(D === 2 ? [...list, ...list.slice().reverse()] : list);
        attrs.activation_alpha = A.floats(list.map(() => 0.2 + r()));
        attrs.activation_beta = A.floats(list.map(() => r()));
      }
      if (variant === 5 && op === "GRU") attrs.linear_before_reset = A.int(1);
      if (variant === 5 && op === "LSTM") attrs.input_forget = A.int(1);
      out.push({ op, inputs, attrs, nOut });
    }
  }
  return out;
}

describe("recurrent ops vs onnxruntime (random seeded weights and inputs)", () => {
  for (const op of ["RNN", "GRU", "LSTM"]) {
    it(`${op}: 3 directions x (plain, no bias, lens+initial states, clip, activations, variant)`, async () => {
      const list = oracleCases(rng(op.length * 1000 + 1), op);
      const res = await ortBatch(list, 7);
      res.forEach(([ours, theirs], k) => {
        const where = `${op} case ${k} (${JSON.stringify(Object.fromEntries(Object.entries(list[k].attrs!).map(([n, a]) => [n, a.value])))})`;
        theirs.forEach((t, j) => assert.equal(mismatch(ours[j], t, 1e-4, 1e-5), undefined, `${where} output ${j}`));
      });
    });
  }
});
