// Adam (Kingma & Ba, 2015) over a TrainNet's parameters, with bias correction, as torch.optim.Adam computes it.
import { alloc } from "./trainnet.ts";
import type { FArr, LayerParams, TrainNet } from "./types.ts";

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/** Adam's state: the step count and the first and second moments per parameter array. */
export class Adam {
  private step = 0;
  private readonly m = new Map<FArr, FArr>();
  private readonly v = new Map<FArr, FArr>();
  lr: number;
  private readonly b1: number;
  private readonly b2: number;
  private readonly eps: number;

  constructor(private readonly t: TrainNet, opts: AdamOptions) {
    this.lr = opts.lr;
    this.b1 = opts.beta1 ?? 0.9;
    this.b2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
  }

  /** One update p -= lr * mhat / (sqrt(vhat) + eps) from gradients shaped like the parameters. */
  update(grads: ReadonlyMap<string, LayerParams>): void {
    this.step++;
    const c1 = 1 - this.b1 ** this.step, c2 = 1 - this.b2 ** this.step;
    for (const [id, p] of this.t.params) {
      const g = grads.get(id);
      if (!g) continue;
      this.apply(p.w, g.w, c1, c2);
      this.apply(p.b, g.b, c1, c2);
    }
  }

  private apply(p: FArr, g: FArr, c1: number, c2: number): void {
    let m = this.m.get(p), v = this.v.get(p);
    if (!m || !v) {
      const prec = p instanceof Float32Array ? "float32" : "float64";
      this.m.set(p, (m = alloc(prec, p.length)));
      this.v.set(p, (v = alloc(prec, p.length)));
    }
    const { b1, b2, eps, lr } = this;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i];
      m[i] = b1 * m[i] + (1 - b1) * gi;
      v[i] = b2 * v[i] + (1 - b2) * gi * gi;
      p[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
    }
  }
}
