// StringNormalizer: drop stopwords from a string tensor of shape [C] or [1, C], then change case.
// case_change_action: "NONE" (default), "LOWER" or "UPPER"; is_case_sensitive (default 0) says whether
// stopwords must match exactly; locale names the case mapping (default en_US). When every string is dropped
// the output is one empty string, [1] or [1, 1], as the ONNX reference and onnxruntime give.
import type { Dim } from "../graph/graph.ts";
import type { Tensor } from "../graph/tensor.ts";
import { OpError } from "../errors.ts";
import { attrInt, attrString, attrStrings, type Op, type OpCtx } from "./op.ts";
import { required } from "./util/elementwise.ts";

export interface StringNormalizerAttrs {
  caseChange: "NONE" | "LOWER" | "UPPER";
  caseSensitive: boolean;
  stopwords: string[];
  locale: string | undefined;
}

/** Read and check the attributes. */
function attrs(ctx: OpCtx): StringNormalizerAttrs {
  const caseChange = attrString(ctx.node, "case_change_action", "NONE");
  if (caseChange !== "NONE" && caseChange !== "LOWER" && caseChange !== "UPPER") {
    throw new OpError(ctx.node, `case_change_action must be NONE, LOWER or UPPER, got "${caseChange}"`);
  }
  const locale = attrString(ctx.node, "locale");
  return {
    caseChange,
    caseSensitive: attrInt(ctx.node, "is_case_sensitive", 0) !== 0,
    stopwords: attrStrings(ctx.node, "stopwords", []),
    // ONNX writes locales as en_US; JS wants en-US. An unknown locale falls back to the default mapping.
    locale: locale ? locale.replace("_", "-") : undefined,
  };
}

/** Check the input shape ([C] or [1, C]) and say whether it is the 2-D form. */
function checkShape(ctx: OpCtx, shape: readonly Dim[]): boolean {
  if (shape.length === 1) return false;
  if (shape.length === 2 && (shape[0] === 1 || typeof shape[0] !== "number")) return true;
  throw new OpError(ctx.node, `input has shape [${shape.join(", ")}]; expected [C] or [1, C]`);
}

/** Lower- or upper-case a string in a locale, falling back to the default mapping for unknown locales. */
function changeCase(s: string, upper: boolean, locale: string | undefined): string {
  try {
    return upper ? s.toLocaleUpperCase(locale) : s.toLocaleLowerCase(locale);
  } catch {
    return upper ? s.toUpperCase() : s.toLowerCase();
  }
}

/** Filter and case-map the strings. */
function normalize(strings: readonly string[], a: StringNormalizerAttrs): string[] {
  const fold = (s: string) => (a.caseSensitive ? s : changeCase(s, false, a.locale));
  const stop = new Set(a.stopwords.map(fold));
  const kept = strings.filter((s) => !stop.has(fold(s)));
  if (a.caseChange === "NONE") return kept;
  return kept.map((s) => changeCase(s, a.caseChange === "UPPER", a.locale));
}

export const StringNormalizer: Op = {
  name: "StringNormalizer",
  shape(infos, ctx) {
    const x = required(ctx.node, infos, 0);
    if (x.dtype !== "string") throw new OpError(ctx.node, `input 0 has type ${x.dtype}; this op accepts string`);
    const a = attrs(ctx);
    if (!x.shape) return [{ dtype: "string", shape: null }];
    if (x.value) {
      const value = normalizeTensor(ctx, x.value, a);
      return [{ dtype: "string", shape: value.shape, value }];
    }
    // How many strings survive depends on their values.
    return [{ dtype: "string", shape: checkShape(ctx, x.shape) ? [1, null] : [null] }];
  },
  run(inputs, ctx) {
    const x = required(ctx.node, inputs, 0);
    if (x.dtype !== "string") throw new OpError(ctx.node, `input 0 has type ${x.dtype}; this op accepts string`);
    return [normalizeTensor(ctx, x, attrs(ctx))];
  },
};

/** The op on a whole tensor: filtered, case-mapped, never empty. */
function normalizeTensor(ctx: OpCtx, x: Tensor, a: StringNormalizerAttrs): Tensor {
  const twoD = checkShape(ctx, x.shape);
  const out = normalize(x.data as string[], a);
  if (out.length === 0) out.push("");
  return { dtype: "string", shape: twoD ? [1, out.length] : [out.length], data: out };
}
