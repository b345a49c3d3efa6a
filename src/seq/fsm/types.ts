// Recurrent nets read as finite state machines (issue 9 item 4): the traces a net leaves on data, the machine read
// from them, and the formula that names its tables. A machine is a reading from data: it always carries its
// measured agreement with the network.

/** What a recurrent net did on some sequences: per sequence and step, the input symbol (an index into the alphabet),
 *  the hidden state after the step and the network's decision (the argmax of its output at that step). */
export interface Traces {
  /** Sequences, steps per sequence, hidden size. */
  n: number;
  T: number;
  H: number;
  /** [n * T] symbol index per step. */
  symbols: Int32Array;
  /** [n * T * H] hidden state after each step. */
  hidden: Float64Array;
  /** [n * T] decision per step; -2 where the network makes none (a sequence classifier decides at the last step only). */
  decisions: Int32Array;
}

/** A Moore machine: state 0 is the initial state (the network's state before any input; it emits nothing). */
export interface Machine {
  states: number;
  symbols: number;
  /** [states * symbols] next state; -1 where the data never showed that transition. */
  next: Int32Array;
  /** Per state, its decision; -1 for a state that never emits (only the initial state). */
  out: Int32Array;
}

/** How often a machine's decisions equal the network's. */
export interface Agreement {
  steps: number;
  /** Fraction of steps whose decision agrees. */
  stepAgreement: number;
  sequences: number;
  /** Fraction of sequences whose every decision agrees. */
  sequenceAgreement: number;
}

/** An integer expression over the state value and the input values (x0, x1, ...). */
export type Expr =
  | { op: "state" }
  | { op: "x"; i: number }
  | { op: "const"; v: number }
  | { op: "add" | "sub" | "mul" | "mod" | "floordiv" | "max" | "min" | "eq" | "ge"; a: Expr; b: Expr };

/** A machine's tables as formulas: state = 0; for x in xs: state = next; emit(emit). */
export interface MachineFormula {
  /** The integer value of each state (index = machine state; the initial state's value is 0). */
  values: number[];
  next: Expr;
  emit: Expr;
  /** How input values are read from a symbol's row: its entries (x0, x1, ...) or the index of its one hot entry (x0). */
  inputs: "entries" | "onehot";
}
