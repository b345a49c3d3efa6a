// Mapping a request path to a file the explorer may serve. The server serves two roots only (the built page and
// the explanation folder), and within the folder only the files explain writes; everything else is "not found".
// Paths are checked after decoding and again after following links, so `..`, `%2e%2e`, absolute paths and
// symlinks that leave a root all end in 404.
import { realpathSync, statSync } from "node:fs";
import path from "node:path";

/** The explanation folder's files the API hands out as they are (others are read through /api routes). */
export const SERVED_DIR_FILES = ["program.txt", "program.json", "report.md", "timings.json", "program.ts", "program.py", "reconstructed.onnx", "units.json"] as const;

/** Pictures explain may write (feature groups' top inputs): features/NAME.png, one level, plain names. */
const PICTURE = /^features\/[A-Za-z0-9_.-]+\.png$/;

/** Decode a URL path component; undefined when it is malformed or holds a NUL, a backslash or a `..` segment. */
export function cleanRelPath(urlPath: string): string | undefined {
  let p: string;
  try {
    p = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (p.includes("\0") || p.includes("\\")) return undefined;
  const parts = p.split("/").filter((s) => s !== "" && s !== ".");
  if (parts.some((s) => s === "..")) return undefined;
  return parts.join("/");
}

/** The real path of `rel` under `root` when it is a regular file whose real path stays inside root's; else undefined. */
export function fileUnder(root: string, rel: string): string | undefined {
  if (!rel || path.isAbsolute(rel)) return undefined;
  let realRoot: string;
  let real: string;
  try {
    realRoot = realpathSync(root);
    real = realpathSync(path.join(realRoot, rel));
  } catch {
    return undefined;
  }
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return undefined;
  try {
    return statSync(real).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a folder-relative path names a file the explorer serves from the explanation folder. */
export function servedFromDir(rel: string): boolean {
  return (SERVED_DIR_FILES as readonly string[]).includes(rel) || PICTURE.test(rel);
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8", ".txt": "text/plain; charset=utf-8", ".md": "text/markdown; charset=utf-8",
  ".png": "image/png", ".svg": "image/svg+xml", ".ico": "image/x-icon", ".ts": "text/plain; charset=utf-8",
  ".py": "text/plain; charset=utf-8", ".onnx": "application/octet-stream", ".woff2": "font/woff2",
};

/** The Content-Type for a file name. */
export function contentType(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream";
}
