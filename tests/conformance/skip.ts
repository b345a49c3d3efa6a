// Corpus cases left out on purpose, with why (shared by the conformance, shape and round-trip tests).

/** Patterns matched against a case's folder name (node tests and onnx-backend-extra), each with the reason it
 *  is out of scope. */
export const NODE_TEST_SKIP: { pattern: RegExp; reason: string }[] = [
  { pattern: /BFLOAT16/, reason: "bfloat16 values: pseudonet's Tensor has no bfloat16 dtype" },
  { pattern: /FLOAT8|E8M0/, reason: "float8 values: pseudonet's Tensor has no float8 dtypes" },
  { pattern: /FLOAT4E2M1/, reason: "float4 values: pseudonet's Tensor has no float4 dtype" },
  { pattern: /_U?INT[24](_|$)/, reason: "packed 2-/4-bit integers: pseudonet's Tensor has no int2/int4 dtypes" },
  { pattern: /^test_identity_opt$/, reason: "optional values: pseudonet runs tensors only" },
  { pattern: /^test_identity_sequence$|^test_split_to_sequence_|^test_sequence_model\d/, reason: "sequence values: pseudonet runs tensors only" },
  {
    pattern: /^test_resize_downsample_scales_(linear|cubic)_align_corners$/,
    reason:
      "Resize align_corners with a fractional output length: onnx's Python reference divides by scale * length - 1, " +
      "onnxruntime and pseudonet by the integer output length - 1 (the spec's length_resized); onnxruntime skips these cases too",
  },
  { pattern: /^test_gradient_of_/, reason: "ai.onnx.preview.training Gradient: pseudonet runs inference only" },
];

/** Why a case is skipped, or undefined when it is in scope; `name` may include folders ("simple/test_x"). */
export function skipReason(name: string): string | undefined {
  const base = name.slice(name.lastIndexOf("/") + 1);
  return NODE_TEST_SKIP.find((s) => s.pattern.test(base))?.reason;
}
