// ONNX test-data folders (the layout of the ONNX model zoo and conformance tests: test_data_set_0/input_0.pb,
// input_1.pb, ..., output_0.pb): input_k.pb is the data of the model's k-th input.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const INPUT_FILE = /^input_(\d+)\.pb$/;

/** The input_k.pb files of a folder by k, or undefined when `dir` is not a folder holding any. */
export function testDataInputs(dir: string): Map<number, string> | undefined {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return undefined;
  const files = new Map<number, string>();
  for (const f of readdirSync(dir).sort()) {
    const m = INPUT_FILE.exec(f);
    if (m) files.set(Number(m[1]), path.join(dir, f));
  }
  return files.size ? new Map([...files].sort((a, b) => a[0] - b[0])) : undefined;
}
