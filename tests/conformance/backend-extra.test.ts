// onnx's older backend "model" cases (../shared/corpus/onnx-backend-extra: pytorch-converted, pytorch-operator,
// simple, light) through our interpreter, with upstream's tolerance (rtol 1e-3, atol 1e-7): no case needs
// looser. Cases needing an op without a kernel are counted as unsupported, by op; skip.ts says what is out of
// scope (sequence values, the training-only Gradient op).
//
// Budget: the nine light_* cases are whole ImageNet CNNs (1x3x224x224 input, 40 to 1746 nodes). Measured on
// this 2-core machine: 9 s for all nine when idle (0.1-1.5 s each, vgg19 3 s: 20 GFLOP of Conv and 140M
// ConstantOfShape weights), up to 30 s in all (vgg19 10 s) while other test files ran beside it; every other
// case takes milliseconds. No case is over 10 s on an idle machine, so all run by default, light_* with a
// 60 s timeout (room for a loaded CI machine), the rest with 10 s. The summary prints the timings.
import { NO_CORPUS } from "../helpers/corpus.ts";
import { listBackendExtra } from "./cases.ts";
import { conformanceSuite } from "./suite.ts";

const light = (name: string) => name.startsWith("light/");

conformanceSuite("onnx backend-extra cases", "backend-extra", listBackendExtra(), {
  rtol: 1e-3,
  atol: 1e-7,
  timeout: (name) => (light(name) ? 60_000 : 10_000),
  timed: light,
  whenEmpty: NO_CORPUS,
});
