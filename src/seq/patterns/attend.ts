// MatMul(softmax(mask(scale(q @ kT))), v) -> attend(q, kT, v, scale, mask). Scale: Div or Mul by a constant, on the
// scores or on q and kT separately. Mask forms: s + m, s * m - (1 - m) * c, Where(m, s, c).
import { attendDef } from "../ops/attend.ts";
import type { SeqAttrs } from "../defs.ts";
import type { GraphView } from "./graph-view.ts";
import { ordered } from "./graph-view.ts";
import type { SeqPattern } from "./pattern.ts";

/** v = u * c or u / c with c a constant: [u, factor]; else [v, 1]. Only values read once are absorbed. */
function unscale(gv: GraphView, v: string): [string, number] {
  const n = gv.prod(v, "Mul", "Div");
  if (!n || gv.dataUses(v) !== 1) return [v, 1];
  const c = gv.scalar(n.inputs[1]);
  if (c !== undefined) return [n.inputs[0], n.op === "Div" ? 1 / c : c];
  const c0 = gv.scalar(n.inputs[0]);
  if (n.op === "Mul" && c0 !== undefined) return [n.inputs[1], c0];
  return [v, 1];
}

/** The scores q @ kT under a scale: q, kT and the total factor. */
function scores(gv: GraphView, s: string): { q: string; kT: string; scale: number } | undefined {
  const [raw, f] = unscale(gv, s);
  const mm = gv.prod(raw, "MatMul");
  if (!mm || gv.dataUses(raw) !== 1) return undefined;
  const [q, fq] = unscale(gv, mm.inputs[0]);
  const [kT, fk] = unscale(gv, mm.inputs[1]);
  if (gv.shape(q)?.length !== 4 || gv.shape(kT)?.length !== 4) return undefined;
  return { q, kT, scale: f * fq * fk };
}

type Masked = { s: string; mask: string; mode: "none" | "add" | "fill" | "where" | "where_fill"; fill: number };

/** The mask applied to the (scaled) scores feeding the softmax. */
function unmask(gv: GraphView, v: string): Masked {
  const none: Masked = { s: v, mask: "", mode: "none", fill: 0 };
  const n = gv.prod(v, "Add", "Sub", "Where");
  if (!n || gv.dataUses(v) !== 1) return none;
  if (n.op === "Add") {
    const [s, m] = ordered(n, (u) => !!scores(gv, u)) ?? [];
    return s && m ? { s, mask: m, mode: "add", fill: 0 } : none;
  }
  if (n.op === "Where") {
    const c = gv.scalar(n.inputs[2]);
    if (c !== undefined && scores(gv, n.inputs[1])) return { s: n.inputs[1], mask: n.inputs[0], mode: "where", fill: c };
    const c1 = gv.scalar(n.inputs[1]);
    return c1 !== undefined && scores(gv, n.inputs[2]) ? { s: n.inputs[2], mask: n.inputs[0], mode: "where_fill", fill: c1 } : none;
  }
  // s * m - (1 - m) * c
  const prod = gv.prod(n.inputs[0], "Mul"), pen = gv.prod(n.inputs[1], "Mul");
  if (!prod || !pen) return none;
  const [s, m] = ordered(prod, (u) => !!scores(gv, u)) ?? [];
  const [oneMinus, cv] = ordered(pen, (u) => !!gv.prod(u, "Sub")) ?? [];
  const sub = oneMinus ? gv.prod(oneMinus, "Sub") : undefined;
  const c = gv.scalar(cv);
  if (!s || !m || !sub || c === undefined || !gv.isScalar(sub.inputs[0], 1, 0) || sub.inputs[1] !== m) return none;
  return { s, mask: m, mode: "fill", fill: c };
}

export const attendPattern: SeqPattern = {
  name: "attend",
  doc: "MatMul(Softmax(mask(q @ kT * scale)), v) -> attend(q, kT, v, scale, mask)",
  at(gv, v) {
    const out = gv.prod(v, "MatMul");
    const sm = out && gv.prod(out.inputs[0], "Softmax");
    if (!out || !sm || gv.dataUses(out.inputs[0]) !== 1) return undefined;
    const rank = gv.shape(sm.inputs[0])?.length;
    const axis = sm.attrs.axis?.kind === "int" ? sm.attrs.axis.value : undefined;
    if (rank !== 4 || (axis !== -1 && axis !== 3)) return undefined;
    const m = unmask(gv, sm.inputs[0]);
    const sc = scores(gv, m.s);
    if (!sc || gv.shape(out.inputs[1])?.length !== 4) return undefined;
    const attrs: SeqAttrs = m.mode === "none" ? { scale: sc.scale, mask: "none" } : { scale: sc.scale, mask: m.mode, fill: m.fill };
    gv.replace(attendDef, v, [sc.q, sc.kT, out.inputs[1], m.mask], attrs, out.name);
    return `${v}: attention, scale ${sc.scale.toPrecision(4)}, mask ${m.mode}`;
  },
};
