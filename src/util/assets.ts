// Files pseudonet reads at run time from its own source tree (the ONNX schema, the kernels and runtimes that
// emitted programs inline, the zoo's trained models). They are found from the package root, so the same code
// works run from src/ by tsx and compiled into dist/src/ by `npm run build`; package.json "files" ships them.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

/** The folder holding pseudonet's package.json (the repository, or node_modules/pseudonet when installed). */
export function packageRoot(): string {
  if (root) return root;
  // src/util/assets.ts or dist/src/util/assets.js: the root is the nearest folder up with our package.json.
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "pseudonet") return (root = dir);
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`pseudonet's package.json was not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** The absolute path of a file of the source tree, given relative to the package root ("src/onnx/onnx.proto"). */
export function assetPath(rel: string): string {
  return path.join(packageRoot(), rel);
}

/** The text of a source-tree file (see assetPath). */
export function readAsset(rel: string): string {
  return readFileSync(assetPath(rel), "utf8");
}
