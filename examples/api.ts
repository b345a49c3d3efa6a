// The library API in ten lines: explain a model, then load the explanation and run it.
import { explain, load } from "pseudonet";

const ex = await explain("examples/mlp/model.onnx", { domain: "box:-2,2", seed: 1, out: "explained/api" });
console.log(ex.files.get("program.txt"));
console.log("relErr vs onnxruntime:", ex.fidelity?.relErr);
const program = load("explained/api");
const x = { dtype: "float32" as const, shape: [1, 4], data: new Float32Array([0.5, -1, 2, 1]) };
const [y] = program.run(x);
console.log("run([0.5, -1, 2, 1]) =", Array.from(y.data as Float32Array)); // [max(0.5, -1), |2 - 1|] = [0.5, 1]
