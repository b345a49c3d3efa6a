// Writing explain's output folder all at once: files go into a temp folder beside DIR, which is then renamed
// into place, so DIR never holds a half-written explanation. A DIR that exists must be a previous pseudonet
// output (or empty); anything else is left alone with a clear error.
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { UserError } from "../errors.ts";
import { FORMAT } from "../program/json.ts";
import { SIDECAR_FILE } from "../program/sidecar.ts";

/** Every file explain writes. */
export const OUTPUT_FILES = ["program.txt", "program.json", "program.ts", "program.py", "reconstructed.onnx", "report.md", "timings.json", "units.json"] as const;

/** Files an output folder may also hold: the weights sidecar of big programs, and the labels a person gave in
 *  the explorer (kept when explain rewrites the folder: names are a person's work). */
export const OPTIONAL_OUTPUT_FILES = [SIDECAR_FILE, "labels.json", "refined.onnx", "refine.md", "refine.json"] as const;

/** Folders explain may write: pictures of feature groups (features/NAME.png). */
export const OUTPUT_FOLDERS = ["features"] as const;

function isOurProgramJson(file: string): boolean {
  try {
    const head = readFileSync(file, "utf8").slice(0, 200);
    return head.includes(`"format": "${FORMAT}"`) || head.includes(`"format":"${FORMAT}"`);
  } catch {
    return false;
  }
}

/** Throw unless `dir` is absent, empty, or a previous pseudonet output (which will be replaced). */
export function checkOutputDir(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new UserError(`--out ${dir} is a file, not a folder; give a folder path for the explanation`);
  const entries = readdirSync(dir);
  if (entries.length === 0) return;
  const foreign = entries.filter((e) => !(OUTPUT_FILES as readonly string[]).includes(e) && !(OPTIONAL_OUTPUT_FILES as readonly string[]).includes(e) && !(OUTPUT_FOLDERS as readonly string[]).includes(e));
  const ours = entries.includes("program.json") && isOurProgramJson(path.join(dir, "program.json"));
  if (foreign.length || !ours) {
    const shown = (foreign.length ? foreign : entries).slice(0, 5).join(", ");
    throw new UserError(
      `--out ${dir} already exists and holds ${shown}${entries.length > 5 ? ", ..." : ""}, which is not a previous pseudonet output; ` +
        "choose a new folder (or an empty one), or remove it first",
    );
  }
}

/** Write every file into `dir` at once (temp folder + rename), replacing a previous pseudonet output. */
export function writeOutputDir(dir: string, files: ReadonlyMap<string, string | Uint8Array>): void {
  checkOutputDir(dir);
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  mkdirSync(parent, { recursive: true });
  const tmp = mkdtempSync(path.join(parent, `.${path.basename(target)}.pseudonet-`));
  try {
    chmodSync(tmp, 0o755 & ~process.umask()); // mkdtemp makes it private; the result is an ordinary folder
    for (const [name, content] of files) {
      if (name.includes("/")) mkdirSync(path.join(tmp, path.dirname(name)), { recursive: true });
      writeFileSync(path.join(tmp, name), content);
    }
    const labels = path.join(target, "labels.json");
    if (existsSync(labels) && !files.has("labels.json")) copyFileSync(labels, path.join(tmp, "labels.json"));
    if (existsSync(target)) {
      const old = `${tmp}.old`;
      renameSync(target, old);
      try {
        renameSync(tmp, target);
      } catch (e) {
        renameSync(old, target);
        throw e;
      }
      rmSync(old, { recursive: true, force: true });
    } else renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EACCES" || code === "EPERM" || code === "EROFS") throw new UserError(`cannot write ${dir}: permission denied (${code})`);
    throw e;
  }
}
