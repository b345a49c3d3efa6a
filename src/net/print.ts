// A short text dump of a Net, one line per layer, for debugging and `--print net`.
import type { Layer, Net } from "./net.ts";

function maxAbs(a: Float32Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(3));
const shp = (s: readonly number[]) => `[${s.map((d) => (d < 0 ? "?" : d)).join(", ")}]`;

/** What a layer computes, without its inputs: "affine 784->256 |W|<=0.31", "relu", "conv 1->8 k3x3 s1 p1". */
export function describeLayer(l: Layer): string {
  switch (l.kind) {
    case "affine":
      return `affine ${l.inFeatures}->${l.outFeatures} |W|<=${fmt(maxAbs(l.W))} |b|<=${fmt(maxAbs(l.b))}`;
    case "conv": {
      const g = l.groups !== 1 ? ` groups ${l.groups}` : "";
      const d = l.dilations.some((x) => x !== 1) ? ` d${l.dilations.join("x")}` : "";
      return `conv ${l.inChannels}->${l.outChannels} k${l.kernel.join("x")} s${l.strides.join("x")} p${l.pads.join(",")}${d}${g}`;
    }
    case "act": {
      const extra = l.fn === "leaky_relu" ? ` alpha=${fmt(l.alpha ?? 0.01)}` : l.fn === "clip" ? ` [${l.min ?? "-inf"}, ${l.max ?? "inf"}]` : "";
      return `${l.fn}${extra}`;
    }
    case "pool":
      if (l.mode.startsWith("global")) return l.mode === "global_avg" ? "global_avgpool" : "global_maxpool";
      return `${l.mode}pool k${l.kernel.join("x")} s${l.strides.join("x")} p${l.pads.join(",")}${l.ceilMode ? " ceil" : ""}${l.countIncludePad ? " count_pad" : ""}`;
    case "add":
      return "add";
    case "concat":
      return `concat axis ${l.axis}`;
    case "softmax":
      return `${l.log ? "log_softmax" : "softmax"} axis ${l.axis}`;
    case "reshape":
      return "reshape";
    case "opaque": {
      const ops = [...new Set(l.graph.nodes.map((n) => n.op))];
      return `opaque ${l.graph.nodes.length} nodes (${ops.slice(0, 6).join(", ")}${ops.length > 6 ? ", ..." : ""}): ${l.reason}`;
    }
  }
}

/** The whole Net as text: inputs, one line per layer (`id = what(inputs) : shape`), outputs. */
export function printNet(net: Net): string {
  const lines: string[] = [];
  lines.push(`net ${net.name ?? ""}`.trimEnd());
  for (const i of net.inputs) lines.push(`  input ${i.name}: ${i.dtype}${shp(i.shape)} (batch ${i.batchDim ?? "?"})`);
  const w = Math.max(4, ...net.layers.map((l) => l.id.length));
  for (const l of net.layers) {
    const shape = l.kind === "opaque" && !l.perSample ? `${shp(l.shape)} (not per-sample)` : shp(l.shape);
    lines.push(`  ${l.id.padEnd(w)} = ${describeLayer(l)} (${l.inputs.join(", ")}) : ${shape}`);
  }
  for (const o of net.outputs) lines.push(`  output ${o.name} <- ${o.from}`);
  return lines.join("\n");
}
