// The seq pattern contract: a rewrite rule over the normalized Graph that replaces one value's fragment by a block.
import type { GraphView } from "./graph-view.ts";

export interface SeqPattern {
  name: string;
  /** The rewrite, as an identity: `fragment -> block`. */
  doc: string;
  /** Try to rewrite the fragment producing value `v`; returns a one-line note of what was replaced, or undefined. */
  at(gv: GraphView, v: string): string | undefined;
}
