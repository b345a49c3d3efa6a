// A machine as the loop a person would write: with its formula when one was found, else with its tables inline.
//   state = 0; for x0 in x: state = (state + x0) % 2; emit(state)
//   state = 0; for s in symbols(x, [[0], [1]]): state = [[1, 2], [3, 2], [1, 2]][state][s]; emit([-, 0, 1][state])
import type { MachineParams } from "../../program/program.ts";
import { exprText } from "./formula.ts";

/** The loop text of a machine reading value `x`. */
export function machineLoop(p: Pick<MachineParams, "alphabet" | "next" | "decisions" | "formula" | "emit">, x: string): string {
  const text = loopText(p, x);
  // A sequence classifier emits once: the loop only moves the state.
  return p.emit === "last" ? text.replace(/; emit\((.*)\)$/, "; then emit($1) once, after the last step") : text;
}

function loopText(p: Pick<MachineParams, "alphabet" | "next" | "decisions" | "formula">, x: string): string {
  const f = p.formula;
  if (f) {
    const d = p.alphabet[0].length;
    const vars = f.inputs === "onehot" ? `x0 in argmax(${x})` : d === 1 ? `x0 in ${x}` : `(${Array.from({ length: d }, (_, j) => `x${j}`).join(", ")}) in ${x}`;
    return `state = 0; for ${vars}: state = ${exprText(f.next)}; emit(${exprText(f.emit)})`;
  }
  const alpha = `[${p.alphabet.map((r) => `[${r.join(", ")}]`).join(", ")}]`;
  const next = `[${p.next.map((r) => `[${r.map((t) => (t < 0 ? "-" : String(t))).join(", ")}]`).join(", ")}]`;
  const dec = `[${p.decisions.map((c) => (c < 0 ? "-" : String(c))).join(", ")}]`;
  return `state = 0; for s in symbols(${x}, ${alpha}): state = ${next}[state][s]; emit(${dec}[state])`;
}
