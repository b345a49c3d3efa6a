// Elementwise activations, forward and backward. Derivatives follow PyTorch's conventions at the kinks:
// relu'(0) = 0, abs'(0) = 0, clip passes the gradient where min <= x <= max.
import { erf } from "../../ops/erf.ts";
import type { ActLayer } from "../../net/net.ts";
import type { FArr } from "../types.ts";

const SQRT2PI = Math.sqrt(2 * Math.PI), K = Math.sqrt(2 / Math.PI), C3 = 0.044715;

/** y = f(x) elementwise. */
export function actForward(l: ActLayer, x: FArr, y: FArr): void {
  const n = x.length;
  switch (l.fn) {
    case "relu": for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0; return;
    case "leaky_relu": { const a = l.alpha ?? 0.01; for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : a * x[i]; return; }
    case "sigmoid": for (let i = 0; i < n; i++) y[i] = 1 / (1 + Math.exp(-x[i])); return;
    case "tanh": for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]); return;
    case "exp": for (let i = 0; i < n; i++) y[i] = Math.exp(x[i]); return;
    case "abs": for (let i = 0; i < n; i++) y[i] = Math.abs(x[i]); return;
    case "identity": y.set(x); return;
    case "clip": {
      const lo = l.min ?? -Infinity, hi = l.max ?? Infinity;
      for (let i = 0; i < n; i++) y[i] = Math.min(hi, Math.max(lo, x[i]));
      return;
    }
    case "gelu": for (let i = 0; i < n; i++) y[i] = 0.5 * x[i] * (1 + erf(x[i] * Math.SQRT1_2)); return;
    case "gelu_tanh": for (let i = 0; i < n; i++) { const v = x[i]; y[i] = 0.5 * v * (1 + Math.tanh(K * (v + C3 * v * v * v))); } return;
  }
}

/** dx += f'(x) dy, from the input x and output y of the forward pass. */
export function actBackward(l: ActLayer, x: FArr, y: FArr, dy: FArr, dx: FArr): void {
  const n = x.length;
  switch (l.fn) {
    case "relu": for (let i = 0; i < n; i++) { if (x[i] > 0) dx[i] += dy[i]; } return;
    case "leaky_relu": { const a = l.alpha ?? 0.01; for (let i = 0; i < n; i++) dx[i] += x[i] > 0 ? dy[i] : a * dy[i]; return; }
    case "sigmoid": for (let i = 0; i < n; i++) dx[i] += dy[i] * y[i] * (1 - y[i]); return;
    case "tanh": for (let i = 0; i < n; i++) dx[i] += dy[i] * (1 - y[i] * y[i]); return;
    case "exp": for (let i = 0; i < n; i++) dx[i] += dy[i] * y[i]; return;
    case "abs": for (let i = 0; i < n; i++) dx[i] += x[i] > 0 ? dy[i] : x[i] < 0 ? -dy[i] : 0; return;
    case "identity": for (let i = 0; i < n; i++) dx[i] += dy[i]; return;
    case "clip": {
      const lo = l.min ?? -Infinity, hi = l.max ?? Infinity;
      for (let i = 0; i < n; i++) if (x[i] >= lo && x[i] <= hi) dx[i] += dy[i];
      return;
    }
    case "gelu": // d/dx x Phi(x) = Phi(x) + x phi(x)
      for (let i = 0; i < n; i++) {
        const v = x[i];
        dx[i] += dy[i] * (0.5 * (1 + erf(v * Math.SQRT1_2)) + (v * Math.exp(-0.5 * v * v)) / SQRT2PI);
      }
      return;
    case "gelu_tanh":
      for (let i = 0; i < n; i++) {
        const v = x[i], t = Math.tanh(K * (v + C3 * v * v * v));
        dx[i] += dy[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * K * (1 + 3 * C3 * v * v));
      }
      return;
  }
}
