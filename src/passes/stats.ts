// What probe measures: per-unit statistics of every layer over the analysis data, and a capped sample of
// activations for the factorisation and the recognisers.
import type { Tensor } from "../graph/tensor.ts";
import { unitId } from "../net/net.ts";

/** Statistics of one layer's units; every array is indexed by unit. For a conv layer a unit is a channel and
 *  its observations are all (sample, position) pairs; for a vector, one per sample. */
export interface LayerStats {
  layer: string;
  /** The per-sample axis that indexes units (0 for vectors and images, the last axis of sequence affines). */
  unitAxis: number;
  units: number;
  /** Observations per unit: samples times positions. */
  count: number;
  min: number[];
  max: number[];
  mean: number[];
  std: number[];
  /** Fraction of observations > 0. */
  fracActive: number[];
  /** One value only over the data. */
  constant: boolean[];
  /** Exactly two distinct values over the data (e.g. a saturated threshold unit). */
  binary: boolean[];
  /** Never > 0 over the data: after a ReLU, a dead unit. */
  neverActive: boolean[];
}

/** One unit's statistics, read out of a LayerStats. */
export interface UnitStats {
  /** The unit id, `layer:index`. */
  unit: string;
  min: number;
  max: number;
  mean: number;
  std: number;
  fracActive: number;
  constant: boolean;
  binary: boolean;
  neverActive: boolean;
}

/** The rows of the analysis data kept whole: their inputs and every probed layer's activations. */
export interface ActivationSample {
  /** Row indices into the analysis data, ascending. */
  rows: number[];
  /** Net inputs restricted to those rows. */
  inputs: Record<string, Tensor>;
  /** Layer outputs on those rows, by layer id (batch axis first). */
  activations: Record<string, Tensor>;
}

export interface NetStats {
  /** Number of analysis rows probed. */
  samples: number;
  /** Per-layer statistics, in Net layer order (layers that are skipped are listed in `skipped`). */
  layers: LayerStats[];
  skipped: { layer: string; reason: string }[];
  sample: ActivationSample;
}

/** The statistics of one unit. */
export function unitStats(s: LayerStats, i: number): UnitStats {
  return {
    unit: unitId({ id: s.layer }, i), min: s.min[i], max: s.max[i], mean: s.mean[i], std: s.std[i], fracActive: s.fracActive[i],
    constant: s.constant[i], binary: s.binary[i], neverActive: s.neverActive[i],
  };
}

/** A layer's statistics, if probed. */
export function statsFor(stats: NetStats, layer: string): LayerStats | undefined {
  return stats.layers.find((l) => l.layer === layer);
}
