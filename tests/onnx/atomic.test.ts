// writeFileAtomic: the whole content or nothing, no temp files left behind, clear errors.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { UserError } from "../../src/errors.ts";
import { writeFileAtomic } from "../../src/util/atomic.ts";

describe("writeFileAtomic", () => {
  let dir = "";
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "pseudonet-atomic-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes bytes and text, replaces an existing file, and leaves no temp file", () => {
    const f = path.join(dir, "a.bin");
    const big = Uint8Array.from({ length: 3_000_000 }, (_, i) => (i * 31) & 255);
    writeFileAtomic(f, big);
    assert.deepEqual(new Uint8Array(readFileSync(f)), big);
    writeFileAtomic(f, "héllo\n");
    assert.equal(readFileSync(f, "utf8"), "héllo\n");
    assert.deepEqual(readdirSync(dir), ["a.bin"]);
  });

  it("a missing folder is a UserError naming it", () => {
    const f = path.join(dir, "no", "such", "x.txt");
    assert.throws(() => writeFileAtomic(f, "x"), (e: unknown) => e instanceof UserError && e.message.includes(path.join(dir, "no", "such")));
  });

  it("a directory in the way is a UserError, and the old content and folder are untouched", () => {
    const d = path.join(dir, "taken");
    mkdirSync(d);
    writeFileSync(path.join(d, "keep.txt"), "keep");
    assert.throws(() => writeFileAtomic(d, "x"), UserError);
    assert.equal(readFileSync(path.join(d, "keep.txt"), "utf8"), "keep");
    assert.ok(readdirSync(dir).every((n) => !n.endsWith(".tmp")), `temp file left: ${readdirSync(dir)}`);
  });
});
