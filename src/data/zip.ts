// Just enough of the zip format for .npz: read stored/deflated members (incl. zip64 sizes), write stored members.
import { crc32, inflateRawSync } from "node:zlib";
import { UserError } from "../errors.ts";

export interface ZipEntry {
  name: string;
  data: Buffer;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const ZIP64_EOCD = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;

/** Deflate never expands data by more than this factor (1032:1 for runs of one byte), so a member claiming more is corrupt. */
const MAX_DEFLATE_RATIO = 1032;

/** Read every file member of a zip archive; any offset or size pointing outside the file is a one-line error. */
export function readZip(buf: Buffer): ZipEntry[] {
  try {
    return readZipUnchecked(buf);
  } catch (e) {
    if (e instanceof RangeError) throw new UserError("broken zip archive (an offset or size in it points outside the file)");
    throw e;
  }
}

function readZipUnchecked(buf: Buffer): ZipEntry[] {
  const eocd = findEocd(buf);
  let count = buf.readUInt16LE(eocd + 10);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  if (cdOffset === 0xffffffff || count === 0xffff) {
    // zip64: the real values sit in the zip64 end record that the locator (just before EOCD) points at.
    const loc = eocd - 20;
    if (loc < 0 || buf.readUInt32LE(loc) !== ZIP64_LOCATOR) throw new UserError("broken zip64 archive (no zip64 locator)");
    const rec = Number(buf.readBigUInt64LE(loc + 8));
    if (buf.readUInt32LE(rec) !== ZIP64_EOCD) throw new UserError("broken zip64 archive (bad zip64 end record)");
    count = Number(buf.readBigUInt64LE(rec + 32));
    cdOffset = Number(buf.readBigUInt64LE(rec + 48));
  }
  const out: ZipEntry[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL) throw new UserError("broken zip archive (bad central directory)");
    const method = buf.readUInt16LE(p + 10);
    let csize = buf.readUInt32LE(p + 20);
    let usize = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    let local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString("utf8");
    // zip64 extra field (id 1): 8-byte values, only for the fields that were 0xffffffff, in this order.
    let e = p + 46 + nameLen;
    const eEnd = e + extraLen;
    while (e + 4 <= eEnd) {
      const id = buf.readUInt16LE(e);
      const size = buf.readUInt16LE(e + 2);
      if (id === 1) {
        let q = e + 4;
        if (usize === 0xffffffff) { usize = Number(buf.readBigUInt64LE(q)); q += 8; }
        if (csize === 0xffffffff) { csize = Number(buf.readBigUInt64LE(q)); q += 8; }
        if (local === 0xffffffff) { local = Number(buf.readBigUInt64LE(q)); q += 8; }
      }
      e += 4 + size;
    }
    p = eEnd + commentLen;
    if (name.endsWith("/")) continue;
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== LOCAL) throw new UserError(`broken zip archive (bad local header for '${name}')`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (start + csize > buf.length) throw new UserError(`zip archive is truncated inside '${name}'`);
    const raw = buf.subarray(start, start + csize);
    let data: Buffer;
    if (method === 0) data = raw;
    else if (method === 8) {
      if (usize > MAX_DEFLATE_RATIO * Math.max(csize, 1)) throw new UserError(`zip member '${name}' claims ${usize} bytes from ${csize} compressed ones, more than deflate can give; the file is corrupt`);
      try {
        data = inflateRawSync(raw, { maxOutputLength: Math.max(usize, 1) });
      } catch (err) {
        throw new UserError(`cannot inflate '${name}' in the zip archive: ${(err as Error).message}`);
      }
    } else throw new UserError(`zip member '${name}' uses compression method ${method}; only stored and deflate are supported`);
    if (data.length !== usize) throw new UserError(`zip member '${name}' has ${data.length} bytes, its header says ${usize}`);
    out.push({ name, data });
  }
  return out;
}

function findEocd(buf: Buffer): number {
  // The end record is 22 bytes plus a comment of at most 65535 bytes.
  const min = Math.max(0, buf.length - 22 - 0xffff);
  for (let i = buf.length - 22; i >= min; i--) if (buf.readUInt32LE(i) === EOCD) return i;
  throw new UserError(buf.length === 0 ? "the file is empty, not a zip archive" : "not a zip archive (no end-of-central-directory record)");
}

/** Write members into an uncompressed zip archive (sizes must stay below 4 GiB). */
export function writeZip(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    if (data.length >= 0xffffffff || offset >= 0xffffffff) throw new UserError("output too large for a zip archive without zip64 (4 GiB)");
    const nameBuf = Buffer.from(name, "utf8");
    const crc = crc32(data);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(LOCAL, 0);
    lh.writeUInt16LE(20, 4); // version needed
    lh.writeUInt16LE(0x0800, 6); // flags: UTF-8 names
    lh.writeUInt16LE(0, 8); // stored
    lh.writeUInt16LE(0, 10); // time
    lh.writeUInt16LE(0x21, 12); // date 1980-01-01
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(data.length, 18);
    lh.writeUInt32LE(data.length, 22);
    lh.writeUInt16LE(nameBuf.length, 26);
    lh.writeUInt16LE(0, 28);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(CENTRAL, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    lh.copy(ch, 8, 6, 30); // flags .. extra length are the same fields
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, nameBuf, data);
    centrals.push(ch, nameBuf);
    offset += 30 + nameBuf.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(EOCD, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
