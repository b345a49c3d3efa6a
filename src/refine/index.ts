// refine's library entry: a model (file or Model) and data in, the refined Model and its report out.
import type { Model } from "../graph/graph.ts";
import type { Tensor } from "../graph/tensor.ts";
import { normalizePasses } from "../graph/passes/index.ts";
import { runPasses } from "../pipeline/pass.ts";
import { lower } from "../net/lower.ts";
import { lift } from "../net/lift.ts";
import { readModel } from "../onnx/read.ts";
import { UserError } from "../errors.ts";
import type { Net } from "../net/net.ts";
import { refineNet, type RefineHooks, type RefineResult } from "./refine.ts";
import type { RefineOptions } from "./options.ts";

export { refineNet, type RefineResult, type EpochRow, type NetFigures, type RefineHooks } from "./refine.ts";
export { OBJECTIVES, DEFAULT_OBJECTIVES, DEFAULTS as REFINE_DEFAULTS, parseObjectives, type Objective, type RefineOptions } from "./options.ts";
export { reportJson, reportMarkdown } from "./report.ts";

/** The Net refine trains: the model normalized and lowered, as explain sees it. */
export function netOf(model: Model): Net {
  const net = lower(runPasses(model, normalizePasses).out).net;
  const opaque = net.layers.find((l) => l.kind === "opaque");
  if (opaque) throw new UserError(`refine: layer '${opaque.id}' (${opaque.origin.join(", ")}) did not lower to the Net IR (${opaque.kind === "opaque" ? opaque.reason : ""}); refine trains only lowered layers`);
  return net;
}

/** Refine a model on data (batch-first rows of its one input): the refined Model (lifted from the refined Net) and the report. */
export function refine(model: string | Model, x: Tensor, opts: Partial<RefineOptions> = {}, hooks: RefineHooks = {}): RefineResult & { model: Model } {
  const m = typeof model === "string" ? readModel(model) : model;
  const r = refineNet(netOf(m), toFloat32(x), opts, hooks);
  const out = lift(r.net);
  out.docString = `refined by pseudonet refine (${r.options.objectives.join(", ")}): ${r.after.weights} of ${r.before.weights} weights, held-out top-1 agreement ${r.after.heldOutAgreement}`;
  return { ...r, model: out };
}

function toFloat32(x: Tensor): Tensor {
  if (x.dtype === "float32") return x;
  if (x.dtype === "string") throw new UserError("refine: the data must be numeric");
  return { dtype: "float32", shape: x.shape, data: Float32Array.from(x.data as ArrayLike<number>) };
}
