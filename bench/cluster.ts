// `npm run bench:cluster`: spectral clustering by normalised cut, ours (own Lanczos, src/recover/spectral.ts)
// against scikit-learn's SpectralClustering (affinity precomputed, /usr/bin/python3) on the same weight graphs:
// (a) the MNIST MLP of the zoo (784-128-128-10), (b) a seeded 4x256 MLP pruned to 90% (largest |w| kept).
// Both cluster the largest connected component into the same k; the n-cut of both partitions is computed here by
// the same function. Writes bench/results/cluster.json (time and n-cut for both, and their ratios).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { f32 } from "../src/graph/tensor.ts";
import { encodeNpy } from "../src/data/npy.ts";
import { readModel } from "../src/onnx/read.ts";
import { normalizePasses } from "../src/graph/passes/index.ts";
import { runPasses } from "../src/pipeline/pass.ts";
import { lower } from "../src/net/lower.ts";
import type { Layer, Net } from "../src/net/net.ts";
import { components, subgraph, weightGraph } from "../src/recover/module-graph.ts";
import { normalizedCut, spectralClusters } from "../src/recover/spectral.ts";
import type { Csr } from "../src/recover/eigen.ts";
import { randn, rng } from "../src/util/rng.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const K = 8;

/** The zoo's MNIST MLP as a Net. */
function mnistNet(): Net {
  const m = readModel(path.join(here, "..", "zoo", "trained", "mnist_mlp", "model.onnx"));
  return lower(runPasses(m, normalizePasses).out).net;
}

/** A seeded MLP with `depth` dense layers of `width` units, each keeping its 10% largest |w|. */
function prunedMlp(width: number, depth: number, keep: number, seed: number): Net {
  const u = rng(seed);
  const layers: Layer[] = [];
  let prev = "x";
  for (let k = 0; k < depth; k++) {
    const W = Float32Array.from({ length: width * width }, () => randn(u));
    const cut = [...W].map(Math.abs).sort((a, b) => b - a)[Math.floor(keep * W.length)];
    for (let i = 0; i < W.length; i++) if (Math.abs(W[i]) <= cut) W[i] = 0;
    layers.push({ kind: "affine", id: `fc${k + 1}`, inputs: [prev], shape: [width], dtype: "float32", origin: [], W, b: new Float32Array(width), inFeatures: width, outFeatures: width });
    prev = `fc${k + 1}`;
    if (k < depth - 1) {
      layers.push({ kind: "act", fn: "relu", id: `relu${k + 1}`, inputs: [prev], shape: [width], dtype: "float32", origin: [] });
      prev = `relu${k + 1}`;
    }
  }
  return { inputs: [{ name: "x", dtype: "float32", shape: [width], batchDim: "N" }], layers, outputs: [{ name: "y", from: prev }] };
}

/** The largest connected component of a graph. */
function largestComponent(a: Csr): Csr {
  const cc = components(a);
  const size = new Array<number>(cc.count).fill(0);
  cc.labels.forEach((c) => size[c]++);
  const big = size.indexOf(Math.max(...size));
  return subgraph(a, [...cc.labels.keys()].filter((i) => cc.labels[i] === big));
}

function dense(a: Csr): Float64Array {
  const d = new Float64Array(a.n * a.n);
  for (let i = 0; i < a.n; i++) for (let p = a.rowStart[i]; p < a.rowStart[i + 1]; p++) d[i * a.n + a.col[p]] = a.val[p];
  return d;
}

const PY = `
import sys, time, json, numpy as np
from sklearn.cluster import SpectralClustering
A = np.load(sys.argv[1]); k = int(sys.argv[2])
t0 = time.perf_counter()
lab = SpectralClustering(n_clusters=k, affinity="precomputed", random_state=0, assign_labels="kmeans").fit(A).labels_
ms = (time.perf_counter() - t0) * 1000
np.save(sys.argv[3], lab.astype(np.int32)); print(json.dumps({"ms": ms}))
`;

interface Row {
  graph: string;
  nodes: number;
  edges: number;
  k: number;
  ours: { ms: number; ncut: number };
  sklearn: { ms: number; ncut: number } | { error: string };
  /** sklearn time / ours, and our n-cut / sklearn's (lower is better for us in both). */
  speedup?: number;
  ncutRatio?: number;
}

function run(name: string, net: Net, tmp: string): Row {
  const a = largestComponent(weightGraph(net).adj);
  const edges = a.rowStart[a.n] / 2;
  const t0 = performance.now();
  const ours = spectralClusters(a, { k: K, seed: 1 });
  const ms = performance.now() - t0;
  const row: Row = { graph: name, nodes: a.n, edges, k: K, ours: { ms, ncut: normalizedCut(a, ours.labels, K) }, sklearn: { error: "" } };
  const fa = path.join(tmp, `${name}.npy`), fl = path.join(tmp, `${name}-labels.npy`), fp = path.join(tmp, "sc.py");
  writeFileSync(fa, encodeNpy(f32([a.n, a.n], Float32Array.from(dense(a)))));
  writeFileSync(fp, PY);
  try {
    const out = JSON.parse(execFileSync("/usr/bin/python3", [fp, fa, String(K), fl], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim().split("\n").pop()!);
    const buf = readFileSync(fl);
    const header = buf.readUInt16LE(8);
    const labels = new Int32Array(buf.buffer.slice(buf.byteOffset + 10 + header, buf.byteOffset + buf.length));
    const sk = { ms: out.ms as number, ncut: normalizedCut(a, labels, K) };
    row.sklearn = sk;
    row.speedup = sk.ms / ms;
    row.ncutRatio = row.ours.ncut / sk.ncut;
  } catch (e) {
    row.sklearn = { error: (e as Error).message.split("\n")[0] };
  }
  return row;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), "pseudonet-cluster-"));
const rows = [run("mnist_mlp", mnistNet(), tmp), run("mlp_4x256_pruned90", prunedMlp(256, 4, 0.1, 3), tmp)];
rmSync(tmp, { recursive: true, force: true });
for (const r of rows) {
  const sk = "ms" in r.sklearn ? `sklearn ${r.sklearn.ms.toFixed(0)} ms, n-cut ${r.sklearn.ncut.toFixed(3)}` : `sklearn failed: ${r.sklearn.error}`;
  process.stdout.write(`${r.graph}: ${r.nodes} nodes, ${r.edges} edges, k=${r.k}: ours ${r.ours.ms.toFixed(0)} ms, n-cut ${r.ours.ncut.toFixed(3)}; ${sk}\n`);
}
const file = path.join(here, "results", "cluster.json");
mkdirSync(path.dirname(file), { recursive: true });
writeFileSync(file, JSON.stringify({ date: new Date().toISOString().slice(0, 10), machine: `${os.cpus().length} cores`, rows }, null, 1) + "\n");
process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
