// The types block attributes must have in program.json, so that a hand-edited or corrupted file is refused with
// a FormatError at load time instead of crashing the printer or the expansion (e.g. `perm: 3` reaching
// `perm.join`). Two tables: the type an attribute has wherever it appears (by name), and the attributes a block
// kind cannot do without (its expansion and printer read them unconditionally).
import type { SeqKind } from "../seq/defs.ts";

/** What a block attribute's JSON value must be. */
export type SeqAttrType = "int" | "ints" | "number" | "string" | "strings";

/** Attribute types by name; every block that has one of these attributes uses it this way. */
export const SEQ_ATTR_TYPES: Readonly<Record<string, SeqAttrType>> = {
  perm: "ints", dims: "ints", axes: "ints",
  axis: "int", past_axis: "int", to: "int", cast_to: "int", heads: "int", hidden_size: "int",
  epsilon: "number",
  activations: "strings", direction: "string", mask: "string", approximate: "string",
};

/** Attributes each kind requires (absent ones would be read as undefined by its expansion or printer). */
export const SEQ_REQUIRED_ATTRS: Partial<Readonly<Record<SeqKind, readonly string[]>>> = {
  transpose: ["perm"], zeros: ["dims"], unsqueeze: ["axes"], squeeze: ["axes"], cast: ["to"],
  concat_axis: ["axis"], positions: ["axis"], split_heads: ["heads"],
};

/** Does a parsed attribute value have the type? (Non-finite numbers are numbers, not ints.) */
export function hasAttrType(v: unknown, t: SeqAttrType): boolean {
  switch (t) {
    case "int": return typeof v === "number" && Number.isInteger(v);
    case "ints": return Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isInteger(x));
    case "number": return typeof v === "number";
    case "string": return typeof v === "string";
    case "strings": return Array.isArray(v) && v.every((x) => typeof x === "string");
  }
}

/** Words for a type in an error message. */
export const ATTR_TYPE_WORDS: Readonly<Record<SeqAttrType, string>> = {
  int: "an integer", ints: "a list of integers", number: "a number", string: "a string", strings: "a list of strings",
};
