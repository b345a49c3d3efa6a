// What the head analysis finds, per attention head and per MLP, on the analysis data (program.json "heads").

/** How a head attends, from its attention pattern on the data. */
export type HeadKind = "previous-token" | "first-token" | "self" | "uniform" | "content-based";

/** A low-rank view of a circuit matrix M (QK: [d_model, d_model]; OV: [d_model, d_out]): M ~ A @ B. */
export interface Circuit {
  /** Singular values, largest first (at most the head size). */
  singular: number[];
  /** Singular values above 1e-6 of the largest. */
  rank: number;
  /** Factors with M = A @ B at that rank: A [rows, rank], B [rank, cols], row-major. */
  A: number[];
  B: number[];
  shape: [number, number];
}

export interface HeadReport {
  /** The attend statement (its value name) and primitive id; the head index within it. */
  stmt: string;
  prim: string;
  head: number;
  kind: HeadKind;
  /** Mean attention on the previous token, the first token and the token itself; mean normalised entropy (1 = uniform). */
  previous: number;
  first: number;
  self: number;
  entropy: number;
  qk?: Circuit;
  ov?: Circuit;
  /** Mean |direct effect on the logits| (through the final layer norm, its scale frozen), when the stream is pre-LN. */
  directLogit?: number;
}

export interface MlpReport {
  stmt: string;
  prim: string;
  directLogit: number;
}

export interface SeqAnalysis {
  rows: number;
  heads: HeadReport[];
  mlps: MlpReport[];
  /** Mean |logit| over the same rows, to read the direct effects against. */
  meanAbsLogit?: number;
  notes: string[];
}
