// reconstructed.onnx: the network the program exactly describes (Program -> Net -> lift -> ModelProto bytes),
// runnable by onnxruntime.
import type { Model } from "../graph/graph.ts";
import { lift } from "../net/lift.ts";
import { encodeModel } from "../onnx/write.ts";
import type { Program } from "./program.ts";
import { programToNet } from "./to-net.ts";

/** The Model a program describes. */
export function reconstructModel(p: Program): Model {
  const m = lift(programToNet(p));
  m.docString = `reconstructed by pseudonet from the program of ${p.name}`;
  return m;
}

/** reconstructed.onnx bytes for a program. */
export function emitOnnx(p: Program): Uint8Array {
  return encodeModel(reconstructModel(p));
}
