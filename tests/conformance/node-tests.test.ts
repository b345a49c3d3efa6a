// ONNX backend node tests (../shared/corpus/onnx-node-tests): our interpreter against the conformance vectors.
// A case whose ops all have a kernel must match (rtol 1e-3, atol 1e-7, as upstream); a case with an op that
// has no kernel yet is "unsupported", not a failure; cases in skip.ts are deliberately out of scope.
// Every case takes milliseconds; the 60 s limit only guards against a hang.
import { NO_CORPUS } from "../helpers/corpus.ts";
import { listNodeTestCases } from "./cases.ts";
import { conformanceSuite } from "./suite.ts";

conformanceSuite("onnx node tests", "conformance", listNodeTestCases(), {
  rtol: 1e-3,
  atol: 1e-7,
  timeout: () => 60_000,
  whenEmpty: NO_CORPUS,
});
