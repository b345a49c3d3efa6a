// Program -> Net: the network the program exactly describes (calls inlined), which lift turns into
// reconstructed.onnx. Primitives with a Net layer kind map to layers; the others become small opaque
// fragments (onnx-frags.ts) that compute exactly what the kernels compute.
import type { ActLayer, Layer, LayerBody, Net } from "../net/net.ts";
import { LIFT_OPSET } from "../net/lift.ts";
import { fragmentFor } from "./onnx-frags.ts";
import { dtypeOfType, entryFn, shapeOfType, type ActSpec, type Fn, type PrimStmt, type Program, type ValueType } from "./program.ts";

function actBody(a: ActSpec): ActLayer {
  const l: ActLayer = { kind: "act", fn: a.fn };
  if (a.alpha !== undefined) l.alpha = a.alpha;
  if (a.min !== undefined) l.min = a.min;
  if (a.max !== undefined) l.max = a.max;
  return l;
}

const POOL_MODE = { maxpool: "max", avgpool: "avg", global_maxpool: "global_max", global_avgpool: "global_avg" } as const;

/** The opset synthetic fragments are written at: that of the program's opaque parts, else lift's default. */
function fragmentOpset(p: Program): number {
  let v = 0;
  for (const f of p.functions) for (const s of f.body) if (s.kind === "prim" && s.prim.kind === "opaque") v = Math.max(v, s.prim.params.opset.get("") ?? 0);
  return v || LIFT_OPSET;
}

/** The layers for one primitive statement (the last one holds the statement's value). */
function layersFor(s: PrimStmt, ins: string[], argTypes: ValueType[], id: string, opset: number): Layer[] {
  const shape = shapeOfType(s.out.type);
  const dtype = dtypeOfType(s.out.type);
  const mk = (body: LayerBody, lid: string, inputs: string[]): Layer => ({ ...body, id: lid, inputs, shape, dtype, origin: [s.prim.id] });
  const withAct = (body: LayerBody, act: ActSpec | undefined): Layer[] =>
    act ? [mk(body, `${id}__pre`, ins), mk(actBody(act), id, [`${id}__pre`])] : [mk(body, id, ins)];
  const p = s.prim;
  switch (p.kind) {
    case "affine": {
      const { W, b, act } = p.params;
      return withAct({ kind: "affine", W: W.data, b: b.data, inFeatures: W.shape[1], outFeatures: W.shape[0] }, act);
    }
    case "conv": {
      const c = p.params;
      return withAct({
        kind: "conv", weight: c.weight.data, bias: c.bias.data.length ? c.bias.data : new Float32Array(c.weight.shape[0]), outChannels: c.weight.shape[0], inChannels: c.weight.shape[1] * c.groups,
        kernel: [...c.kernel], strides: [...c.strides], pads: [...c.pads], dilations: [...c.dilations], groups: c.groups,
      }, c.act);
    }
    case "act": return [mk(actBody(p.params), id, ins)];
    case "maxpool": case "avgpool": case "global_maxpool": case "global_avgpool": {
      const q = p.params;
      return [mk({ kind: "pool", mode: POOL_MODE[p.kind], kernel: [...q.kernel], strides: [...q.strides], pads: [...q.pads], dilations: [...q.dilations], ceilMode: q.ceilMode, countIncludePad: q.countIncludePad }, id, ins)];
    }
    case "softmax": case "log_softmax": return [mk({ kind: "softmax", log: p.kind === "log_softmax", axis: p.params.axis }, id, ins)];
    case "reshape": return [mk({ kind: "reshape" }, id, ins)];
    case "add": return [mk({ kind: "add" }, id, ins)];
    case "concat": return [mk({ kind: "concat", axis: p.params.axis }, id, ins)];
    case "opaque": {
      const q = p.params;
      return [mk({ kind: "opaque", graph: q.graph, opset: q.opset, reason: q.reason, perSample: q.perSample }, id, ins)];
    }
    // The network the machine was read from: reconstructed.onnx runs it (the machine is a reading of it on the data).
    case "machine": {
      const q = p.params.impl;
      return [mk({ kind: "opaque", graph: { ...q.graph, outputs: q.graph.outputs.slice(0, 1) }, opset: q.opset, reason: "the recurrent network a state machine was read from", perSample: false }, id, ins)];
    }
    default: {
      const graph = fragmentFor(s, argTypes, opset);
      return [mk({ kind: "opaque", graph, opset: new Map([["", opset]]), reason: `${p.kind} primitive`, perSample: !shapeOfType(s.out.type).some((d) => d < 0) }, id, ins)];
    }
  }
}

/** The Net a program describes, with every call inlined; graph inputs and outputs keep the model's names. */
export function programToNet(p: Program): Net {
  const fns = new Map(p.functions.map((f) => [f.name, f]));
  const opset = fragmentOpset(p);
  const layers: Layer[] = [];
  const used = new Set<string>(p.inputs.map((i) => i.name));
  const fresh = (want: string) => {
    let id = want;
    for (let k = 2; used.has(id) || used.has(`${id}__pre`); k++) id = `${want}_${k}`;
    used.add(id);
    return id;
  };
  // Returns, for each returned value, the layer id or Net input name holding it.
  const inline = (f: Fn, args: string[], argTypes: ValueType[], prefix: string, depth: number): string[] => {
    if (depth > 64) throw new Error(`function '${f.name}' calls itself (directly or not): cannot inline`);
    const ref = new Map<string, string>();
    const types = new Map<string, ValueType>();
    f.params.forEach((v, i) => { ref.set(v.name, args[i]); types.set(v.name, argTypes[i]); });
    for (const s of f.body) {
      const ins = s.args.map((a) => ref.get(a)!);
      const ts = s.args.map((a) => types.get(a)!);
      if (s.kind === "call") {
        const outs = inline(fns.get(s.fn)!, ins, ts, `${prefix}${s.fn}.`, depth + 1);
        s.outs.forEach((o, i) => { ref.set(o.name, outs[i]); types.set(o.name, o.type); });
      } else {
        const id = fresh(`${prefix}${s.out.name}`);
        layers.push(...layersFor(s, ins, ts, id, opset));
        ref.set(s.out.name, id);
        types.set(s.out.name, s.out.type);
      }
    }
    return f.returns.map((r) => ref.get(r)!);
  };
  const entry = entryFn(p);
  const outs = inline(entry, p.inputs.map((i) => i.name), entry.params.map((v) => v.type), "", 0);
  return {
    name: p.name,
    inputs: p.inputs.map((i) => ({ name: i.name, dtype: i.dtype, shape: [...i.shape], batchDim: i.batchDim })),
    layers,
    outputs: p.outputs.map((o, i) => ({ name: o.name, from: outs[i] })),
  };
}
