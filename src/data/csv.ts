// Data as CSV: one sample per row, numbers only; a first row with any non-numeric cell is taken as a header.
import { tensor, type Tensor } from "../graph/tensor.ts";
import { UserError } from "../errors.ts";

export interface CsvData {
  tensor: Tensor;
  /** Column names when the first row was a header. */
  header?: string[];
}

/** Parse CSV text (comma, semicolon or tab separated) into a [rows, columns] tensor: int64 if every cell is an integer, else float64. */
export function parseCsv(text: string): CsvData {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const rows: { line: number; cells: string[] }[] = [];
  const sep = detectSeparator(lines.find((l) => l.trim() !== "") ?? "");
  lines.forEach((l, i) => {
    if (l.trim() !== "" && !l.startsWith("#")) rows.push({ line: i + 1, cells: l.split(sep).map(unquote) });
  });
  if (rows.length === 0) throw new UserError("the CSV file has no rows");
  let header: string[] | undefined;
  if (rows[0].cells.some((c) => !isNumber(c))) header = rows.shift()!.cells;
  if (rows.length === 0) throw new UserError("the CSV file has a header row but no data rows");
  const cols = header?.length ?? rows[0].cells.length;
  const values: number[] = [];
  for (const { line, cells } of rows) {
    if (cells.length !== cols) {
      throw new UserError(`line ${line} has ${cells.length} columns, expected ${cols} (${header ? "as in the header" : "as in the first row"})`);
    }
    cells.forEach((c, j) => {
      if (!isNumber(c)) throw new UserError(`line ${line}, column ${j + 1}: '${c}' is not a number`);
      values.push(toNumber(c));
    });
  }
  const ints = values.every((v) => Number.isSafeInteger(v)) && rows.every((r) => r.cells.every((c) => !/[.eE]/.test(c)));
  return { tensor: tensor(ints ? "int64" : "float64", [rows.length, cols], values), header };
}

function detectSeparator(first: string): string {
  for (const s of [",", ";", "\t"]) if (first.includes(s)) return s;
  return ",";
}

function unquote(c: string): string {
  const t = c.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
}

function isNumber(c: string): boolean {
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(c) || /^[+-]?(inf|infinity|nan)$/i.test(c);
}

function toNumber(c: string): number {
  const m = /^([+-]?)(inf|infinity|nan)$/i.exec(c);
  if (!m) return Number(c);
  if (m[2].toLowerCase() === "nan") return NaN;
  return m[1] === "-" ? -Infinity : Infinity;
}
