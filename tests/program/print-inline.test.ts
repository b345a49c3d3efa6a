// program.txt writes picks read once or twice where they are read (`max(x[0], x[3])`), a sort's run of picks of one
// vector as that run (`sort(x[0:3])`, `sort(x)`), and keeps picks read more often, returned or commented as their
// own statements; program.json and the program's values do not change.
import { test } from "node:test";
import assert from "node:assert/strict";
import { f32 } from "../../src/graph/tensor.ts";
import { printProgram } from "../../src/program/printer.ts";
import { inlinedBody } from "../../src/program/print-inline.ts";
import { runProgram } from "../../src/program/run.ts";
import type { PrimOp, PrimStmt, Program } from "../../src/program/program.ts";

let k = 0;
function st(out: string, n: number, args: string[], op: PrimOp, comment?: string): PrimStmt {
  return { kind: "prim", out: { name: out, type: { kind: "vec", n } }, args, prim: { ...op, id: `p${++k}`, slice: { layers: [], weights: [] }, error: 0 } as PrimStmt["prim"], ...(comment ? { comment } : {}) };
}
const pick = (i: number[]): PrimOp => ({ kind: "pick", params: { indices: i } });
const io = (name: string, n: number) => ({ name, dtype: "float32" as const, shape: [n], batchDim: "N" });

function program(n: number, body: PrimStmt[], returns: string[], outN: number): Program {
  return { name: "t", inputs: [io("x", n)], outputs: [io("y", outN)], entry: "main", functions: [{ name: "main", params: [{ name: "x", type: { kind: "vec", n } }], body, returns }] };
}

test("picks read at most twice are inlined; a sort's run of picks reads as the run; the rest stay statements", () => {
  const p = program(4, [
    st("x0", 1, ["x"], pick([0])), st("x1", 1, ["x"], pick([1])), st("x2", 1, ["x"], pick([2])), st("x3", 1, ["x"], pick([3])),
    st("s", 3, ["x0", "x1", "x2"], { kind: "sort", params: { descending: false } }),
    st("m", 1, ["x0", "x3"], { kind: "max", params: {} }),
    st("t", 1, ["x3", "m"], { kind: "lincomb", params: { coefs: [1, 1], bias: 0 } }),
    st("u", 1, ["x3", "t"], { kind: "lincomb", params: { coefs: [2, -1], bias: 0 } }),
    st("y", 6, ["s", "m", "t", "u"], { kind: "concat", params: { axis: 0 } }),
  ], ["y"], 6);
  const text = printProgram(p);
  assert.match(text, /^ {4}s = sort\(x\[0:3\]\)$/m, text);
  assert.match(text, /^ {4}m = max\(x\[0\], x3\)$/m, text);
  assert.match(text, /^ {4}x3 = x\[3\]$/m, "x3 is read three times: it stays a statement");
  assert.doesNotMatch(text, /x0 = |x1 = |x2 = /);
  // Printing only: the program keeps its pick statements and computes the same.
  assert.equal(p.functions[0].body.length, 9);
  assert.equal(inlinedBody(p.functions[0]).length, 6);
  const x = f32([2, 4], [0.3, -0.2, 0.9, 0.1, -1, 0.5, 0.25, 0.75]);
  assert.deepEqual([...runProgram(p, [x])[0].data].slice(0, 6), [-0.2, 0.3, 0.9, 0.3, 0.4, -0.2].map(Math.fround));
});

test("a sort of every entry of a vector, in order, reads sort(x); returned and commented picks are kept", () => {
  const p = program(3, [
    st("a", 1, ["x"], pick([0])), st("b", 1, ["x"], pick([1])), st("c", 1, ["x"], pick([2])),
    st("s", 3, ["a", "b", "c"], { kind: "sort", params: { descending: true } }),
  ], ["s"], 3);
  assert.match(printProgram(p), /^ {4}s = sort\(x, descending\)$/m);
  const q = program(3, [
    st("a", 1, ["x"], pick([0]), "the first entry"), st("b", 1, ["x"], pick([2])), st("c", 1, ["x"], pick([1])),
    st("s", 3, ["a", "b", "c"], { kind: "sort", params: { descending: false } }),
  ], ["s"], 3);
  const text = printProgram(q);
  assert.match(text, /a = x\[0\] +# the first entry/);
  assert.match(text, /^ {4}s = sort\(a, x\[2\], x\[1\]\)$/m, "out of order: each pick by itself");
  const r = program(2, [st("a", 1, ["x"], pick([1])), st("y", 1, ["a"], { kind: "lincomb", params: { coefs: [2], bias: 0 } })], ["a", "y"], 1);
  assert.match(printProgram({ ...r, outputs: [io("a", 1), io("y", 1)] }), /^ {4}a = x\[1\]$/m, "a returned pick stays");
});

test("a concat read only by a pick that reorders its whole parts prints as one concat in that order; a concat's run of picks is the vector", () => {
  const io2 = (name: string, n: number) => ({ name, type: { kind: "vec" as const, n } });
  const call = (out: string, arg: string) => ({ kind: "call" as const, outs: [io2(out, 2)], args: [arg], fn: "f" });
  const f = { name: "f", params: [io2("u", 2)], body: [st("v", 2, ["u"], { kind: "sort", params: { descending: false } })], returns: ["v"] };
  const p: Program = {
    name: "t", inputs: [io("x", 6)], outputs: [io("y", 6)], entry: "main",
    functions: [{
      name: "main", params: [io2("x", 6)], returns: ["y"],
      body: [
        st("p1", 2, ["x"], pick([0, 1])), call("o1", "p1"), st("p2", 2, ["x"], pick([4, 5])), call("o2", "p2"), st("p3", 2, ["x"], pick([2, 3])), call("o3", "p3"),
        st("c", 6, ["o1", "o2", "o3"], { kind: "concat", params: { axis: 0 } }),
        st("y", 6, ["c"], pick([0, 1, 4, 5, 2, 3]), "output rows in order"),
      ],
    }, f],
  };
  const text = printProgram(p);
  assert.match(text, /^ {4}o1 = f\(x\[0:2\]\)$/m, text);
  assert.match(text, /^ {4}y = concat\(o1, o3, o2\) +# output rows in order$/m, text);
  assert.doesNotMatch(text, /c = concat/);
  const x = f32([1, 6], [0.5, -0.5, 0.3, 0.1, -1, 1]);
  assert.deepEqual([...runProgram(p, [x])[0].data], [-0.5, 0.5, 0.1, 0.3, -1, 1].map(Math.fround), "printing only");
  // A pick that is not whole parts in order keeps both statements.
  const q = { ...p, functions: [{ ...p.functions[0], body: [...p.functions[0].body.slice(0, 7), st("y", 6, ["c"], pick([1, 0, 2, 3, 4, 5]))] }, f] };
  assert.match(printProgram(q), /c = concat\(o1, o2, o3\)\n {4}y = c\[\[1, 0, 2, 3, 4, 5\]\]/);
  const r = program(3, [st("a", 1, ["x"], pick([0])), st("b", 1, ["x"], pick([1])), st("c", 1, ["x"], pick([2])), st("y", 3, ["a", "b", "c"], { kind: "concat", params: { axis: 0 } })], ["y"], 3);
  assert.match(printProgram(r), /^ {4}y = x$|^ {4}y = concat\(x\)$/m);
});
