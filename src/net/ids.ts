// Layer ids: readable, stable across runs, unique in a Net, and free of the ':' that separates unit indices.
import type { Net } from "./net.ts";

/** A layer id from an ONNX node name: "/fc1/Gemm" -> "fc1", "/block1/Relu_1" -> "block1.Relu_1", "Gemm_0" -> "Gemm_0". */
export function idFromNodeName(name: string, op: string): string {
  const parts = name.split("/").filter((p) => p !== "");
  const kept = parts.length > 1 && parts[parts.length - 1] === op ? parts.slice(0, -1) : parts;
  const id = kept.join(".").replace(/[^A-Za-z0-9_.-]/g, "_").replace(/^[._-]+/, "");
  return id === "" ? op : id;
}

/** The leading "/"-separated scope every node name shares (e.g. "tf_bert_for_question_answering/bert/"),
 *  so ids can drop it; "" when some name has no scope or the names share none. */
export function commonScope(names: readonly string[]): string {
  const split = names.map((n) => n.split("/"));
  if (!split.length || split.some((p) => p.length < 2)) return "";
  let k = 0;
  const limit = Math.min(...split.map((p) => p.length - 1));
  while (k < limit && split.every((p) => p[k] === split[0][k])) k++;
  return k ? `${split[0].slice(0, k).join("/")}/` : "";
}

/** The axis that indexes a layer's units: the last axis of affine layers (and what follows them elementwise),
 *  axis 0 otherwise (features of a vector, channels of an image). */
export function unitAxes(net: Net): Map<string, number> {
  const axes = new Map<string, number>();
  for (const inp of net.inputs) axes.set(inp.name, 0);
  for (const l of net.layers) {
    let axis = 0;
    if (l.kind === "affine") axis = l.shape.length - 1;
    else if (l.kind === "act" || l.kind === "add") axis = axes.get(l.inputs[0]) ?? 0;
    axes.set(l.id, Math.max(axis, 0));
  }
  return axes;
}
