// Structural checks of a Program: names defined before use, arities, and params consistent with the
// value types they act on. Run on every program.json load, so a hand-edited file fails with a clear path.
import { sizeOf } from "../graph/tensor.ts";
import { FormatError } from "./json-check.ts";
import { shapeOfType, type Fn, type PrimStmt, type Program, type ValueType } from "./program.ts";

/** Throw a FormatError (path-prefixed) at the first inconsistency in the program. */
export function checkProgram(p: Program, path = "program"): void {
  const names = new Set<string>();
  p.functions.forEach((f, i) => {
    if (names.has(f.name)) throw new FormatError(`${path}.functions[${i}].name`, `function '${f.name}' is defined twice`);
    names.add(f.name);
  });
  const fns = new Map(p.functions.map((f) => [f.name, f]));
  const entry = fns.get(p.entry);
  if (!entry) throw new FormatError(`${path}.entry`, `entry function '${p.entry}' is not among the functions (${[...names].join(", ")})`);
  if (entry.params.length !== p.inputs.length) {
    throw new FormatError(`${path}.entry`, `'${p.entry}' takes ${entry.params.length} parameters but the model has ${p.inputs.length} inputs`);
  }
  entry.params.forEach((v, i) => {
    const s = shapeOfType(v.type);
    if (s.join(",") !== p.inputs[i].shape.join(",")) {
      throw new FormatError(`${path}.inputs[${i}]`, `shape [${p.inputs[i].shape}] differs from parameter '${v.name}' of '${p.entry}' ([${s}])`);
    }
  });
  if (entry.returns.length !== p.outputs.length) {
    throw new FormatError(`${path}.entry`, `'${p.entry}' returns ${entry.returns.length} values but the model has ${p.outputs.length} outputs`);
  }
  const ids = new Set<string>();
  p.functions.forEach((f, i) => checkFn(f, `${path}.functions[${i}]`, fns, ids));
}

function checkFn(f: Fn, path: string, fns: Map<string, Fn>, ids: Set<string>): void {
  const types = new Map<string, ValueType>();
  const define = (name: string, t: ValueType, at: string) => {
    if (types.has(name)) throw new FormatError(at, `variable '${name}' is assigned twice in '${f.name}'`);
    types.set(name, t);
  };
  f.params.forEach((v, i) => define(v.name, v.type, `${path}.params[${i}]`));
  f.body.forEach((s, i) => {
    const at = `${path}.body[${i}]`;
    const argTypes = s.args.map((a, k) => {
      const t = types.get(a);
      if (!t) throw new FormatError(`${at}.args[${k}]`, `'${a}' is used before it is assigned`);
      return t;
    });
    if (s.kind === "call") {
      const callee = fns.get(s.fn);
      if (!callee) throw new FormatError(`${at}.fn`, `calls unknown function '${s.fn}'`);
      if (callee.params.length !== s.args.length) throw new FormatError(`${at}.args`, `'${s.fn}' takes ${callee.params.length} arguments, got ${s.args.length}`);
      if (callee.returns.length !== s.outs.length) throw new FormatError(`${at}.outs`, `'${s.fn}' returns ${callee.returns.length} values, ${s.outs.length} names given`);
      s.outs.forEach((v, k) => define(v.name, v.type, `${at}.outs[${k}]`));
    } else {
      if (ids.has(s.prim.id)) throw new FormatError(`${at}.prim.id`, `primitive id '${s.prim.id}' is used twice`);
      ids.add(s.prim.id);
      checkPrim(s, argTypes, at);
      define(s.out.name, s.out.type, `${at}.out`);
    }
  });
  f.returns.forEach((r, i) => {
    if (!types.has(r)) throw new FormatError(`${path}.returns[${i}]`, `returns '${r}', which is never assigned`);
  });
}

function arity(s: PrimStmt): [number, number] {
  switch (s.prim.kind) {
    case "add": case "max": case "min": case "concat": case "sort": case "lincomb": return [1, Infinity];
    case "logic": return s.prim.params.op === "not" ? [1, 1] : s.prim.params.op === "maj" ? [3, Infinity] : [2, Infinity];
    case "opaque": { const n = s.prim.params.graph.inputs.length; return [n, n]; }
    case "embed": case "layer_norm": case "gelu": case "linear": case "split_heads": case "merge_heads": case "attend": case "slice": case "lstm": case "gru": case "rnn": case "transpose": case "cast": case "zeros": case "positions": case "pointwise": case "unsqueeze": case "squeeze": case "add_const": case "concat_axis": case "mask_window": case "not": {
      const n = s.prim.params.slots.length;
      return [n, n];
    }
    default: return [1, 1];
  }
}

function checkPrim(s: PrimStmt, args: ValueType[], at: string): void {
  const [lo, hi] = arity(s);
  if (args.length < lo || args.length > hi) {
    const want = lo === hi ? `${lo}` : hi === Infinity ? `at least ${lo}` : `${lo} to ${hi}`;
    throw new FormatError(`${at}.args`, `${s.prim.kind} takes ${want} argument(s), got ${args.length}`);
  }
  const inShape = shapeOfType(args[0]);
  const outShape = shapeOfType(s.out.type);
  const p = `${at}.prim.params`;
  const prim = s.prim;
  switch (prim.kind) {
    case "affine": {
      const { W, b } = prim.params;
      if (W.shape.length !== 2) throw new FormatError(`${p}.W`, `'${W.name}' should be a matrix [out, in], got shape [${W.shape}]`);
      if (sizeOf(b.shape) !== W.shape[0]) throw new FormatError(`${p}.b`, `'${b.name}' has ${sizeOf(b.shape)} values for ${W.shape[0]} outputs`);
      if (inShape[inShape.length - 1] !== W.shape[1]) {
        throw new FormatError(`${p}.W`, `'${W.name}' takes ${W.shape[1]} inputs but '${s.args[0]}' has shape [${inShape}]`);
      }
      if (outShape[outShape.length - 1] !== W.shape[0]) {
        throw new FormatError(`${at}.out`, `'${s.out.name}' has shape [${outShape}] but '${W.name}' has ${W.shape[0]} outputs`);
      }
      break;
    }
    case "conv": {
      const c = prim.params;
      if (c.weight.shape.length !== c.kernel.length + 2) throw new FormatError(`${p}.weight`, `'${c.weight.name}' should have rank ${c.kernel.length + 2}, got [${c.weight.shape}]`);
      const outC = c.weight.shape[0];
      if (sizeOf(c.bias.shape) !== 0 && sizeOf(c.bias.shape) !== outC) throw new FormatError(`${p}.bias`, `'${c.bias.name}' has ${sizeOf(c.bias.shape)} values for ${outC} channels`);
      if (inShape[0] !== c.weight.shape[1] * c.groups) throw new FormatError(`${p}.weight`, `'${c.weight.name}' expects ${c.weight.shape[1] * c.groups} input channels, '${s.args[0]}' has ${inShape[0]}`);
      if (outC % c.groups !== 0) throw new FormatError(`${p}.groups`, `${c.groups} groups do not divide ${outC} output channels`);
      break;
    }
    case "reshape":
      if (sizeOf(prim.params.shape) !== sizeOf(inShape)) {
        throw new FormatError(`${p}.shape`, `[${prim.params.shape}] holds ${sizeOf(prim.params.shape)} values, '${s.args[0]}' has ${sizeOf(inShape)}`);
      }
      break;
    case "threshold": {
      const n = sizeOf(prim.params.c.shape);
      if (n !== 1 && n !== sizeOf(inShape)) throw new FormatError(`${p}.c`, `needs 1 or ${sizeOf(inShape)} values, got ${n}`);
      break;
    }
    case "pick": {
      const n = inShape[inShape.length - 1];
      const bad = prim.params.indices.findIndex((i) => i < 0 || i >= n);
      if (bad >= 0) throw new FormatError(`${p}.indices[${bad}]`, `index ${prim.params.indices[bad]} is out of range for '${s.args[0]}' of shape [${inShape}]`);
      if (outShape[outShape.length - 1] !== prim.params.indices.length) throw new FormatError(`${at}.out`, `'${s.out.name}' has shape [${outShape}] but ${prim.params.indices.length} entries are picked`);
      break;
    }
    case "lincomb": {
      if (prim.params.coefs.length !== args.length) throw new FormatError(`${p}.coefs`, `needs one coefficient per argument (${args.length}), got ${prim.params.coefs.length}`);
      const bad = args.findIndex((t) => shapeOfType(t).join(",") !== inShape.join(","));
      if (bad >= 0) throw new FormatError(`${at}.args[${bad}]`, `'${s.args[bad]}' has shape [${shapeOfType(args[bad])}], unlike '${s.args[0]}' ([${inShape}])`);
      break;
    }
    case "onehot":
      if (sizeOf(inShape) !== 1) throw new FormatError(`${at}.args[0]`, `onehot takes one index per sample, '${s.args[0]}' has shape [${inShape}]`);
      if (outShape.join(",") !== String(prim.params.n)) throw new FormatError(`${at}.out`, `'${s.out.name}' should have shape [${prim.params.n}], got [${outShape}]`);
      break;
    case "softmax": case "log_softmax": case "argmax": case "concat":
      if (prim.params.axis >= inShape.length) throw new FormatError(`${p}.axis`, `axis ${prim.params.axis} is out of range for shape [${inShape}]`);
      break;
    default:
      break;
  }
}
