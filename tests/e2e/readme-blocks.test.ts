// The README's shown command output is what the command prints: every code block that starts with
// `$ npx pseudonet ...` is run (in order, in a scratch copy of the repo layout, so explain's folder lands outside
// the tree) and its output compared line for line with the block. A block on a corpus model skips when
// ../shared/corpus is absent; verify's block skips without python3 + numpy (it runs program.py).
import test from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, mkdtempSync, cpSync, symlinkSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");

/** The README's `$ npx pseudonet ...` blocks: the command's arguments and the output shown under it. */
function shownBlocks(readme: string): { args: string[]; shown: string }[] {
  const out: { args: string[]; shown: string }[] = [];
  for (const m of readme.matchAll(/```\n\$ npx pseudonet ([^\n]*)\n([\s\S]*?)```/g)) out.push({ args: m[1].split(/\s+/), shown: m[2] });
  return out;
}

test("README blocks of `$ npx pseudonet ...` print what the README shows", (t) => {
  const blocks = shownBlocks(readFileSync(path.join(root, "README.md"), "utf8"));
  assert.ok(blocks.length >= 4, `found ${blocks.length} blocks`);
  const dir = mkdtempSync(path.join(tmpdir(), "pseudonet-readme-blocks-"));
  cpSync(path.join(root, "examples"), path.join(dir, "examples"), { recursive: true });
  symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
  const corpus = existsSync(path.join(root, "../shared/corpus"));
  const numpy = spawnSync("python3", ["-c", "import numpy"]).status === 0;
  for (const { args, shown } of blocks) {
    const cmd = `pseudonet ${args.join(" ")}`;
    if (args.some((a) => a.startsWith("../shared/")) && !corpus) { t.diagnostic(`skipped (no ../shared/corpus): ${cmd}`); continue; }
    if (args[0] === "verify" && !numpy) { t.diagnostic(`skipped (no python3 + numpy): ${cmd}`); continue; }
    // A block on a corpus model only reads (inspect), so it runs in the checkout, where ../shared is.
    const cwd = args.some((a) => a.startsWith("../shared/")) ? root : dir;
    const printed = execFileSync(process.execPath, ["--import", "tsx", path.join(root, "src/cli/main.ts"), ...args], { cwd, encoding: "utf8" });
    assert.equal(printed, shown, `README's block for \`${cmd}\` differs from what it prints`);
  }
});
