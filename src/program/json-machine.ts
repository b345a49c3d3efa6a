// program.json form of a machine primitive: tables as integer lists, the emitted values as a weight, the formula as
// a small expression tree, the network it reads as a JSON graph (as opaque parts carry theirs).
import { arr, FormatError, int, ints, nums, numb, obj, oneOf, str, type JsonObj } from "./json-check.ts";
import { graphFromJson, graphToJson, type TensorStore } from "./json-tensor.ts";
import type { MachineParams, Weight } from "./program.ts";
import type { Agreement, Expr, MachineFormula } from "../seq/fsm/types.ts";

const OPS = ["state", "x", "const", "add", "sub", "mul", "mod", "floordiv", "max", "min", "eq", "ge"] as const;

function exprFromJson(v: unknown, path: string, depth = 0): Expr {
  if (depth > 32) throw new FormatError(path, "expression nested too deeply");
  const o = obj(v, path);
  const op = oneOf(o.op, `${path}.op`, OPS);
  if (op === "state") return { op };
  if (op === "x") return { op, i: int(o.i, `${path}.i`, 0) };
  if (op === "const") return { op, v: numb(o.v, `${path}.v`) };
  return { op, a: exprFromJson(o.a, `${path}.a`, depth + 1), b: exprFromJson(o.b, `${path}.b`, depth + 1) };
}

function agreementFromJson(v: unknown, path: string): Agreement {
  const o = obj(v, path);
  return { steps: int(o.steps, `${path}.steps`, 0), stepAgreement: numb(o.stepAgreement, `${path}.stepAgreement`), sequences: int(o.sequences, `${path}.sequences`, 0), sequenceAgreement: numb(o.sequenceAgreement, `${path}.sequenceAgreement`) };
}

/** A machine's params as JSON. */
export function machineToJson(p: MachineParams, store: TensorStore, id: string): JsonObj {
  const opset: JsonObj = {};
  for (const [d, v] of p.impl.opset) opset[d] = v;
  const o: JsonObj = {
    alphabet: p.alphabet.map((r) => [...r]), next: p.next.map((r) => [...r]), decisions: [...p.decisions], out: p.out.name,
    minimalStates: p.minimalStates, agreement: JSON.parse(JSON.stringify(p.agreement)), cell: p.cell,
    impl: { graph: graphToJson(p.impl.graph, store, `machine.${id}.`), opset },
  };
  if (p.formula) o.formula = JSON.parse(JSON.stringify(p.formula));
  if (p.emit) o.emit = p.emit;
  return o;
}

/** Parse a machine's params; checks the tables' shapes against each other. */
export function machineFromJson(o: JsonObj, path: string, weight: (x: unknown, path: string) => Weight, store: TensorStore): MachineParams {
  const alphabet = arr(o.alphabet, `${path}.alphabet`).map((r, i) => nums(r, `${path}.alphabet[${i}]`));
  const next = arr(o.next, `${path}.next`).map((r, i) => ints(r, `${path}.next[${i}]`, -1));
  const decisions = ints(o.decisions, `${path}.decisions`, -1);
  const out = weight(o.out, `${path}.out`);
  const S = next.length, A = alphabet.length;
  if (!A || alphabet.some((r) => r.length !== alphabet[0].length)) throw new FormatError(`${path}.alphabet`, "needs one or more rows of one length");
  next.forEach((r, i) => {
    if (r.length !== A) throw new FormatError(`${path}.next[${i}]`, `needs ${A} entries (one per symbol), got ${r.length}`);
    if (r.some((t) => t >= S)) throw new FormatError(`${path}.next[${i}]`, `a state is out of range (${S} states)`);
  });
  if (decisions.length !== S) throw new FormatError(`${path}.decisions`, `needs ${S} entries, got ${decisions.length}`);
  if (out.shape.length !== 2 || out.shape[0] !== S) throw new FormatError(`${path}.out`, `'${out.name}' should be [${S}, k], got [${out.shape}]`);
  const ag = obj(o.agreement, `${path}.agreement`);
  const im = obj(o.impl, `${path}.impl`);
  const opset = new Map<string, number>();
  for (const [d, v] of Object.entries(obj(im.opset, `${path}.impl.opset`))) opset.set(d, int(v, `${path}.impl.opset.${d}`, 1));
  const p: MachineParams = {
    alphabet, next, decisions, out, minimalStates: int(o.minimalStates, `${path}.minimalStates`, 0),
    agreement: { analysis: agreementFromJson(ag.analysis, `${path}.agreement.analysis`), heldOut: agreementFromJson(ag.heldOut, `${path}.agreement.heldOut`) },
    cell: str(o.cell, `${path}.cell`), impl: { graph: graphFromJson(im.graph, `${path}.impl.graph`, store), opset },
  };
  if (o.emit !== undefined) p.emit = oneOf(o.emit, `${path}.emit`, ["last"] as const);
  if (o.formula !== undefined) {
    const f = obj(o.formula, `${path}.formula`);
    const formula: MachineFormula = {
      values: ints(f.values, `${path}.formula.values`), next: exprFromJson(f.next, `${path}.formula.next`), emit: exprFromJson(f.emit, `${path}.formula.emit`),
      inputs: oneOf(f.inputs, `${path}.formula.inputs`, ["entries", "onehot"] as const),
    };
    if (formula.values.length !== S) throw new FormatError(`${path}.formula.values`, `needs ${S} entries, got ${formula.values.length}`);
    p.formula = formula;
  }
  return p;
}
