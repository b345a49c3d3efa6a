// truth.json: what is known about a zoo network. Compiled cases know their program; trained cases
// know their task and accuracy. The scorer reads this file and nothing else from the zoo.
import { readFileSync } from "node:fs";
import { UserError } from "../src/errors.ts";
import type { ConvTruth, Domain, OutputKind, RepeatTruth } from "./case.ts";
import type { ObfRecord } from "./obfuscate.ts";

export const TRUTH_FORMAT = "pseudonet.zoo-truth";
export const TRUTH_VERSION = 1;

/** Module labels of the units of one hidden layer, by the layer ids of the model's Net. */
export interface ModuleLayer {
  /** Net layer ids whose units these are (the affine/conv layer and its activation). */
  ids: string[];
  /** The ONNX nodes behind them. */
  nodes: string[];
  /** Label per unit; "dead" marks units never active on the domain. */
  labels: string[];
}

/** How well the network computes what truth.json says it computes, measured on domain samples. */
export interface TruthFidelity {
  samples: number;
  /** Largest |network - reference| over all outputs and samples. */
  maxAbsErr: number;
  meanAbsErr: number;
  /** Fraction of samples where the network's decision agrees (bits: every output > 0.5; onehot: argmax). */
  agreement?: number;
}

export interface Truth {
  format: typeof TRUTH_FORMAT;
  version: number;
  name: string;
  family: "compiled" | "trained";
  title: string;
  seed: number;
  input: { name: string; shape: number[] };
  output: { name: string; size: number; kind: OutputKind };
  domain: Domain;
  /** `pseudonet explain --domain` value for this domain, when the flag can express it. */
  domainFlag: string | null;
  /** Samples of the domain (bits: all points), beside truth.json; the scorer's explain runs use it. */
  data: string | null;
  /** The reference program in program.json form (null for trained cases). */
  program: unknown;
  /** Primitive signatures an explanation should find; "a|b" accepts either, "kind=N" wants exactly N. */
  primitives: string[];
  modules: ModuleLayer[];
  conv?: ConvTruth;
  repeats?: RepeatTruth[];
  obfuscations: ObfRecord[];
  /** Dead units and the largest interval upper bound of their pre-activations over the box (< 0 proves them dead). */
  dead?: { units: number; maxUpperBound: number };
  /** Compiled cases: reference vs network on the domain samples (trained cases have no reference). */
  fidelity?: TruthFidelity;
  size: { parameters: number; nonzeroParameters: number; hiddenUnits: number };
  /** Recurrent cases: the algorithm as a loop and the states of its minimal (Moore) machine on the data's domain. */
  machine?: { algorithm: string; states: number; cell: string };
  /** Transformer cases: the kind of each attention head (as src/seq/analysis names them), in any order. */
  heads?: string[];
  /** Transformer cases: the algorithm. */
  algorithm?: string;
  /** Trained cases: what they were trained on and how well they do on held-out data. */
  task?: string;
  accuracy?: Record<string, number>;
}

/** Read and check a truth.json; errors name the file and what is wrong. */
export function readTruth(file: string): Truth {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new UserError(`${file}: cannot read zoo truth (${(e as Error).message})`);
  }
  const t = raw as Partial<Truth>;
  if (!t || t.format !== TRUTH_FORMAT) throw new UserError(`${file}: not a zoo truth.json (format should be "${TRUTH_FORMAT}")`);
  if (t.version !== TRUTH_VERSION) throw new UserError(`${file}: truth version ${t.version} is not supported (expected ${TRUTH_VERSION})`);
  for (const k of ["name", "family", "primitives", "modules", "obfuscations"] as const) {
    if (t[k] === undefined) throw new UserError(`${file}: missing "${k}"`);
  }
  return t as Truth;
}
