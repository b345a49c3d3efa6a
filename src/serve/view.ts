// What the explorer page shows, computed on the server from the Program with the same printer program.txt uses,
// so the page and program.txt never disagree: functions as lines of code, which lines open into what, the
// call graph of functions (the module graph), fidelity, and weights for heat maps.
import { typeText, stmtCode, stmtComment } from "../program/printer.ts";
import { paramWeights, type Fn, type Program, type Stmt, type ValueType, type Weight } from "../program/program.ts";
import type { Labels } from "../program/labels.ts";
import type { FeatureGroup, UnitPicture } from "../program/features.ts";

/** One statement as the page shows it. */
export interface LineView {
  /** The path `show` accepts for it: FUNCTION/VAR. */
  path: string;
  code: string;
  comment: string;
  /** What clicking opens: the callee's body, or the primitive's implementation. */
  opens: { kind: "call"; fn: string } | { kind: "prim"; id: string; prim: string; error: number; units: number; layers: { id: string; units: number[] | null }[]; ops?: string[]; features?: FeatureGroupView[] };
  label?: { name: string; description?: string };
}

/** A feature group as the page shows it: the group (program.json's) with its strongest unit's picture and label. */
export type FeatureGroupView = FeatureGroup & {
  unit?: UnitPicture;
  label?: { name: string; description?: string };
};

export interface FnView {
  name: string;
  header: string;
  doc?: string;
  lines: LineView[];
  returns: string;
  label?: { name: string; description?: string };
}

export interface ProgramView {
  name: string;
  entry: string;
  functions: FnView[];
  /** Caller -> callee edges with their number of calls: the module graph. */
  calls: { from: string; to: string; times: number }[];
  fidelity: Program["fidelity"] | null;
  /** Statements and weights in all, for the header. */
  size: { statements: number; weights: number };
}

/** The page's view of a program, with the labels a person gave. */
export function programView(p: Program, labels: Labels): ProgramView {
  const groups = featureViews(p, labels);
  const calls = new Map<string, number>();
  let statements = 0;
  const seen = new Set<string>();
  let weights = 0;
  const functions = p.functions.map((f): FnView => {
    const types = new Map<string, ValueType>(f.params.map((v) => [v.name, v.type]));
    for (const s of f.body) for (const v of s.kind === "prim" ? [s.out] : s.outs) types.set(v.name, v.type);
    const rets = f.returns.map((r) => (types.has(r) ? typeText(types.get(r)!) : "?"));
    const lines = f.body.map((s) => {
      statements++;
      if (s.kind === "call") calls.set(`${f.name}\u0000${s.fn}`, (calls.get(`${f.name}\u0000${s.fn}`) ?? 0) + 1);
      else {
        for (const w of [...paramWeights(s.prim), ...s.prim.slice.weights]) {
          if (seen.has(w.name)) continue;
          seen.add(w.name);
          weights += w.data.length;
        }
      }
      return lineView(f, s, labels, groups.get(`${f.name}/${s.kind === "prim" ? s.out.name : ""}`));
    });
    const label = labels.items[f.name];
    return {
      name: f.name,
      header: `def ${f.name}(${f.params.map((v) => `${v.name}: ${typeText(v.type)}`).join(", ")}) -> ${rets.length === 1 ? rets[0] : `(${rets.join(", ")})`}:`,
      ...(f.doc ? { doc: f.doc } : {}),
      lines,
      returns: f.returns.join(", "),
      ...(label ? { label } : {}),
    };
  });
  return {
    name: p.name,
    entry: p.entry,
    functions,
    calls: [...calls].map(([k, times]) => {
      const [from, to] = k.split("\u0000");
      return { from, to, times };
    }),
    fidelity: p.fidelity ?? null,
    size: { statements, weights },
  };
}

/** Feature groups by FUNCTION/VAR of the statement they group. */
function featureViews(p: Program, labels: Labels): Map<string, FeatureGroupView[]> {
  const out = new Map<string, FeatureGroupView[]>();
  for (const g of p.features?.groups ?? []) {
    const unit = p.features?.units?.find((u) => u.fn === g.fn && u.stmt === g.stmt && u.index === g.units[0]?.index);
    const label = labels.items[g.name];
    const key = `${g.fn}/${g.stmt}`;
    out.set(key, [...(out.get(key) ?? []), { ...g, ...(unit ? { unit } : {}), ...(label ? { label } : {}) }]);
  }
  return out;
}

function lineView(f: Fn, s: Stmt, labels: Labels, features?: FeatureGroupView[]): LineView {
  const out = s.kind === "prim" ? s.out.name : s.outs[0].name;
  const path = `${f.name}/${out}`;
  const label = labels.items[path] ?? (s.kind === "prim" ? labels.items[s.prim.id] : undefined);
  const opens: LineView["opens"] = s.kind === "call"
    ? { kind: "call", fn: s.fn }
    : {
      kind: "prim", id: s.prim.id, prim: s.prim.kind, error: s.prim.error,
      units: s.prim.slice.layers.reduce((a, l) => a + (l.units ? l.units.length : 0), 0),
      layers: s.prim.slice.layers.map((l) => ({ id: l.id, units: l.units ? [...l.units] : null })),
      ...(s.prim.kind === "opaque" ? { ops: s.prim.params.ops } : {}),
      ...(features ? { features } : {}),
    };
  return { path, code: stmtCode(s), comment: stmtComment(s), opens, ...(label ? { label } : {}) };
}

/** A weight for the heat map: at most MAX_CELLS values, rows and columns subsampled evenly when larger. */
export interface WeightView {
  name: string;
  shape: number[];
  /** The matrix drawn: rows x cols (a vector is one row; more dims are flattened after the first). */
  rows: number;
  cols: number;
  values: number[];
  /** Whether rows/cols were subsampled to fit. */
  sampled: boolean;
}

export const MAX_CELLS = 65536;

/** The weights behind one primitive (its parameters and its Net slice), each as a matrix to draw. */
export function weightsOf(p: Program, primId: string): WeightView[] | undefined {
  for (const f of p.functions) {
    for (const s of f.body) {
      if (s.kind !== "prim" || s.prim.id !== primId) continue;
      const ws = new Map<string, Weight>();
      for (const w of [...paramWeights(s.prim), ...s.prim.slice.weights]) ws.set(w.name, w);
      return [...ws.values()].map(matrixView);
    }
  }
  return undefined;
}

function matrixView(w: Weight): WeightView {
  const rows = w.shape.length <= 1 ? 1 : w.shape[0];
  const cols = rows === 0 ? 0 : Math.round(w.data.length / rows);
  const r = Math.min(rows, Math.max(1, Math.floor(MAX_CELLS / Math.max(1, Math.min(cols, 256)))));
  const c = Math.min(cols, Math.floor(MAX_CELLS / Math.max(1, r)));
  const values: number[] = [];
  for (let i = 0; i < r; i++) {
    const ri = Math.floor((i * rows) / r);
    // Four significant digits are more than a heat map shows, and keep the answer small.
    for (let j = 0; j < c; j++) values.push(Number(w.data[ri * cols + Math.floor((j * cols) / c)].toPrecision(4)));
  }
  return { name: w.name, shape: [...w.shape], rows: r, cols: c, values, sampled: r < rows || c < cols };
}
