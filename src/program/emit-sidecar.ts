// The code program.ts and program.py carry to read weights.safetensors (see sidecar.ts for the format and why),
// and the expressions that take one tensor from it in place of an inline base64 string.
import type { Tensor } from "../graph/tensor.ts";
import { constB64 } from "./emit-opaque.ts";
import { encodeValues } from "./json-tensor.ts";
import { SIDECAR_FILE, sidecarKey, type Sidecar } from "./sidecar.ts";

/** program.ts: reading the sidecar beside the module with node:fs; float32 tensors are views, not copies. */
export const TS_SIDECAR_READER = `// ---- ${SIDECAR_FILE}: the tensors too big to inline (safetensors: u64 header length, JSON header, raw bytes) ----
/** ${SIDECAR_FILE} beside this file: its header (key -> dtype, shape, data_offsets) and its bytes. */
const SIDECAR = ((): { header: Record<string, { data_offsets: [number, number] }>; bytes: Uint8Array; start: number } => {
  const bytes = new Uint8Array(readFileSync(new URL(${JSON.stringify(`./${SIDECAR_FILE}`)}, import.meta.url)));
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))), bytes, start: 8 + n };
})();

/** The little-endian bytes of one tensor of ${SIDECAR_FILE}. */
function sidecarBytes(key: string): Uint8Array {
  const e = SIDECAR.header[key];
  if (!e) throw new Error(\`${SIDECAR_FILE} holds no tensor '\${key}'\`);
  return SIDECAR.bytes.subarray(SIDECAR.start + e.data_offsets[0], SIDECAR.start + e.data_offsets[1]);
}

/** A float32 tensor of ${SIDECAR_FILE} (a view: pseudonet lays tensors out aligned to their width). */
function sidecarF32(key: string): Float32Array {
  const b = sidecarBytes(key);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}`;

/** program.py: reading the sidecar beside the module with the standard library and numpy. */
export const PY_SIDECAR_READER = `# ---- ${SIDECAR_FILE}: the tensors too big to inline (safetensors: u64 header length, JSON header, raw bytes) ----
import json
import os


def _read_sidecar():
    """${SIDECAR_FILE} beside this file: its header (key -> dtype, shape, data_offsets) and its bytes."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), ${JSON.stringify(SIDECAR_FILE)}), "rb") as f:
        raw = f.read()
    n = int.from_bytes(raw[:8], "little")
    return json.loads(raw[8:8 + n]), memoryview(raw)[8 + n:]


SIDECAR_HEADER, SIDECAR_DATA = _read_sidecar()


def sidecar_bytes(key):
    """The little-endian bytes of one tensor of ${SIDECAR_FILE}."""
    if key not in SIDECAR_HEADER:
        raise KeyError("${SIDECAR_FILE} holds no tensor '%s'" % key)
    a, b = SIDECAR_HEADER[key]["data_offsets"]
    return SIDECAR_DATA[a:b]


def sidecar_f32(key, shape):
    """A float32 tensor of ${SIDECAR_FILE}."""
    return np.frombuffer(sidecar_bytes(key), dtype="<f4").astype(np.float32).reshape(shape)`;

/** The expression for a program weight: from the sidecar when it holds it, else inline base64. */
export function weightExpr(lang: "ts" | "py", sc: Sidecar | undefined, name: string, w: { shape: number[]; data: Float32Array }): string {
  const key = sidecarKey(sc, `weights.${name}`, { dtype: "float32", shape: w.shape, data: w.data });
  if (lang === "ts") return key !== undefined ? `sidecarF32(${JSON.stringify(key)})` : `fromBase64(${JSON.stringify(encodeValues("float32", w.data))})`;
  return key !== undefined ? `sidecar_f32(${JSON.stringify(key)}, ${JSON.stringify(w.shape)})` : `from_base64(${JSON.stringify(encodeValues("float32", w.data))}, ${JSON.stringify(w.shape)})`;
}

/** The expression for an opaque part's constant: from the sidecar when it holds it, else inline base64. */
export function constExpr(lang: "ts" | "py", sc: Sidecar | undefined, key: string, t: Tensor): string {
  const k = sidecarKey(sc, key, t);
  const head = `${JSON.stringify(t.dtype)}, ${JSON.stringify(t.shape)}`;
  if (k !== undefined) return lang === "ts" ? `constantBytes(${head}, sidecarBytes(${JSON.stringify(k)}))` : `constant_bytes(${head}, sidecar_bytes(${JSON.stringify(k)}))`;
  return `constant(${head}, ${JSON.stringify(constB64(t))})`;
}
