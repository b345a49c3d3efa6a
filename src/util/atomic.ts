// Atomic file writes: readers (and a crash mid-write) never see a half-written file.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import path from "node:path";
import { UserError } from "../errors.ts";

/** Write bytes or text to `file` via a temp file in the same folder, fsync, then rename over the target. */
export function writeFileAtomic(file: string, data: Uint8Array | string): void {
  const dir = path.dirname(path.resolve(file));
  // Same folder as the target: rename is only atomic within one file system.
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`);
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "wx");
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UserError(`cannot write ${file}: folder ${dir} does not exist; create it first`);
    if (code === "EACCES" || code === "EPERM" || code === "EROFS") throw new UserError(`cannot write ${file}: permission denied (${code})`);
    if (code === "EISDIR") throw new UserError(`cannot write ${file}: it is a directory; give a file path`);
    throw e;
  }
}
