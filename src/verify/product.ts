// The product network: two Nets side by side on the same inputs, as one list of nodes in topological order
// (a's layers, then b's), so that a linear bound can be back-substituted through both at once and the
// difference a - b bounded directly.
import type { Layer, Net } from "../net/net.ts";
import { sizeOf } from "./ibp.ts";

/** One value of the product network: a shared input, or a layer of a or b. */
export interface ProductNode {
  /** "x/<input>", "a/<layer id>" or "b/<layer id>". */
  key: string;
  /** Undefined for inputs. */
  layer?: Layer;
  /** Keys of the values the layer reads. */
  inputs: string[];
  shape: number[];
  size: number;
}

export interface ProductNet {
  /** Inputs first, then a's layers, then b's, each in topological order. */
  nodes: ProductNode[];
  index: Map<string, number>;
  /** Output keys of a and b, in Net output order. */
  outA: string[];
  outB: string[];
}

/** Key of a Net's value `ref` (an input name or a layer id) in the product, for side "a" or "b". */
function keyOf(net: Net, side: string, ref: string, ids: Set<string>): string {
  return ids.has(ref) ? `${side}/${ref}` : `x/${ref}`;
}

/** a and b side by side on shared inputs (matched by name; b's inputs must be a's). */
export function productNet(a: Net, b: Net): ProductNet {
  const nodes: ProductNode[] = a.inputs.map((i) => ({ key: `x/${i.name}`, inputs: [], shape: i.shape, size: sizeOf(i.shape) }));
  const names = new Set(a.inputs.map((i) => i.name));
  for (const i of b.inputs) if (!names.has(i.name)) throw new Error(`productNet: input '${i.name}' of the second net is not an input of the first`);
  const side = (net: Net, s: string): string[] => {
    const ids = new Set(net.layers.map((l) => l.id));
    for (const l of net.layers) {
      nodes.push({ key: `${s}/${l.id}`, layer: l, inputs: l.inputs.map((r) => keyOf(net, s, r, ids)), shape: l.shape, size: l.shape.some((d) => d < 0) ? 0 : sizeOf(l.shape) });
    }
    return net.outputs.map((o) => keyOf(net, s, o.from, ids));
  };
  const outA = side(a, "a"), outB = side(b, "b");
  return { nodes, index: new Map(nodes.map((n, i) => [n.key, i])), outA, outB };
}
