// The server's JSON API as the page sees it (the shapes of src/serve/view.ts, restated: the page is built on
// its own and depends on the API, not on the server's code).

export interface Label {
  name: string;
  description?: string;
}

export interface LineView {
  path: string;
  code: string;
  comment: string;
  opens: { kind: "call"; fn: string } | { kind: "prim"; id: string; prim: string; error: number; units: number; layers: { id: string; units: number[] | null }[]; ops?: string[]; features?: FeatureGroupView[] };
  label?: Label;
}

export interface VisScore {
  objective: number;
  dataMax: number;
}

/** A feature group (program.json's "features"), with its strongest unit's visualisation. */
export interface FeatureGroupView {
  name: string;
  fn: string;
  stmt: string;
  units: { index: number; loading: number }[];
  share: number;
  top: { row: number; value: number; input?: number[] }[];
  pictures?: { top?: string; vis?: string };
  vis?: VisScore;
  unit?: { index: number; origin?: string[]; picture: string; vis: VisScore };
  label?: Label;
}

export interface FnView {
  name: string;
  header: string;
  doc?: string;
  lines: LineView[];
  returns: string;
  label?: Label;
}

export interface FidelityView {
  maxAbsErr: number;
  relErr: number;
  samples: number;
  data: string;
  top1Agreement?: number;
  certifiedMaxErr?: number;
}

export interface ProgramView {
  name: string;
  entry: string;
  functions: FnView[];
  calls: { from: string; to: string; times: number }[];
  fidelity: FidelityView | null;
  size: { statements: number; weights: number };
}

export interface WeightView {
  name: string;
  shape: number[];
  rows: number;
  cols: number;
  values: number[];
  sampled: boolean;
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const r = await fetch(url, init);
  const body = (await r.json()) as T & { error?: string };
  if (!r.ok) throw new Error(body.error ?? `${r.status} ${r.statusText}`);
  return body;
}

/** The program as the page shows it. */
export const getView = () => json<ProgramView>("api/view");
/** One statement opened, as `pseudonet show` prints it. */
export const getShow = (path: string) => json<{ path: string; text: string }>(`api/show?path=${encodeURIComponent(path)}`);
/** A primitive's weights as matrices. */
export const getWeights = (prim: string) => json<{ prim: string; weights: WeightView[] }>(`api/weights?prim=${encodeURIComponent(prim)}`);
/** report.md as text. */
export async function getReport(): Promise<string> {
  const r = await fetch("files/report.md");
  return r.ok ? r.text() : "";
}
/** Save (or, with name null, remove) one label. */
export const putLabel = (id: string, name: string | null, description?: string) =>
  json<{ items: Record<string, Label> }>("api/labels", {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ id, name, ...(description ? { description } : {}) }),
  });

export interface UnitView {
  lo: number;
  hi: number;
  counts: number[];
  top: { row: number; value: number }[];
}

export interface UnitsFile {
  input: { name: string; shape: number[] } | null;
  rows: Record<string, number[]>;
  layers: Record<string, UnitView[]>;
}

let units: Promise<UnitsFile | null> | undefined;
/** units.json (fetched once): per-unit histograms and top-activating inputs; null for older folders. */
export function getUnits(): Promise<UnitsFile | null> {
  units ??= fetch("files/units.json").then((r) => (r.ok ? (r.json() as Promise<UnitsFile>) : null), () => null);
  return units;
}
