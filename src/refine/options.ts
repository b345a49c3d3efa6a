// Options of refine: which regularisers (objectives), the fidelity floor, and the training schedule.
import { UserError } from "../errors.ts";
import type { AgreementRule } from "../passes/agreement-bound.ts";

/** The regularisers refine can train under (each documented with its source in its own file). */
export const OBJECTIVES = ["l1", "group-lasso", "cluster", "qat", "prune"] as const;
export type Objective = (typeof OBJECTIVES)[number];

/** What the default run uses: pruning with rewinding, group lasso on units and inputs, and clusterability (crossing weights pruned first: the n-cut falls well below shuffled copies at no measured cost in agreement). */
export const DEFAULT_OBJECTIVES: readonly Objective[] = ["prune", "group-lasso", "cluster"];

export interface RefineOptions {
  objectives: readonly Objective[];
  /** Classifiers: smallest top-1 agreement with the original on the validation rows (default 0.999). */
  minAgreement: number;
  /** Classifiers: how the validation rows judge the floor (floor.ts): margin (default), binomial or count. */
  agreementRule: AgreementRule;
  /** Classifiers: the share of 1 - minAgreement the validation rows' bound may reach (the rest is room for the
   *  choice among epochs and for the held-out rows' own sampling). */
  floorShare: number;
  /** Regression: largest max abs error against the original (default: 1e-2 x the output range on the training rows). */
  tolerance?: number;
  /** Epochs per round (a round ends with a pruning step when pruning). */
  epochs: number;
  /** Largest number of rounds (pruning steps + 1). */
  maxRounds: number;
  seed: number;
  /** Fraction of all rows held out for the final fidelity report (explain's split; never drives a choice). */
  holdout: number;
  /** Fraction of the remaining (analysis) rows kept aside to choose with (validation). */
  validation: number;
  /** Rows per step (real rows plus the rows sampled around them). */
  batch: number;
  /** Sampled rows per real row in a batch: 0 none, 1 a noisy copy, 2 a noisy copy and a mixture with another row. */
  around: number;
  /** Classifiers: boundary rows per real row in a batch (0: none): points on the original's decision boundary between
   *  two rows of different top-1 class, with fresh noise (Heo et al., AAAI 2019; boundary.ts). Off by default: on the
   *  MNIST MLP, 1 per real row gave no consistent held-out gain at equal weights (seed 0: within a flip from 67k to
   *  21k weights, 98.85% against 99.20% at 14k; seed 1: better at 16-22k, worse at 28-50k; README, Refine). */
  boundary: number;
  /** Points in the pool the boundary rows are drawn from (bisected once, on the original, before training). */
  boundaryPool: number;
  lr: number;
  /** Fraction of the remaining weights of each hidden layer pruned per round (the output layer: half of it). */
  pruneRate: number;
  /** Steps a round's pruning is spread over, evenly through the first half of its epochs (1: all at its start). */
  pruneSteps: number;
  /** After each pruning step: "lr" keeps the trained survivors and restarts the learning-rate schedule (learning-rate
   *  rewinding, Renda, Frankle & Carbin, ICLR 2020); "weights" resets the survivors to the original's values
   *  (weight rewinding to the start: the original is already trained, so it is the natural rewind point). */
  rewind: "lr" | "weights";
  /** Bits per weight under qat (symmetric uniform grid per layer). */
  bits: number;
  /** Low-margin rows weigh 1 + marginBoost exp(-margin / m0), m0 = marginScale x the median margin of the training rows. */
  marginBoost: number;
  marginScale: number;
  /** Weight of the hints (hidden pre-activations distilled beside the logits); 0 distils the logits alone. */
  hints: number;
  /** Strengths of the penalties, per weight and step (proximal steps scale them by the learning rate). */
  l1: number;
  groupLasso: number;
  cluster: number;
  /** Clusters the cluster objective aims for (Filan et al. compare n-cuts at k = 12). */
  clusters: number;
  /** Under cluster with prune: a weight between two clusters ranks as if its magnitude were this fraction of it, so
   *  pruning removes crossing weights first (1: the ranking ignores clusters). */
  crossRank: number;
  /** Under cluster: partition the net again at each round's start ("round"), each epoch ("epoch"), or partition the
   *  original once and keep it ("run"). Measured on the MNIST MLP at the default floor (bench:refine, session 5):
   *  "round" keeps 64,061 weights at 99.90% held-out with an n-cut 0.37 below shuffled copies; "epoch" 50,371 at
   *  99.85%, 0.34 below; "run" 57,504 at 99.90%, 0.20 below (the original's margin is 0.38; which round the floor
   *  keeps moves these by a tenth or more from run to run). */
  clusterEvery: "run" | "round" | "epoch";
  /** Under cluster: epochs of the clusterability finish after the pruning rounds (0: none; refine.ts). Off by default:
   *  on the MNIST MLP under the margin rule no finish epoch held the 99.9% floor at split seeds 1-3 (README, (b)). */
  finishEpochs: number;
  /** Strength of the finish's l1 on crossing weights (per weight and step, scaled by the learning rate). */
  finishCluster: number;
}

export const DEFAULTS: Omit<RefineOptions, "objectives"> = {
  minAgreement: 0.999, agreementRule: "margin", floorShare: 1, epochs: 4, maxRounds: 14, seed: 0, holdout: 0.2, validation: 0.2, batch: 128, around: 2, boundary: 0, boundaryPool: 8192, lr: 1e-3,
  marginBoost: 4, marginScale: 0.1, hints: 1, pruneRate: 0.25, pruneSteps: 8, rewind: "lr", bits: 4, l1: 2e-5, groupLasso: 5e-3, cluster: 1e-3, clusters: 12, crossRank: 0.3, clusterEvery: "round", finishEpochs: 0, finishCluster: 0.1,
};

/** Parse --objective: a comma-separated list of OBJECTIVES. */
export function parseObjectives(s: string): Objective[] {
  const parts = s.split(",").map((p) => p.trim()).filter(Boolean);
  if (!parts.length) throw new UserError(`--objective '${s}': give one or more of ${OBJECTIVES.join(", ")}, comma-separated`);
  for (const p of parts) {
    if (!(OBJECTIVES as readonly string[]).includes(p)) throw new UserError(`--objective: '${p}' is not an objective; use ${OBJECTIVES.join(", ")} (comma-separated)`);
  }
  return [...new Set(parts)] as Objective[];
}
