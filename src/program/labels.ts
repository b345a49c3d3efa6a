// Human labels: names and descriptions a person gives functions, primitives, units and feature groups in the
// explorer. They live in DIR/labels.json, written atomically; an edit replaces one item only (last write per
// item wins), so two tabs editing different items both survive.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { UserError } from "../errors.ts";
import { writeFileAtomic } from "../util/atomic.ts";

export const LABELS_FILE = "labels.json";
export const LABELS_FORMAT = "pseudonet.labels";

/** One label: a name (a valid identifier, so emitted code can use it) and an optional description. */
export interface Label {
  name: string;
  description?: string;
}

/** labels.json: labels by item id (`main/h1`, `p3`, `fc1:7`, `feature_2`, a function name). */
export interface Labels {
  format: typeof LABELS_FORMAT;
  version: 1;
  items: Record<string, Label>;
}

/** The longest item id, name and description accepted (labels are for people, not data). */
const MAX_ID = 200, MAX_NAME = 64, MAX_DESC = 2000;

/** A label name is an identifier in TypeScript and Python alike. */
export const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Check one label edit as it comes from a client; throws a UserError saying what is wrong. */
export function checkLabelEdit(v: unknown): { id: string; label: Label | null } {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new UserError("a label edit is a JSON object {\"id\", \"name\", \"description\"?}");
  const o = v as Record<string, unknown>;
  if (typeof o.id !== "string" || !o.id || o.id.length > MAX_ID) throw new UserError(`"id" must be a non-empty string of at most ${MAX_ID} characters`);
  if (o.name === null) return { id: o.id, label: null };
  if (typeof o.name !== "string" || !LABEL_NAME.test(o.name) || o.name.length > MAX_NAME) {
    throw new UserError(`"name" must be an identifier (letters, digits, _; not starting with a digit; at most ${MAX_NAME} characters), or null to remove the label`);
  }
  if (o.description !== undefined && (typeof o.description !== "string" || o.description.length > MAX_DESC)) {
    throw new UserError(`"description" must be a string of at most ${MAX_DESC} characters`);
  }
  return { id: o.id, label: { name: o.name, ...(o.description ? { description: o.description } : {}) } };
}

/** The labels of an explanation folder (none when labels.json is absent). */
export function readLabels(dir: string): Labels {
  const file = path.join(dir, LABELS_FILE);
  if (!existsSync(file)) return { format: LABELS_FORMAT, version: 1, items: {} };
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new UserError(`${file} is not valid JSON (${(e as Error).message}); fix or remove it`);
  }
  const o = v as Partial<Labels>;
  if (o?.format !== LABELS_FORMAT || typeof o.items !== "object" || o.items === null) {
    throw new UserError(`${file} is not a pseudonet labels file (expected {"format": "${LABELS_FORMAT}", "version": 1, "items": {...}})`);
  }
  const items: Record<string, Label> = {};
  for (const [id, l] of Object.entries(o.items)) items[id] = checkLabelEdit({ id, ...(l as object) }).label!;
  return { format: LABELS_FORMAT, version: 1, items };
}

/** Apply one edit to labels.json (re-read first, so edits of other items made meanwhile are kept). */
export function writeLabel(dir: string, id: string, label: Label | null): Labels {
  const labels = readLabels(dir);
  if (label) labels.items[id] = label;
  else delete labels.items[id];
  const sorted = Object.fromEntries(Object.entries(labels.items).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const out: Labels = { ...labels, items: sorted };
  writeFileAtomic(path.join(dir, LABELS_FILE), JSON.stringify(out, null, 1) + "\n");
  return out;
}
