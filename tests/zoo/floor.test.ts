// zoo/floor.ts: how far a zoo net is from its reference program and from the best per-output affine function of it.
// An unobfuscated compiled net computes its reference (both distances at float rounding); with every obfuscation,
// argmax4's net is farther from onehot(argmax(x)) than --tolerance 0.01 allows, even after the fit (why a budgeted
// explain keeps its residual there: zoo/README.md's known gaps).
import { test } from "node:test";
import assert from "node:assert/strict";
import { floorOf } from "../../zoo/floor.ts";

test("floor: an unobfuscated net is its reference program; argmax4 with every obfuscation is not within 1e-2 of any a_j ref_j + c_j", () => {
  for (const name of ["argmax4", "max2", "adder2"]) {
    const f = floorOf(name, "none", 1, 500);
    assert.ok(f.toReference <= 1e-5 && f.toAffineOfReference <= 1e-5 && f.toGatedAffine <= 1e-5, JSON.stringify(f));
  }
  const all = floorOf("argmax4", "all", 1, 500);
  assert.ok(all.toReference > 1e-2 && all.toAffineOfReference > 1e-2, JSON.stringify(all));
  // Seeded: the same numbers again.
  assert.deepEqual(floorOf("argmax4", "all", 1, 500), all);
});
