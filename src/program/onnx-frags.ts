// ONNX fragments for primitives the Net IR has no layer kind for (argmax, max/min, sort, threshold, logic,
// piecewise): each becomes an opaque layer whose small Graph computes exactly what the kernel computes.
import type { Attr, Graph, Node } from "../graph/graph.ts";
import { f32, tensor, type Tensor } from "../graph/tensor.ts";
import { UserError } from "../errors.ts";
import type { PrimStmt, ValueType } from "./program.ts";
import { dtypeOfType, shapeOfType, type SeqParams } from "./program.ts";
import { isSeqKind, seqGraph } from "./seq-prim.ts";

class FragBuilder {
  nodes: Node[] = [];
  inits = new Map<string, Tensor>();
  private k = 0;
  node(op: string, inputs: string[], attrs: Record<string, Attr> = {}): string {
    const out = `t${this.k++}`;
    this.nodes.push({ name: `${op}_${this.k}`, op, domain: "", inputs, outputs: [out], attrs });
    return out;
  }
  constant(t: Tensor): string {
    const name = `c${this.inits.size}`;
    this.inits.set(name, t);
    return name;
  }
  scalar(v: number): string {
    return this.constant(f32([], [v]));
  }
}

const FLOAT = 1; // TensorProto.FLOAT

function requireOpset(opset: number, min: number, what: string): void {
  if (opset < min) throw new UserError(`cannot write ${what} into reconstructed.onnx at opset ${opset}: it needs opset ${min} or later`);
}

/** The Graph fragment for a primitive with no Net layer kind, at the given default-domain opset. */
export function fragmentFor(s: PrimStmt, argTypes: ValueType[], opset: number): Graph {
  const b = new FragBuilder();
  const ins = argTypes.map((_, i) => `in${i}`);
  const p = s.prim;
  if (isSeqKind(p.kind)) {
    const g = seqGraph(p.kind, p.params as SeqParams, ins, "y", opset, s.prim.id);
    return { ...g, inputs: argTypes.map((t, i) => ({ name: ins[i], dtype: dtypeOfType(t), shape: null })), outputs: [{ name: "y", dtype: dtypeOfType(s.out.type), shape: null }] };
  }
  let out: string;
  switch (p.kind) {
    case "argmax": {
      const attrs: Record<string, Attr> = { axis: { kind: "int", value: p.params.axis + 1 }, keepdims: { kind: "int", value: p.params.keepdims ? 1 : 0 } };
      if (p.params.selectLastIndex) {
        requireOpset(opset, 12, "argmax(select_last_index)");
        attrs.select_last_index = { kind: "int", value: 1 };
      }
      out = b.node("ArgMax", [ins[0]], attrs);
      break;
    }
    case "max": case "min":
      out = ins.length === 1 ? b.node("Identity", ins) : b.node(p.kind === "max" ? "Max" : "Min", ins);
      break;
    case "sort": {
      requireOpset(opset, 11, "sort");
      const n = argTypes.reduce((acc, t) => { const sh = shapeOfType(t); return acc + sh[sh.length - 1]; }, 0);
      const k = b.constant(tensor("int64", [1], [n]));
      const name = `TopK_${b.nodes.length}`;
      const src = ins.length === 1 ? ins[0] : b.node("Concat", ins, { axis: { kind: "int", value: -1 } });
      out = "sorted";
      b.nodes.push({
        name, op: "TopK", domain: "", inputs: [src, k], outputs: [out, "sorted_idx"],
        attrs: { axis: { kind: "int", value: -1 }, largest: { kind: "int", value: p.params.descending ? 1 : 0 }, sorted: { kind: "int", value: 1 } },
      });
      break;
    }
    case "threshold": {
      const c = p.params.c;
      const cName = b.constant(c.data.length === 1 ? f32([], [c.data[0]]) : f32(shapeOfType(argTypes[0]), c.data));
      // Comparisons are false for NaN, as in the kernels (so x >= c is not written as not(x < c)).
      let cmp: string;
      if (p.params.strict) cmp = b.node("Greater", [ins[0], cName]);
      else if (opset >= 12) cmp = b.node("GreaterOrEqual", [ins[0], cName]);
      else {
        requireOpset(opset, 11, "threshold x >= c");
        cmp = b.node("Or", [b.node("Greater", [ins[0], cName]), b.node("Equal", [ins[0], cName])]);
      }
      out = b.node("Cast", [cmp], { to: { kind: "int", value: FLOAT } });
      break;
    }
    case "logic": {
      const half = b.scalar(0.5);
      const bits = ins.map((i) => b.node("Greater", [i, half]));
      let acc = bits[0];
      if (p.params.op === "not") acc = b.node("Not", [acc]);
      else if (p.params.op === "maj") {
        // more than half true: sum of the 0/1 values > n / 2
        const ones = bits.map((x) => b.node("Cast", [x], { to: { kind: "int", value: FLOAT } }));
        acc = b.node("Greater", [ones.length === 1 ? ones[0] : b.node("Sum", ones), b.scalar(ins.length / 2)]);
      } else for (const x of bits.slice(1)) acc = b.node(p.params.op === "and" ? "And" : p.params.op === "or" ? "Or" : "Xor", [acc, x]);
      out = b.node("Cast", [acc], { to: { kind: "int", value: FLOAT } });
      break;
    }
    case "piecewise": {
      const { breakpoints: bp, slopes, value0 } = p.params;
      const x = ins[0];
      if (bp.length === 0) {
        out = b.node("Add", [b.node("Mul", [x, b.scalar(slopes[0])]), b.scalar(value0)]);
        break;
      }
      // value0 + s0 * min(x - b0, 0) + sum_j s_{j+1} * (clip(x, b_j, b_{j+1}) - b_j)
      let acc = b.node("Add", [b.node("Mul", [b.node("Min", [b.node("Sub", [x, b.scalar(bp[0])]), b.scalar(0)]), b.scalar(slopes[0])]), b.scalar(value0)]);
      for (let j = 0; j < bp.length; j++) {
        let c = b.node("Max", [x, b.scalar(bp[j])]);
        if (j + 1 < bp.length) c = b.node("Min", [c, b.scalar(bp[j + 1])]);
        acc = b.node("Add", [acc, b.node("Mul", [b.node("Sub", [c, b.scalar(bp[j])]), b.scalar(slopes[j + 1])])]);
      }
      out = acc;
      break;
    }
    case "pick": {
      const idx = b.constant(tensor("int64", [p.params.indices.length], p.params.indices));
      out = b.node("Gather", [ins[0], idx], { axis: { kind: "int", value: -1 } });
      break;
    }
    case "lincomb": {
      const { coefs, bias } = p.params;
      let acc = b.node("Mul", [ins[0], b.scalar(coefs[0])]);
      for (let i = 1; i < ins.length; i++) acc = b.node("Add", [acc, b.node("Mul", [ins[i], b.scalar(coefs[i])])]);
      out = b.node("Add", [acc, b.scalar(bias)]);
      break;
    }
    case "onehot": {
      // (index == [0, 1, ..., n-1]) as floats, the index first flattened to [batch, 1].
      const flat = b.node("Reshape", [ins[0], b.constant(tensor("int64", [2], [0, -1]))]);
      const range = b.constant(tensor("int64", [p.params.n], Array.from({ length: p.params.n }, (_, i) => i)));
      out = b.node("Cast", [b.node("Equal", [b.node("Cast", [flat], { to: { kind: "int", value: 7 } }), range])], { to: { kind: "int", value: FLOAT } });
      break;
    }
    default:
      throw new Error(`fragmentFor: ${p.kind} has a Net layer kind and needs no fragment`);
  }
  return {
    name: s.prim.id,
    inputs: argTypes.map((t, i) => ({ name: ins[i], dtype: dtypeOfType(t), shape: ["batch", ...shapeOfType(t)] })),
    outputs: [{ name: out, dtype: dtypeOfType(s.out.type), shape: ["batch", ...shapeOfType(s.out.type)] }],
    nodes: b.nodes,
    initializers: b.inits,
    valueInfo: [],
  };
}
