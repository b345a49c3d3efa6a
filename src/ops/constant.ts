// Constant: a tensor held in an attribute (value, or since opset 12 value_float(s)/int(s)/string(s)).
import type { Node } from "../graph/graph.ts";
import { OpError } from "../errors.ts";
import { tensor, type Tensor } from "../graph/tensor.ts";
import type { Op } from "./op.ts";

/** The node's constant, from whichever value attribute it carries. */
export function constantValue(node: Node): Tensor {
  const names = Object.keys(node.attrs).filter((k) => k === "sparse_value" || k.startsWith("value"));
  if (names.length !== 1) {
    throw new OpError(node, `expected exactly one value attribute, got ${names.length ? names.join(", ") : "none"}`);
  }
  const a = node.attrs[names[0]];
  switch (names[0]) {
    case "value":
      if (a.kind === "tensor") return a.value;
      break;
    case "value_float":
      if (a.kind === "float" || a.kind === "int") return tensor("float32", [], [a.value]);
      break;
    case "value_floats":
      if (a.kind === "floats" || a.kind === "ints") return tensor("float32", [a.value.length], a.value);
      break;
    case "value_int":
      if (a.kind === "int") return tensor("int64", [], [a.value]);
      break;
    case "value_ints":
      if (a.kind === "ints") return tensor("int64", [a.value.length], a.value);
      break;
    case "value_string":
      if (a.kind === "string") return tensor("string", [], [a.value]);
      break;
    case "value_strings":
      if (a.kind === "strings") return tensor("string", [a.value.length], a.value);
      break;
    case "sparse_value":
      throw new OpError(node, "sparse_value constants are not supported");
  }
  throw new OpError(node, `attribute '${names[0]}' has the wrong kind (${a.kind})`);
}

export const constant: Op = {
  name: "Constant",
  shape(_inputs, ctx) {
    const v = constantValue(ctx.node);
    return [{ dtype: v.dtype, shape: [...v.shape], value: v }];
  },
  run(_inputs, ctx) {
    return [constantValue(ctx.node)];
  },
};
