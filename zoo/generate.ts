// Generate one compiled case: build, obfuscate, check, export, and describe it in truth.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { f32 } from "../src/graph/tensor.ts";
import type { Model } from "../src/graph/graph.ts";
import { writeModel } from "../src/onnx/write.ts";
import { programToJson } from "../src/program/json.ts";
import { encodeNpy } from "../src/data/npy.ts";
import { domainBox, domainFlag, type CaseDef, type OutputKind } from "./case.ts";
import { casePoints } from "./domain.ts";
import { toModel, type LayerNodes } from "./export.ts";
import { cloneNet, boundsBefore, forwardNet, type ZooNet } from "./net.ts";
import { applyObfuscation, unitUpper, type ObfRecord, type ObfuscationName } from "./obfuscate.ts";
import { netLayerIds } from "./netids.ts";
import { rng } from "../src/util/rng.ts";
import { subSeed } from "./rng.ts";
import { toProgram } from "./toprogram.ts";
import { DEAD } from "./units.ts";
import { TRUTH_FORMAT, TRUTH_VERSION, type ModuleLayer, type Truth, type TruthFidelity } from "./truth.ts";

/** A generated case: the final network, its ONNX model, truth and domain samples. */
export interface Generated {
  def: CaseDef;
  net: ZooNet;
  model: Model;
  truth: Truth;
  /** Domain samples (rows of the flattened input). */
  points: number[][];
  /** Reference vs network on those samples (also in truth.fidelity). */
  fidelity: TruthFidelity;
}

/** Build and obfuscate a case deterministically from the seed. */
export function generateCase(def: CaseDef, seed: number, obfuscations: readonly ObfuscationName[]): Generated {
  const { lo, hi } = domainBox(def.domain);
  const cx = { u: rng(subSeed(seed, def.name)), lo: Float64Array.from(lo), hi: Float64Array.from(hi) };
  const net = cloneNet(def.build());
  const records: ObfRecord[] = [];
  for (const name of obfuscations) {
    const r = applyObfuscation(name, net, cx);
    if (r) records.push(r);
  }
  roundToFloat32(net);
  const exported = toModel(net, def.name, { matmul: def.matmul });
  const points = casePoints(def, { seed: subSeed(seed, `${def.name}:data`) });
  const fidelity = measure(def, net, points);
  const dead = deadProof(net, cx.lo, cx.hi);
  const program = toProgram(def.program(), { name: def.name, inputShape: def.inputShape, outputSize: def.outputSize });
  const truth: Truth = {
    format: TRUTH_FORMAT,
    version: TRUTH_VERSION,
    name: def.name,
    family: "compiled",
    title: def.title,
    seed,
    input: { name: "x", shape: [...def.inputShape] },
    output: { name: "y", size: def.outputSize, kind: def.output },
    domain: def.domain,
    domainFlag: domainFlag(def.domain) ?? null,
    data: "data.npy",
    program: programToJson(program),
    primitives: [...def.primitives],
    modules: moduleLayers(net, exported.layers, netLayerIds(exported.model)),
    ...(def.conv ? { conv: def.conv } : {}),
    ...(def.repeats ? { repeats: def.repeats } : {}),
    obfuscations: records,
    ...(dead ? { dead } : {}),
    fidelity,
    size: sizeOf(net),
  };
  return { def, net, model: exported.model, truth, points, fidelity };
}

/** Write a generated case into DIR/<name>/: model.onnx, truth.json, data.npy. */
export function writeCase(g: Generated, outDir: string): string {
  const dir = join(outDir, g.def.name);
  mkdirSync(dir, { recursive: true });
  writeModel(g.model, join(dir, "model.onnx"));
  writeFileSync(join(dir, "truth.json"), JSON.stringify(g.truth, null, 1) + "\n");
  writeFileSync(join(dir, "data.npy"), encodeNpy(f32([g.points.length, ...g.def.inputShape], g.points.flat())));
  return dir;
}

/** Round every weight to float32, as the ONNX file stores it, so measurements see the real network. */
function roundToFloat32(net: ZooNet): void {
  for (const br of net.branches) {
    for (const l of br.layers) {
      for (const a of l.kind === "dense" ? [l.W, l.b] : [l.weight, l.bias]) for (let i = 0; i < a.length; i++) a[i] = Math.fround(a[i]);
    }
  }
}

/** Reference vs network on the domain samples. */
export function measure(def: CaseDef, net: ZooNet, points: number[][]): TruthFidelity {
  let max = 0;
  let sum = 0;
  let agree = 0;
  for (const x of points) {
    const r = def.reference(x);
    const y = forwardNet(net, x);
    r.forEach((v, i) => {
      const d = Math.abs(v - y[i]);
      max = Math.max(max, d);
      sum += d;
    });
    if (decisionsAgree(def.output, r, y)) agree++;
  }
  const f: TruthFidelity = { samples: points.length, maxAbsErr: max, meanAbsErr: sum / (points.length * def.outputSize) };
  if (def.output !== "real") f.agreement = agree / points.length;
  return f;
}

/** Do network outputs make the same decision as the reference: bits thresholded at 0.5, or the same argmax. */
export function decisionsAgree(kind: OutputKind, ref: readonly number[], y: ArrayLike<number>): boolean {
  if (kind === "bits") return ref.every((v, i) => (y[i] > 0.5 ? 1 : 0) === v);
  if (kind === "onehot") return argmax(ref) === argmax(y);
  return true;
}

function argmax(a: ArrayLike<number>): number {
  let b = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[b]) b = i;
  return b;
}

/** The interval-bound proof that the dead units stay off on the whole box. */
function deadProof(net: ZooNet, lo: Float64Array, hi: Float64Array): Truth["dead"] {
  let units = 0;
  let worst = -Infinity;
  for (const br of net.branches) {
    br.layers.forEach((l, k) => {
      if (!l.modules.includes(DEAD)) return;
      const b = boundsBefore(br, k, lo, hi);
      const ub = unitUpper(l, b.lo, b.hi);
      l.modules.forEach((m, i) => {
        if (m !== DEAD) return;
        units++;
        worst = Math.max(worst, ub[i]);
      });
    });
  }
  if (!units) return undefined;
  if (worst >= 0) throw new Error(`dead units are not provably dead (upper bound ${worst})`);
  return { units, maxUpperBound: worst };
}

/** Module labels of every hidden layer, by the layer ids of the exported model. */
function moduleLayers(net: ZooNet, nodes: LayerNodes[], layerIds: (n: LayerNodes) => string[]): ModuleLayer[] {
  const out: ModuleLayer[] = [];
  net.branches.forEach((br, b) => {
    br.layers.slice(0, -1).forEach((l, k) => {
      const n = nodes.find((x) => x.branch === b && x.layer === k)!;
      out.push({ ids: layerIds(n), nodes: [n.affine, ...(n.add ? [n.add] : []), ...(n.relu ? [n.relu] : [])], labels: [...l.modules] });
    });
  });
  return out;
}

function sizeOf(net: ZooNet): Truth["size"] {
  let parameters = 0;
  let nonzero = 0;
  let hidden = 0;
  const seen = new Set<string>();
  for (const br of net.branches) {
    const shared = br.shareKey !== undefined && seen.has(br.shareKey);
    if (br.shareKey !== undefined) seen.add(br.shareKey);
    br.layers.forEach((l, k) => {
      if (k < br.layers.length - 1) hidden += l.kind === "dense" ? l.nOut : l.outChannels;
      if (shared) return;
      for (const a of l.kind === "dense" ? [l.W, l.b] : [l.weight, l.bias]) {
        parameters += a.length;
        for (const v of a) if (v !== 0) nonzero++;
      }
    });
  }
  return { parameters, nonzeroParameters: nonzero, hiddenUnits: hidden };
}
