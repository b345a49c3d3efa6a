// Node tests left out on purpose, with why (shared by the conformance and round-trip tests).

/** Patterns matched against the node-test folder name, each with the reason it is out of scope. */
export const NODE_TEST_SKIP: { pattern: RegExp; reason: string }[] = [
  { pattern: /BFLOAT16/, reason: "bfloat16 values: pseudonet's Tensor has no bfloat16 dtype" },
  { pattern: /FLOAT8|E8M0/, reason: "float8 values: pseudonet's Tensor has no float8 dtypes" },
  { pattern: /FLOAT4E2M1/, reason: "float4 values: pseudonet's Tensor has no float4 dtype" },
  { pattern: /_U?INT[24](_|$)/, reason: "packed 2-/4-bit integers: pseudonet's Tensor has no int2/int4 dtypes" },
  { pattern: /^test_identity_opt$/, reason: "optional values: pseudonet runs tensors only" },
  { pattern: /^test_identity_sequence$|^test_split_to_sequence_/, reason: "sequence values: pseudonet runs tensors only" },
];

/** Why a node test is skipped, or undefined when it is in scope. */
export function skipReason(name: string): string | undefined {
  return NODE_TEST_SKIP.find((s) => s.pattern.test(name))?.reason;
}
