// The scorer's sequence measures: a recurrent case's state machine and a transformer case's head kinds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { scoreHeads, scoreMachine } from "../../zoo/score.ts";
import { summarize } from "../../zoo/score-table.ts";
import type { Truth } from "../../zoo/truth.ts";
import type { MachineReport, Program } from "../../src/program/program.ts";

const truth = (extra: Partial<Truth>) => ({ name: "t", family: "trained", primitives: [], modules: [], obfuscations: [], ...extra }) as unknown as Truth;
const agree = (stepAgreement: number) => ({ steps: 100, stepAgreement, sequences: 5, sequenceAgreement: stepAgreement });
const machine = (states: number, held: number, implemented: boolean): MachineReport => ({
  stmt: "h3", cell: "gru, hidden 8", symbols: 2, clusters: states, tried: "", extracted: 1, minimalStates: states,
  agreement: { analysis: agree(1), heldOut: agree(held) }, loop: "state = 0; ...", implemented,
});
const prog = (p: Partial<Program>) => p as Program;

test("a machine is recovered with the truth's states and >= 99% held-out agreement, implemented or not", () => {
  const t = truth({ machine: { algorithm: "", states: 3, cell: "lstm" } });
  assert.equal(scoreMachine(t, prog({ machines: [machine(3, 1, true)] }))!.recovered, true);
  assert.equal(scoreMachine(t, prog({ machines: [machine(3, 0.995, false)] }))!.recovered, true);
  assert.equal(scoreMachine(t, prog({ machines: [machine(3, 0.98, false)] }))!.recovered, false);
  assert.equal(scoreMachine(t, prog({ machines: [machine(4, 1, true)] }))!.recovered, false);
  const none = scoreMachine(t, prog({}))!;
  assert.equal(none.recovered, false);
  assert.equal(none.states, null);
  assert.equal(scoreMachine(truth({}), prog({ machines: [machine(3, 1, true)] })), null);
});

test("head kinds match as multisets, and the summary counts both measures", () => {
  const t = truth({ heads: ["first-token", "previous-token"] });
  const heads = (kinds: string[]) => prog({ seqAnalysis: { rows: 1, heads: kinds.map((kind, head) => ({ kind, head })), mlps: [], notes: [] } as never });
  assert.equal(scoreHeads(t, heads(["previous-token", "first-token"]))!.ok, true);
  const half = scoreHeads(t, heads(["first-token", "first-token"]))!;
  assert.equal(half.ok, false);
  assert.equal(half.matched, 1);
  assert.equal(scoreHeads(t, heads(["first-token", "previous-token", "uniform"]))!.ok, false);
  const s = summarize([
    { case: "a", family: "trained", machine: scoreMachine(truth({ machine: { algorithm: "", states: 2, cell: "rnn" } }), prog({ machines: [machine(2, 1, true)] })) },
    { case: "b", family: "trained", machine: scoreMachine(truth({ machine: { algorithm: "", states: 2, cell: "rnn" } }), prog({})) },
    { case: "c", family: "trained", heads: half },
  ]);
  assert.equal(s.machinesRecovered, 1);
  assert.equal(s.machineCases, 2);
  assert.equal(s.headsOk, 0);
  assert.equal(s.headCases, 1);
});
