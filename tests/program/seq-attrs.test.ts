// Block attributes in program.json are checked per kind at load time (fuzz-found: a transpose whose `perm` was not
// a list reached the printer as "a.perm.join is not a function"); a bad one is a FormatError naming the field.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FormatError } from "../../src/program/json-check.ts";
import { seqParamsFromJson } from "../../src/program/seq-prim.ts";
import { seqText } from "../../src/program/seq-prim.ts";
import type { SeqParams, Weight } from "../../src/program/program.ts";

const noWeight = (_x: unknown, p: string): Weight => { throw new Error(`no weights expected (${p})`); };
const parse = (kind: Parameters<typeof seqParamsFromJson>[0], attrs: unknown) => seqParamsFromJson(kind, { attrs, weights: {}, slots: [0] }, "program.functions[0].body[1].prim.params", noWeight);

test("a well-typed transpose loads and prints", () => {
  const op = parse("transpose", { perm: [0, 2, 1] }) as { params: SeqParams };
  assert.equal(seqText("transpose", op.params, ["x"]), "transpose(x, 0, 2, 1)");
});

test("the fuzz mutant: transpose with a non-list perm is a FormatError naming the attribute", () => {
  assert.throws(() => parse("transpose", { perm: 3 }), (e: unknown) => e instanceof FormatError && /attrs\.perm/.test(e.message) && /list of integers/.test(e.message));
  for (const bad of ["0,2,1", [0, "2", 1], [0.5, 1], { a: 1 }]) {
    assert.throws(() => parse("transpose", { perm: bad }), (e: unknown) => e instanceof FormatError && /attrs\.perm/.test(e.message));
  }
});

test("a required attribute missing is a FormatError, per kind", () => {
  assert.throws(() => parse("transpose", {}), (e: unknown) => e instanceof FormatError && /transpose needs attribute 'perm'/.test(e.message));
  assert.throws(() => parse("squeeze", {}), (e: unknown) => e instanceof FormatError && /'axes'/.test(e.message));
  assert.throws(() => parse("split_heads", { heads: [2] }), (e: unknown) => e instanceof FormatError && /attrs\.heads/.test(e.message));
});

test("attributes of the wrong type are refused wherever they appear", () => {
  assert.throws(() => parse("layer_norm", { epsilon: "small" }), FormatError);
  assert.throws(() => parse("concat_axis", { axis: 1.5 }), FormatError);
  assert.doesNotThrow(() => parse("layer_norm", { epsilon: 1e-5 }));
});
