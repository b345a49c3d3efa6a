// Feature groups in the Program IR: for a wide layer no rule named (an affine + ReLU statement), the groups of
// units that fire together on the data, found by non-negative matrix factorisation of the layer's activations
// (src/recover/feature-groups.ts). A reading aid beside the program: they change nothing it computes.
// program.json keeps them under "features"; report.md, program.txt comments and the explorer show them.
import { arr, FormatError, int, numb, obj, oneOf, opt, str, type JsonObj } from "./json-check.ts";

/** One unit of a group: its index in the statement's output and its loading (the group's largest is 1). */
export interface FeatureUnit {
  /** Index into the statement's output vector (`h2[index]`). */
  index: number;
  loading: number;
}

/** One input that drives a group hard: a row of the data given to explain, and the group's activation on it. */
export interface FeatureExample {
  /** Row index into the data as given (before the analysis / held-out split). */
  row: number;
  value: number;
  /** The input itself, for small vector inputs (at most MAX_SHOWN_INPUT values): the explorer's table. */
  input?: number[];
}

/** Vector inputs up to this many values are kept with the top examples (larger ones: see the data by row). */
export const MAX_SHOWN_INPUT = 64;

/** The pictures explain wrote for a group (paths relative to the output folder). */
export interface FeaturePictures {
  /** The top inputs side by side, strongest first (image inputs only). */
  top?: string;
  /** A feature visualisation: an input made by gradient ascent to drive the group (image inputs only). */
  vis?: string;
}

/** A group of units that fire together: `feature_k`. */
export interface FeatureGroup {
  /** `feature_1`, `feature_2`, ... numbered over the whole program, largest share first within a statement. */
  name: string;
  /** Where: the function and the statement's output variable. */
  fn: string;
  stmt: string;
  /** Units whose activation this group explains best, strongest loading first. */
  units: FeatureUnit[];
  /** Fraction of the statement's total activation (sum over rows and units) the group's part W_k H_k accounts for. */
  share: number;
  /** Inputs that drive the group hardest (its NMF coefficient), strongest first. */
  top: FeatureExample[];
  pictures?: FeaturePictures;
  /** The visualisation's objective <loadings, activations> beside the largest the data reaches. */
  vis?: VisScore;
}

/** How hard a visualisation drives its target: the objective it reaches and the data's largest. */
export interface VisScore {
  objective: number;
  dataMax: number;
}

/** A visualisation of one unit (each group's strongest unit): the unit as the statement indexes it. */
export interface UnitPicture {
  fn: string;
  stmt: string;
  index: number;
  /** The lowered Net's unit ids it stands for (units.json's), when simplify renumbered units. */
  origin?: string[];
  picture: string;
  vis: VisScore;
}

/** How a statement's groups were chosen. */
export interface FeatureLayer {
  fn: string;
  stmt: string;
  /** Units factorised (those active and not constant on the data) out of the statement's width. */
  units: number;
  width: number;
  /** Rows the factorisation was fitted on, and rows ranked for top inputs. */
  fitRows: number;
  rows: number;
  /** "knee": k at the knee of the explained-variance curve over k = 1..K; "budget": k given by the user. */
  chosenBy: "knee" | "budget";
  k: number;
  /** Explained variance (1 - ||A - WH||^2 / ||A - mean||^2) for k = 1, 2, ... as tried (only k for a budget). */
  explained: number[];
}

export interface FeatureAnalysis {
  /** The options that shaped the analysis, so a reader can rerun it. */
  seed: number;
  layers: FeatureLayer[];
  groups: FeatureGroup[];
  /** Visualisations of single units. */
  units?: UnitPicture[];
  /** Why there are no visualisations, when there are none for image inputs (e.g. an opaque layer). */
  visNote?: string;
  /** Statements looked at and left out, with why (too narrow, not non-negative, ...). */
  skipped: { fn: string; stmt: string; reason: string }[];
}

/** JSON form (plain numbers; pictures as relative paths). */
export function featuresToJson(a: FeatureAnalysis): JsonObj {
  return JSON.parse(JSON.stringify(a)) as JsonObj;
}

/** Read and check the "features" object of program.json. */
export function featuresFromJson(v: unknown, path: string): FeatureAnalysis {
  const o = obj(v, path);
  const layers = arr(o.layers ?? [], `${path}.layers`).map((x, i): FeatureLayer => {
    const p = `${path}.layers[${i}]`, l = obj(x, p);
    return {
      fn: str(l.fn, `${p}.fn`), stmt: str(l.stmt, `${p}.stmt`), units: int(l.units, `${p}.units`, 0), width: int(l.width, `${p}.width`, 0),
      fitRows: int(l.fitRows, `${p}.fitRows`, 0), rows: int(l.rows, `${p}.rows`, 0), chosenBy: oneOf(l.chosenBy, `${p}.chosenBy`, ["knee", "budget"] as const),
      k: int(l.k, `${p}.k`, 1), explained: arr(l.explained, `${p}.explained`).map((e, j) => numb(e, `${p}.explained[${j}]`)),
    };
  });
  const groups = arr(o.groups ?? [], `${path}.groups`).map((x, i): FeatureGroup => {
    const p = `${path}.groups[${i}]`, g = obj(x, p);
    const name = str(g.name, `${p}.name`);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new FormatError(`${p}.name`, `'${name}' is not an identifier`);
    const pics = opt(g, "pictures", (pv, pp) => {
      const po = obj(pv, pp);
      const pic = (k: string) => opt(po, k, (s, sp) => picturePath(str(s, sp), sp), pp);
      const top = pic("top"), vis = pic("vis");
      return { ...(top ? { top } : {}), ...(vis ? { vis } : {}) };
    }, p);
    return {
      name, fn: str(g.fn, `${p}.fn`), stmt: str(g.stmt, `${p}.stmt`),
      units: arr(g.units, `${p}.units`).map((u, j) => {
        const uo = obj(u, `${p}.units[${j}]`);
        return { index: int(uo.index, `${p}.units[${j}].index`, 0), loading: numb(uo.loading, `${p}.units[${j}].loading`) };
      }),
      share: numb(g.share, `${p}.share`),
      top: arr(g.top, `${p}.top`).map((t, j) => {
        const to = obj(t, `${p}.top[${j}]`);
        const input = to.input === undefined ? undefined : arr(to.input, `${p}.top[${j}].input`).map((q, k) => numb(q, `${p}.top[${j}].input[${k}]`));
        return { row: int(to.row, `${p}.top[${j}].row`, 0), value: numb(to.value, `${p}.top[${j}].value`), ...(input ? { input } : {}) };
      }),
      ...(pics ? { pictures: pics } : {}),
      ...(g.vis !== undefined ? { vis: visScore(g.vis, `${p}.vis`) } : {}),
    };
  });
  const units = opt(o, "units", (uv, up) => arr(uv, up).map((x, i): UnitPicture => {
    const p = `${up}[${i}]`, u = obj(x, p);
    return {
      fn: str(u.fn, `${p}.fn`), stmt: str(u.stmt, `${p}.stmt`), index: int(u.index, `${p}.index`, 0),
      ...(u.origin !== undefined ? { origin: arr(u.origin, `${p}.origin`).map((s, j) => str(s, `${p}.origin[${j}]`)) } : {}),
      picture: picturePath(str(u.picture, `${p}.picture`), `${p}.picture`), vis: visScore(u.vis, `${p}.vis`),
    };
  }), path);
  const visNote = opt(o, "visNote", str, path);
  const skipped = arr(o.skipped ?? [], `${path}.skipped`).map((x, i) => {
    const s = obj(x, `${path}.skipped[${i}]`);
    return { fn: str(s.fn, `${path}.skipped[${i}].fn`), stmt: str(s.stmt, `${path}.skipped[${i}].stmt`), reason: str(s.reason, `${path}.skipped[${i}].reason`) };
  });
  return { seed: int(o.seed ?? 0, `${path}.seed`), layers, groups, ...(units ? { units } : {}), ...(visNote !== undefined ? { visNote } : {}), skipped };
}

function visScore(v: unknown, path: string): VisScore {
  const o = obj(v, path);
  return { objective: numb(o.objective, `${path}.objective`), dataMax: numb(o.dataMax, `${path}.dataMax`) };
}

/** Pictures live in the output folder's features/ (one level, plain names): nothing else is accepted. */
export const PICTURE_PATH = /^features\/[A-Za-z0-9_.-]+\.png$/;

function picturePath(s: string, path: string): string {
  if (!PICTURE_PATH.test(s)) throw new FormatError(path, `'${s}' is not a picture path features/NAME.png`);
  return s;
}

/** The program.txt comment naming a statement's groups: `feature groups feature_1..feature_5 (report.md)`, or
 *  every name when a person named some of them (labels). */
export function groupsClause(names: readonly string[]): string {
  const plain = names.every((n, i) => i === 0 || n === `feature_${Number(names[0].slice(8)) + i}`) && /^feature_\d+$/.test(names[0] ?? "");
  return `feature groups ${plain && names.length > 3 ? `${names[0]}..${names[names.length - 1]}` : names.join(", ")} (report.md)`;
}

/** The analysis and statement comments with labelled groups renamed (labels.json: group name -> identifier). */
export function labelGroups<T extends { features?: FeatureAnalysis; functions: { name: string; body: { kind: string; comment?: string; out?: { name: string } }[] }[] }>(p: T, rename: (name: string) => string | undefined): T {
  const a = p.features;
  if (!a || !a.groups.some((g) => rename(g.name))) return p;
  const groups = a.groups.map((g) => ({ ...g, name: rename(g.name) ?? g.name }));
  const byStmt = new Map<string, string[]>();
  for (const g of groups) byStmt.set(`${g.fn}/${g.stmt}`, [...(byStmt.get(`${g.fn}/${g.stmt}`) ?? []), g.name]);
  const functions = p.functions.map((f) => ({
    ...f,
    body: f.body.map((s) => {
      const names = s.kind === "prim" && s.out ? byStmt.get(`${f.name}/${s.out.name}`) : undefined;
      return names && s.comment ? { ...s, comment: s.comment.replace(/feature groups [^;]*\(report\.md\)/, groupsClause(names)) } : s;
    }),
  }));
  return { ...p, features: { ...a, groups }, functions };
}

/** A group's one-line summary for program.txt comments and reports: `feature_1 (12 units, 23%)`. */
export function groupLine(g: FeatureGroup): string {
  return `${g.name} (${g.units.length} unit${g.units.length === 1 ? "" : "s"}, ${(100 * g.share).toFixed(0)}%)`;
}
