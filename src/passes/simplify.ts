// The simplify contract: passes from a Net to a smaller Net that computes the same thing (exact passes) or
// nearly the same thing within a stated budget (budgeted passes). Every pass is a Pass<SimplifyState,
// SimplifyState> in its own file under src/passes/; the explain pipeline runs them between probe and build.
//
// Provenance: a simplified layer keeps, per unit, the ids (`layer:unit`) of the lowered Net's units it stands
// for (`Layer.unitOrigin`), so reports, the zoo scorer and `show` can name the original units after units were
// removed, merged or reordered.
import type { Tensor } from "../graph/tensor.ts";
import type { Net } from "../net/net.ts";
import type { Pass, PassReport } from "../pipeline/pass.ts";
import type { NetStats } from "./stats.ts";

/** A box domain per Net input: every entry of input `name` lies in [lo[i], hi[i]]. */
export type BoxDomain = Record<string, { lo: Float32Array; hi: Float32Array }>;

/** What the user allows the budgeted passes to cost. */
export interface SimplifyBudget {
  /** Largest allowed max |simplified - original| on held-out data, absolute (the CLI turns its relative default into this). */
  tolerance: number;
  /** For classifiers: smallest allowed held-out top-1 agreement with the original (0..1). */
  minAgreement: number;
  /** How a classifier's agreement is judged (agreement-bound.ts; default DEFAULT_AGREEMENT_RULE in budget.ts). */
  agreementRule?: "count" | "binomial" | "margin";
  /** Confidence of the one-sided bound of that rule (default AGREEMENT_CONFIDENCE). */
  confidence?: number;
  /** Run the exact passes only. */
  exact: boolean;
}

/** What every simplify pass reads and returns. */
export interface SimplifyState {
  /** The current (simplified so far) Net. */
  net: Net;
  /** The Net as lowered, before any simplify pass: the reference for fidelity and bounds. */
  original: Net;
  /** Analysis rows by Net input name: choices (what to prune, how to round) are made on these. */
  analysis: Record<string, Tensor>;
  /** Held-out rows by Net input name: fidelity after each pass is reported on these. */
  heldOut: Record<string, Tensor>;
  /** The original Net's outputs (in Net output order) on the analysis and held-out rows. */
  reference: { analysis: Tensor[]; heldOut: Tensor[] };
  /** Present when the domain is a box: exact passes then prove their claims over the whole box by bounds. */
  box?: BoxDomain;
  /** Probe statistics of the current Net on the analysis rows (passes that change units refresh or drop them). */
  stats?: NetStats;
  budget: SimplifyBudget;
  /** Whether the outputs are class scores (top-1 agreement is the budget's measure, besides max error). */
  classifier: boolean;
  /** The rows are every point of the domain (a bits domain enumerated whole): what holds on them is proven. */
  exhaustive?: boolean;
  /** The data is one sample whose inputs share no batch axis: run whole, never split into rows. */
  oneSample?: boolean;
}

/** One pass's report: the PassReport fields plus what it changed and what it cost. */
export interface SimplifyReport extends PassReport {
  /** "exact" (outputs unchanged up to rounding, proven over the box when there is one) or "budgeted". */
  kind: "exact" | "budgeted";
  /** Hidden units (every unit of affine/conv layers feeding an activation) before and after. */
  units: { before: number; after: number };
  /** Non-zero weights before and after. */
  weights: { before: number; after: number };
  /** Held-out fidelity after the pass, against the original Net. */
  heldOut: { maxAbsErr: number; top1Agreement?: number };
  /** Over the box, when there is one and bounds were computed: certified max |simplified - original|. */
  certifiedMaxErr?: number;
}

/** A simplify pass: SimplifyState to SimplifyState with a SimplifyReport. */
export interface SimplifyPass extends Pass<SimplifyState, SimplifyState> {
  kind: "exact" | "budgeted";
  run(input: SimplifyState): { out: SimplifyState; report: SimplifyReport };
}
