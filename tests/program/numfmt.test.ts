// Number formatting: every text must round back to the same float32; rationals only when exact.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { shortFloat, shortRational, simplify } from "../../src/program/numfmt.ts";
import { randn, rng } from "../helpers/rng.ts";

describe("shortFloat / simplify", () => {
  it("round-trip to the same float32 on 20000 random values of many scales", () => {
    const r = rng(1);
    for (let i = 0; i < 20000; i++) {
      const v = Math.fround(randn(r) * 10 ** Math.floor(r() * 12 - 6));
      const d = shortFloat(v);
      assert.equal(Math.fround(Number(d)), v, `${v} -> ${d}`);
      const s = simplify(v);
      const back = s.includes("/") ? Number(s.split("/")[0]) / Number(s.split("/")[1]) : Number(s);
      assert.equal(Math.fround(back), v, `${v} -> ${s}`);
    }
  });

  it("is short for short numbers", () => {
    assert.equal(shortFloat(Math.fround(0.1)), "0.1");
    assert.equal(shortFloat(Math.fround(-2.5)), "-2.5");
    assert.equal(shortFloat(3), "3");
    assert.equal(shortFloat(0), "0");
    assert.equal(shortFloat(Math.fround(1e-7)), "1e-7");
  });

  it("uses p/q (q <= 64) when exact and shorter, decimals otherwise", () => {
    assert.equal(simplify(Math.fround(1 / 3)), "1/3");
    assert.equal(simplify(Math.fround(-5 / 7)), "-5/7");
    assert.equal(simplify(Math.fround(0.25)), "0.25");
    assert.equal(simplify(Math.fround(0.123)), "0.123");
    assert.equal(shortRational(Math.fround(1 / 65)), undefined);
    assert.equal(shortRational(Math.fround(2 / 64)), "1/32");
  });
});
