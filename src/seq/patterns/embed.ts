// Gather(table, ids, axis 0) with a constant float table and integer ids -> embed: table[ids]
import { embedDef } from "../ops/embed.ts";
import type { SeqPattern } from "./pattern.ts";

export const embedPattern: SeqPattern = {
  name: "embed",
  doc: "Gather(table, ids) with a constant [V, d] float table -> table[ids] (an embedding lookup)",
  at(gv, v) {
    const n = gv.prod(v, "Gather");
    const table = gv.init(n?.inputs[0]);
    if (!n || !table || table.dtype !== "float32" || table.shape.length !== 2 || gv.init(n.inputs[1])) return undefined;
    const axis = n.attrs.axis?.kind === "int" ? n.attrs.axis.value : 0;
    const idt = gv.dtype(n.inputs[1]);
    if (axis !== 0 || !idt || !/int/.test(idt)) return undefined;
    gv.replace(embedDef, v, [n.inputs[1], n.inputs[0]], {}, n.name);
    return `${v}: embedding ${n.inputs[0]} [${table.shape.join(", ")}]`;
  },
};
