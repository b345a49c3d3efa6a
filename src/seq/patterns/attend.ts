// MatMul(softmax(mask(scale(q @ kT))), v) -> attend(q, kT, v, scale, mask). Scale: Div or Mul by a constant, on the
// scores or on q and kT separately. Mask forms: s + m, s * m - (1 - m) * c, Where(m, s, c).
import { attendDef } from "../ops/attend.ts";
import type { SeqAttrs } from "../defs.ts";
import type { Node } from "../../graph/graph.ts";
import { tensor } from "../../graph/tensor.ts";
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

/** Exporters read the scores' shape ([b, H, n, m]) to cut the mask window; once the scores live inside attend, that
 *  would compute q @ kT again just for its shape. Shape(scores) -> Concat(Shape(q)[0:3], Shape(kT)[3:4]). */
function shapesWithoutScores(gv: GraphView, s: string, q: string, kT: string): void {
  if ((gv.model.opset.get("") ?? 1) < 10) return;
  const i64 = (x: number) => {
    const name = `${q}__dims_${x}`;
    if (!gv.g.initializers.has(name)) gv.g.initializers.set(name, tensor("int64", [1], [x]));
    return name;
  };
  // The scaled scores and the raw product: both have the scores' shape.
  const values = [s, ...(gv.prod(s, "Mul", "Div") ? [gv.prod(s)!.inputs[0]] : [])];
  for (const v of values) {
    for (const sh of [...(gv.readers.get(v) ?? [])].filter((r) => r.op === "Shape" && !r.attrs.start && !r.attrs.end)) {
      const out = sh.outputs[0];
      const nodes: Node[] = [
        { name: `${sh.name}_q`, op: "Shape", domain: "", inputs: [q], outputs: [`${out}__q`], attrs: {} },
        { name: `${sh.name}_q3`, op: "Slice", domain: "", inputs: [`${out}__q`, i64(0), i64(3)], outputs: [`${out}__q3`], attrs: {} },
        { name: `${sh.name}_k`, op: "Shape", domain: "", inputs: [kT], outputs: [`${out}__k`], attrs: {} },
        { name: `${sh.name}_k1`, op: "Slice", domain: "", inputs: [`${out}__k`, i64(3), i64(4)], outputs: [`${out}__k1`], attrs: {} },
      ];
      gv.g.nodes.splice(gv.g.nodes.indexOf(sh), 1, ...nodes, { name: sh.name, op: "Concat", domain: "", inputs: [`${out}__q3`, `${out}__k1`], outputs: [out], attrs: { axis: { kind: "int", value: 0 } } });
    }
  }
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
    shapesWithoutScores(gv, m.s, sc.q, sc.kT);
    return `${v}: attention, scale ${sc.scale.toPrecision(4)}, mask ${m.mode}`;
  },
};
