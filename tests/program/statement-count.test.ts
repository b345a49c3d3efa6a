// program.txt's and report.md's size line say "1 statement", not "1 statements" (docs/explain-example.md's sine
// program is one piecewise statement); several stay plural.
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildProgram } from "../../src/program/build.ts";
import { printProgram } from "../../src/program/printer.ts";
import { handMLP } from "./hand-nets.ts";

test("the size line counts one statement in the singular and several in the plural", () => {
  const one = printProgram(buildProgram(handMLP(1, [6, 3], [], false), { name: "one" }).program).split("\n");
  assert.ok(one.some((l) => /^# 1 statement in 1 function\(s\); /.test(l)), one.slice(0, 4).join("\n"));
  const three = printProgram(buildProgram(handMLP(1, [6, 5, 3]), { name: "three" }).program).split("\n");
  assert.ok(three.some((l) => /^# 3 statements in 1 function\(s\); /.test(l)), three.slice(0, 4).join("\n"));
});
