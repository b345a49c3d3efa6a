// What a compiled zoo case is: a known program, the network it compiles to, and what an
// explanation of that network should recover.
import type { ZooNet } from "./net.ts";
import type { RefProgram } from "./refprog.ts";

/** The inputs a case is defined on. */
export type Domain =
  | { kind: "bits"; n: number }
  | {
      kind: "box";
      lo: number[];
      hi: number[];
      /** Inputs that take only the values lo and hi (bits inside an otherwise continuous box). */
      discrete?: number[];
      /** A condition the inputs also satisfy (e.g. argmax's gap), in words; `accept` checks it. */
      promise?: string;
    };

/** How outputs are compared when the network is only approximately the program (noise). */
export type OutputKind = "real" | "bits" | "onehot";

/** A convolution hidden in the case: what a conv recogniser should find. */
export interface ConvTruth {
  /** Input grid [c, h, w] the kernel slides over. */
  inShape: [number, number, number];
  /** [outChannels, inChannels, kh, kw]. */
  kernelShape: [number, number, number, number];
  kernel: number[];
  stride: number;
  pad: number;
  /** The branch and layer index in the un-obfuscated net. */
  branch: number;
  layer: number;
}

/** One function of the reference program called several times. */
export interface RepeatTruth {
  fn: string;
  times: number;
}

/** A compiled case. */
export interface CaseDef {
  name: string;
  /** One line: what the network computes. */
  title: string;
  inputShape: number[];
  outputSize: number;
  domain: Domain;
  /** Extra condition on inputs (the promise); samplers skip points that fail it. */
  accept?(x: readonly number[]): boolean;
  output: OutputKind;
  /** The network before obfuscation. */
  build(): ZooNet;
  /** The program, as a plain function of one sample. */
  reference(x: readonly number[]): number[];
  /** The program, as statements (converted to Program JSON for truth.json). */
  program(): RefProgram;
  /** Primitive signatures an explanation must find: "max", "sort", "act:abs", "logic:xor", "a|b" (either), "affine=1" (exactly one). */
  primitives: string[];
  conv?: ConvTruth;
  repeats?: RepeatTruth[];
  /** Write dense layers as MatMul + Add (as some exporters do) instead of Gemm. */
  matmul?: boolean;
}

/** The `--domain` flag of `pseudonet explain` for a domain, when one exists ("bits", "box:lo,hi"). */
export function domainFlag(d: Domain): string | undefined {
  if (d.kind === "bits") return "bits";
  if (d.discrete?.length || d.promise) return undefined;
  const lo = d.lo[0];
  const hi = d.hi[0];
  return d.lo.every((v) => v === lo) && d.hi.every((v) => v === hi) ? `box:${lo},${hi}` : undefined;
}

/** Lower and upper bounds of every input of a domain. */
export function domainBox(d: Domain): { lo: number[]; hi: number[] } {
  return d.kind === "bits" ? { lo: new Array(d.n).fill(0), hi: new Array(d.n).fill(1) } : { lo: [...d.lo], hi: [...d.hi] };
}

/** A box of n inputs between lo and hi. */
export function box(n: number, lo: number, hi: number): Domain {
  return { kind: "box", lo: new Array(n).fill(lo), hi: new Array(n).fill(hi) };
}
