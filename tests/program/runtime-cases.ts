// One case per use of every op of the emitted runtime (src/program/rt): seeded random inputs, the attributes and
// opsets the corpus models use and the edges around them (broadcasting, negative axes and indices, clamped slices,
// legacy attributes vs inputs, auto_pad, zero points, bidirectional recurrences with sequence lengths...).
import type { Attr } from "../../src/graph/graph.ts";
import { tensor, type DType, type Tensor } from "../../src/graph/tensor.ts";
import { attr, i64 } from "../helpers/builder.ts";
import { randn, rng } from "../helpers/rng.ts";

/** A node input: a graph input (a tensor), an initialiser (emitted as a constant), or omitted. */
export type CaseInput = Tensor | { init: Tensor } | null;

export interface OpCase {
  name: string;
  op: string;
  opset: number;
  inputs: CaseInput[];
  attrs?: Record<string, Attr>;
  /** Node outputs (default 1). */
  outputs?: number;
}

const r = rng(2024);

/** Seeded standard-normal float32 values (scaled), or uniform ones in [lo, hi). */
function f(shape: number[], scale = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor("float32", shape, Array.from({ length: n }, () => randn(r) * scale));
}
function pos(shape: number[], lo = 0.1, hi = 3): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor("float32", shape, Array.from({ length: n }, () => lo + (hi - lo) * r()));
}
/** Seeded integers in [lo, hi] of a dtype. */
function ints(dtype: DType, shape: number[], lo: number, hi: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(dtype, shape, Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1))));
}
const init = (t: Tensor) => ({ init: t });
const scalar = (dtype: DType, v: number) => tensor(dtype, [], [v]);
const I64_MAX = 2 ** 63 - 1;

export function opCases(): OpCase[] {
  const cases: OpCase[] = [];
  const add = (name: string, op: string, opset: number, inputs: CaseInput[], attrs: Record<string, Attr> = {}, outputs = 1) =>
    cases.push({ name, op, opset, inputs, attrs, outputs });

  // Elementwise arithmetic with broadcasting, integer truncation, comparisons and logic.
  for (const op of ["Add", "Sub", "Mul", "Div"]) add(`${op} broadcast`, op, 13, [f([2, 3, 4]), f([3, 1])]);
  add("Div int64 truncates", "Div", 13, [ints("int64", [2, 5], -9, 9), init(ints("int64", [5], 1, 4))]);
  add("Mul int64 by a constant", "Mul", 13, [ints("int64", [3], -5, 5), init(scalar("int64", 3))]);
  add("Pow float", "Pow", 13, [pos([2, 3]), init(scalar("float32", 2))]);
  add("Pow fractional exponents", "Pow", 13, [pos([4]), f([4])]);
  add("Equal int64", "Equal", 13, [ints("int64", [2, 4], 0, 2), ints("int64", [4], 0, 2)]);
  add("Less float", "Less", 13, [f([3, 2]), f([2])]);
  add("Greater float", "Greater", 13, [f([3, 2]), init(scalar("float32", 0))]);
  add("And / Or / Not on bools", "And", 7, [ints("bool", [2, 3], 0, 1), ints("bool", [3], 0, 1)]);
  add("Or", "Or", 7, [ints("bool", [4], 0, 1), ints("bool", [4], 0, 1)]);
  add("Not", "Not", 1, [ints("bool", [5], 0, 1)]);
  add("Max of three, broadcast", "Max", 13, [f([2, 3]), f([3]), f([1, 3])]);
  add("Min of two", "Min", 13, [f([4]), f([4])]);
  add("Min of int64", "Min", 13, [ints("int64", [3], -4, 4), init(i64([], [1]))]);
  add("Sum of three", "Sum", 13, [f([2, 2]), f([2]), f([2, 2])]);
  add("Where broadcast", "Where", 16, [ints("bool", [2, 1, 3], 0, 1), f([4, 3]), init(scalar("float32", -1e4))]);
  for (const op of ["Neg", "Abs", "Exp", "Tanh", "Sigmoid", "Relu", "Floor", "Ceil", "Erf"]) add(op, op, 13, [f([3, 4], 2)]);
  add("Erf far tails", "Erf", 13, [tensor("float32", [8], [-7, -3.2, -1, -0.3, 0, 1e-10, 2.9, 6.5])]);
  for (const op of ["Sqrt", "Log", "Reciprocal"]) add(op, op, 13, [pos([3, 4])]);
  add("LeakyRelu alpha", "LeakyRelu", 16, [f([6])], { alpha: attr.float(0.2) });
  add("Clip attributes (opset 6)", "Clip", 6, [f([6], 2)], { min: attr.float(-1), max: attr.float(0.5) });
  add("Clip inputs (opset 13), no max", "Clip", 13, [f([6], 2), init(scalar("float32", -0.5)), null]);
  add("Cast float -> int32 truncates", "Cast", 13, [f([6], 5)], { to: attr.int(6) });
  add("Cast float -> int64", "Cast", 13, [f([2, 3], 5)], { to: attr.int(7) });
  add("Cast int64 -> float", "Cast", 13, [ints("int64", [4], -100, 100)], { to: attr.int(1) });
  add("Cast float -> bool", "Cast", 13, [tensor("float32", [4], [0, -0.5, 2, 0])], { to: attr.int(9) });
  add("Cast uint8 -> int64", "Cast", 9, [ints("uint8", [2, 5], 0, 255)], { to: attr.int(7) });

  // Shapes, axes and indexing.
  add("Reshape with 0 and -1", "Reshape", 13, [f([2, 3, 4]), init(i64([3], [0, -1, 2]))]);
  add("Reshape allowzero", "Reshape", 14, [f([2, 0, 3]), init(i64([3], [3, 0, 2]))], { allowzero: attr.int(1) });
  add("Flatten axis 2", "Flatten", 13, [f([2, 3, 2, 2])], { axis: attr.int(2) });
  add("Identity", "Identity", 13, [ints("int64", [3], 0, 9)]);
  add("Transpose perm", "Transpose", 13, [f([2, 3, 4])], { perm: attr.ints([1, 2, 0]) });
  add("Transpose default reverses", "Transpose", 13, [f([2, 3, 4])]);
  add("Squeeze attribute (opset 11)", "Squeeze", 11, [f([1, 3, 1, 2])], { axes: attr.ints([-2]) });
  add("Squeeze all ones", "Squeeze", 11, [f([1, 3, 1, 2])]);
  add("Squeeze input (opset 13)", "Squeeze", 13, [f([2, 1, 3]), init(i64([1], [1]))]);
  add("Unsqueeze attribute (opset 11)", "Unsqueeze", 11, [f([2, 3])], { axes: attr.ints([0, -1]) });
  add("Unsqueeze input (opset 13)", "Unsqueeze", 13, [ints("int64", [], 3, 3), init(i64([1], [0]))]);
  add("Concat three on the last axis", "Concat", 13, [f([2, 2]), f([2, 3]), init(f([2, 1]))], { axis: attr.int(-1) });
  add("Concat int64 vectors", "Concat", 11, [ints("int64", [1], 1, 5), init(i64([2], [-1, 8]))], { axis: attr.int(0) });
  add("Slice attributes (opset 9)", "Slice", 9, [f([4, 6])], { starts: attr.ints([1, -4]), ends: attr.ints([3, I64_MAX]), axes: attr.ints([0, 1]) });
  add("Slice inputs with steps and clamps", "Slice", 13, [f([5, 6]), init(i64([2], [-1, 1])), init(i64([2], [-I64_MAX, 100])), init(i64([2], [0, 1])), init(i64([2], [-2, 2]))]);
  add("Slice negative step from far start", "Slice", 13, [f([6]), init(i64([1], [-100])), init(i64([1], [-100])), null, init(i64([1], [-1]))]);
  add("Slice without axes", "Slice", 11, [f([3, 4]), init(i64([1], [1])), init(i64([1], [3]))]);
  add("Split attribute sizes (opset 11)", "Split", 11, [f([2, 7])], { axis: attr.int(1), split: attr.ints([2, 5]) }, 2);
  add("Split equal parts", "Split", 11, [f([6, 2])], { axis: attr.int(0) }, 3);
  add("Split input sizes (opset 13)", "Split", 13, [f([3, 4]), init(i64([2], [1, 3]))], { axis: attr.int(-1) }, 2);
  add("Split num_outputs, last smaller (opset 18)", "Split", 18, [f([7, 2])], { num_outputs: attr.int(3) }, 3);
  add("Shape", "Shape", 13, [f([2, 3, 4])]);
  add("Shape start/end (opset 15)", "Shape", 15, [f([2, 3, 4, 5])], { start: attr.int(1), end: attr.int(-1) });
  add("Gather axis 0 (embedding)", "Gather", 13, [init(f([10, 4])), ints("int64", [2, 3], 0, 9)]);
  add("Gather axis 1, negative indices", "Gather", 13, [f([2, 5, 3]), init(i64([2], [-1, 0]))], { axis: attr.int(1) });
  add("Gather a scalar index", "Gather", 13, [ints("int64", [4], 0, 50), init(i64([], [2]))], { axis: attr.int(0) });
  add("Gather int32 indices", "Gather", 13, [init(f([6, 2])), ints("int32", [3], 0, 5)]);
  add("Expand", "Expand", 13, [f([3, 1]), init(i64([3], [2, 1, 4]))]);
  add("ConstantOfShape int64 value", "ConstantOfShape", 9, [init(i64([2], [2, 3]))], { value: attr.tensor(tensor("int64", [1], [7])) });
  add("ConstantOfShape default", "ConstantOfShape", 9, [ints("int64", [1], 4, 4)]);
  add("Range int64", "Range", 11, [init(scalar("int64", 2)), ints("int64", [], 9, 9), init(scalar("int64", 3))]);
  add("Range float, negative delta", "Range", 11, [init(scalar("float32", 1)), init(scalar("float32", -2)), init(scalar("float32", -0.75))]);
  add("Constant tensor", "Constant", 13, [], { value: attr.tensor(f([2, 2])) });
  add("Constant value_ints", "Constant", 13, [], { value_ints: attr.ints([3, -1]) });

  // Products, reductions, normalisations.
  add("MatMul 2-D", "MatMul", 13, [f([3, 4]), init(f([4, 5]))]);
  add("MatMul batched broadcast", "MatMul", 13, [f([2, 1, 3, 4]), f([3, 4, 2])]);
  add("MatMul 1-D x 2-D", "MatMul", 13, [f([4]), f([4, 3])]);
  add("MatMul 2-D x 1-D", "MatMul", 13, [f([2, 4]), f([4])]);
  add("Gemm transB, bias row", "Gemm", 13, [f([3, 4]), init(f([5, 4])), init(f([5]))], { transB: attr.int(1) });
  add("Gemm transA, alpha, beta, no C", "Gemm", 11, [f([4, 3]), f([4, 2]), null], { transA: attr.int(1), alpha: attr.float(0.5), beta: attr.float(2) });
  add("Gemm bias matrix, beta", "Gemm", 13, [f([2, 3]), f([3, 2]), f([2, 2])], { beta: attr.float(-1) });
  add("Softmax opset 11 flattens from axis 1", "Softmax", 11, [f([2, 3, 4], 3)], { axis: attr.int(1) });
  add("Softmax opset 11 default axis", "Softmax", 11, [f([2, 5], 3)]);
  add("Softmax opset 13 on axis 1", "Softmax", 13, [f([2, 3, 4], 3)], { axis: attr.int(1) });
  add("Softmax opset 13 default (last axis)", "Softmax", 13, [f([2, 2, 3], 3)]);
  add("LogSoftmax opset 13", "LogSoftmax", 13, [f([3, 4], 3)], { axis: attr.int(-1) });
  add("ReduceMean axes attribute keepdims", "ReduceMean", 13, [f([2, 3, 4])], { axes: attr.ints([-1]) });
  add("ReduceMean two axes, no keepdims", "ReduceMean", 11, [f([2, 3, 4])], { axes: attr.ints([0, 2]), keepdims: attr.int(0) });
  add("ReduceSum axes input (opset 13)", "ReduceSum", 13, [f([2, 3, 4]), init(i64([1], [1]))]);
  add("ReduceSum all axes", "ReduceSum", 13, [f([2, 3])], { keepdims: attr.int(0) });
  add("ReduceProd int64", "ReduceProd", 11, [ints("int64", [2, 3], 1, 4)], { axes: attr.ints([1]), keepdims: attr.int(0) });
  add("ReduceProd float", "ReduceProd", 11, [f([2, 3])], { axes: attr.ints([0]) });
  add("ReduceMax", "ReduceMax", 13, [f([3, 4])], { axes: attr.ints([0]), keepdims: attr.int(0) });
  add("ReduceMin", "ReduceMin", 13, [f([3, 4])], { axes: attr.ints([1]) });
  add("ReduceMean axes input (opset 18)", "ReduceMean", 18, [f([2, 3, 4]), init(i64([2], [0, -1]))]);
  add("ArgMax keepdims 0", "ArgMax", 13, [f([3, 5])], { axis: attr.int(1), keepdims: attr.int(0) });
  add("ArgMax select_last_index on ties", "ArgMax", 13, [tensor("float32", [2, 4], [1, 3, 3, 0, 2, 2, 1, 2])], { axis: attr.int(-1), select_last_index: attr.int(1) });
  add("LayerNormalization", "LayerNormalization", 17, [f([2, 3, 4]), init(f([4])), init(f([4]))], { epsilon: attr.float(1e-3) });
  add("LayerNormalization over two axes, no bias", "LayerNormalization", 17, [f([2, 3, 4]), init(f([3, 4])), null], { axis: attr.int(1) });
  add("BatchNormalization", "BatchNormalization", 15, [f([2, 3, 2, 2]), init(f([3])), init(f([3])), init(f([3])), init(pos([3]))], { epsilon: attr.float(1e-3) });

  // Windows and the quantized ops.
  add("Conv 2-D pads, stride, bias", "Conv", 11, [f([2, 2, 6, 5]), init(f([3, 2, 3, 3])), init(f([3]))], { pads: attr.ints([1, 0, 1, 2]), strides: attr.ints([2, 1]) });
  add("Conv 2-D dilation, groups", "Conv", 11, [f([1, 4, 7, 7]), init(f([4, 2, 2, 3]))], { group: attr.int(2), dilations: attr.ints([2, 1]), kernel_shape: attr.ints([2, 3]) });
  add("Conv 2-D auto_pad SAME_UPPER, stride 2", "Conv", 11, [f([1, 1, 5, 6]), init(f([2, 1, 4, 4]))], { auto_pad: attr.string("SAME_UPPER"), strides: attr.ints([2, 2]) });
  add("Conv 2-D auto_pad SAME_LOWER", "Conv", 11, [f([1, 1, 5, 5]), init(f([1, 1, 2, 2]))], { auto_pad: attr.string("SAME_LOWER") });
  add("Conv 1-D", "Conv", 11, [f([2, 3, 9]), init(f([2, 3, 3])), init(f([2]))], { pads: attr.ints([2, 1]), strides: attr.ints([2]) });
  add("ConvInteger with zero points", "ConvInteger", 10, [ints("uint8", [1, 2, 6, 6], 0, 255), init(ints("uint8", [3, 2, 3, 3], 0, 255)), init(tensor("uint8", [], [128])), init(tensor("uint8", [], [100]))], { pads: attr.ints([1, 1, 1, 1]) });
  add("ConvInteger auto_pad SAME_UPPER, no zero points", "ConvInteger", 10, [ints("uint8", [1, 1, 5, 5], 0, 255), init(ints("uint8", [2, 1, 5, 5], 0, 255))], { auto_pad: attr.string("SAME_UPPER"), kernel_shape: attr.ints([5, 5]) });
  add("MaxPool stride 2, pads, ceil_mode", "MaxPool", 12, [f([1, 2, 7, 6])], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 0, 0]), ceil_mode: attr.int(1) });
  add("MaxPool auto_pad SAME_UPPER", "MaxPool", 10, [f([1, 1, 5, 5])], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]), auto_pad: attr.string("SAME_UPPER") });
  add("MaxPool 1-D", "MaxPool", 12, [f([2, 2, 9])], { kernel_shape: attr.ints([3]), strides: attr.ints([2]) });
  add("AveragePool count_include_pad", "AveragePool", 11, [f([1, 2, 5, 5])], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]), count_include_pad: attr.int(1) });
  add("AveragePool excluding pads", "AveragePool", 11, [f([1, 2, 5, 5])], { kernel_shape: attr.ints([2, 2]), pads: attr.ints([1, 1, 0, 0]) });
  add("GlobalAveragePool", "GlobalAveragePool", 1, [f([2, 3, 4, 4])]);
  add("GlobalMaxPool", "GlobalMaxPool", 1, [f([2, 3, 5])]);
  add("MatMulInteger with zero points", "MatMulInteger", 10, [ints("uint8", [3, 4], 0, 255), init(ints("uint8", [4, 5], 0, 255)), init(tensor("uint8", [], [12])), init(tensor("uint8", [], [130]))]);
  add("MatMulInteger per-column b zero point", "MatMulInteger", 10, [ints("uint8", [2, 3], 0, 255), ints("uint8", [3, 4], 0, 255), null, init(ints("uint8", [4], 0, 255))]);
  add("MatMulInteger int8, no zero points", "MatMulInteger", 10, [ints("int8", [2, 3, 4], -128, 127), ints("int8", [4, 2], -128, 127)]);
  add("QuantizeLinear uint8 per tensor (default zero point)", "QuantizeLinear", 10, [f([3, 4], 4), init(scalar("float32", 0.05))]);
  add("QuantizeLinear uint8 with zero point, ties", "QuantizeLinear", 10, [tensor("float32", [6], [0.5, 1.5, 2.5, -0.5, 300, -300]), init(scalar("float32", 1)), init(tensor("uint8", [], [128]))]);
  add("QuantizeLinear int8 per axis", "QuantizeLinear", 13, [f([2, 3, 2], 3), init(pos([3], 0.01, 0.1)), init(ints("int8", [3], -3, 3))], { axis: attr.int(1) });
  add("DequantizeLinear uint8", "DequantizeLinear", 10, [ints("uint8", [2, 3], 0, 255), init(scalar("float32", 0.02)), init(tensor("uint8", [], [100]))]);
  add("DequantizeLinear int8 per axis", "DequantizeLinear", 13, [ints("int8", [3, 2], -128, 127), init(pos([3], 0.01, 0.1)), null], { axis: attr.int(0) });

  // Recurrent ops.
  const H = 3, I = 2, T = 4, B = 2;
  const lstmW = (dirs: number) => [init(f([dirs, 4 * H, I], 0.5)), init(f([dirs, 4 * H, H], 0.5)), init(f([dirs, 8 * H], 0.3))];
  add("LSTM forward", "LSTM", 7, [f([T, B, I]), ...lstmW(1)], { hidden_size: attr.int(H) }, 3);
  add("LSTM bidirectional, sequence_lens, initial states, peepholes", "LSTM", 7,
    [f([T, B, I]), ...lstmW(2), init(tensor("int32", [B], [4, 2])), f([2, B, H]), f([2, B, H]), init(f([2, 3 * H], 0.5))],
    { hidden_size: attr.int(H), direction: attr.string("bidirectional") }, 3);
  add("LSTM reverse, clip, input_forget, custom activations", "LSTM", 7, [f([T, B, I], 2), ...lstmW(1)],
    { hidden_size: attr.int(H), direction: attr.string("reverse"), clip: attr.float(1.5), input_forget: attr.int(1),
      activations: { kind: "strings", value: ["HardSigmoid", "Tanh", "Softsign"] }, activation_alpha: attr.floats([0.3]), activation_beta: attr.floats([0.4]) }, 3);
  add("LSTM layout 1 (opset 14)", "LSTM", 14, [f([B, T, I]), ...lstmW(1), null, f([B, 1, H])], { hidden_size: attr.int(H), layout: attr.int(1) }, 3);
  add("LSTM Y only", "LSTM", 7, [f([T, 1, I]), ...lstmW(2)], { hidden_size: attr.int(H), direction: attr.string("bidirectional") }, 1);
  const rnnW = (dirs: number) => [init(f([dirs, H, I], 0.5)), init(f([dirs, H, H], 0.5)), init(f([dirs, 2 * H], 0.3))];
  add("RNN bidirectional relu", "RNN", 7, [f([T, B, I]), ...rnnW(2)],
    { hidden_size: attr.int(H), direction: attr.string("bidirectional"), activations: { kind: "strings", value: ["Relu", "Relu"] } }, 2);
  add("RNN tanh, sequence_lens, initial h", "RNN", 7, [f([T, B, I]), ...rnnW(1), init(tensor("int32", [B], [3, 0])), f([1, B, H])], { hidden_size: attr.int(H) }, 2);
  add("RNN LeakyRelu alpha, clip", "RNN", 7, [f([T, B, I], 2), ...rnnW(1)],
    { hidden_size: attr.int(H), clip: attr.float(1), activations: { kind: "strings", value: ["LeakyRelu"] }, activation_alpha: attr.floats([0.3]) }, 2);

  // Elementwise ops and activations PyTorch exports (rt/activations.ts).
  for (const op of ["Sin", "Cos", "Tan", "Atan", "Sinh", "Cosh", "Asinh", "Sign", "Round", "HardSwish", "Softplus", "Softsign", "Mish"]) add(op, op, 18, [f([3, 4], 2)]);
  for (const op of ["Asin", "Acos", "Atanh"]) add(op, op, 9, [pos([5], -0.9, 0.9)]);
  add("Acosh", "Acosh", 9, [pos([5], 1, 4)]);
  add("Round halves to even", "Round", 11, [tensor("float32", [6], [0.5, 1.5, 2.5, -0.5, -1.5, 2.4])]);
  add("IsNaN", "IsNaN", 13, [tensor("float32", [4], [NaN, 1, Infinity, -0])]);
  add("IsInf positive only", "IsInf", 10, [tensor("float32", [4], [Infinity, -Infinity, 1, NaN])], { detect_negative: attr.int(0) });
  add("Elu alpha", "Elu", 6, [f([6], 2)], { alpha: attr.float(0.7) });
  add("Celu", "Celu", 12, [f([6], 2)], { alpha: attr.float(2) });
  add("Selu defaults", "Selu", 6, [f([6], 2)]);
  add("HardSigmoid alpha, beta", "HardSigmoid", 6, [f([8], 4)], { alpha: attr.float(1 / 6), beta: attr.float(0.5) });
  add("ThresholdedRelu", "ThresholdedRelu", 10, [f([8], 2)], { alpha: attr.float(0.5) });
  add("Shrink soft", "Shrink", 9, [f([8], 2)], { bias: attr.float(0.5), lambd: attr.float(0.5) });
  add("Gelu exact", "Gelu", 20, [f([8], 2)]);
  add("Gelu tanh", "Gelu", 20, [f([8], 2)], { approximate: attr.string("tanh") });
  add("PRelu per channel", "PRelu", 16, [f([2, 3, 2, 2]), init(f([3, 1, 1], 0.3))]);
  add("GreaterOrEqual", "GreaterOrEqual", 16, [ints("int64", [2, 3], 0, 2), ints("int64", [3], 0, 2)]);
  add("LessOrEqual", "LessOrEqual", 16, [f([3, 2]), init(scalar("float32", 0))]);
  add("Xor", "Xor", 7, [ints("bool", [2, 3], 0, 1), ints("bool", [3], 0, 1)]);
  add("Mod int64 (sign of the divisor)", "Mod", 13, [ints("int64", [6], -9, 9), init(tensor("int64", [6], [4, -4, 3, -3, 5, 2]))]);
  add("Mod float fmod", "Mod", 13, [f([6], 5), init(tensor("float32", [6], [1.5, -2, 3, -1, 0.7, 2]))], { fmod: attr.int(1) });
  add("BitShift right uint32", "BitShift", 11, [ints("uint32", [4], 0, 1000), init(tensor("uint32", [4], [0, 1, 3, 5]))], { direction: attr.string("RIGHT") });
  add("BitShift left uint8 overflows", "BitShift", 11, [ints("uint8", [4], 0, 255), init(tensor("uint8", [4], [0, 1, 3, 5]))], { direction: attr.string("LEFT") });
  add("Mean of three", "Mean", 13, [f([2, 3]), f([3]), f([1, 3])]);
  add("Dropout at inference with mask (opset 13)", "Dropout", 13, [f([2, 3]), init(scalar("float32", 0.3))], {}, 2);
  add("Dropout old (opset 7)", "Dropout", 7, [f([4])], { ratio: attr.float(0.2) });
  add("CastLike to int32", "CastLike", 15, [f([5], 4), init(tensor("int32", [1], [0]))]);

  // Reductions and normalisations (rt/norms.ts).
  for (const op of ["ReduceL1", "ReduceL2", "ReduceSumSquare", "ReduceLogSumExp"]) add(`${op} axis 1`, op, 13, [f([2, 3, 4], 2)], { axes: attr.ints([1]) });
  add("ReduceLogSum all axes", "ReduceLogSum", 13, [pos([2, 3])], { keepdims: attr.int(0) });
  add("ReduceLogSumExp large values", "ReduceLogSumExp", 18, [tensor("float32", [2, 2], [1000, 1001, -5, -6]), init(i64([1], [-1]))]);
  add("ArgMin select_last_index", "ArgMin", 13, [tensor("float32", [2, 4], [1, 0, 0, 3, 2, 2, 1, 1])], { axis: attr.int(1), select_last_index: attr.int(1) });
  add("ArgMin keepdims 0", "ArgMin", 13, [f([3, 5])], { keepdims: attr.int(0) });
  add("Hardmax opset 13", "Hardmax", 13, [f([2, 3, 4])], { axis: attr.int(1) });
  add("Hardmax opset 11 flattens", "Hardmax", 11, [f([2, 3, 4])]);
  add("CumSum exclusive reverse", "CumSum", 14, [f([3, 4]), init(tensor("int64", [], [1]))], { exclusive: attr.int(1), reverse: attr.int(1) });
  add("CumSum int64 axis 0", "CumSum", 14, [ints("int64", [3, 2], -5, 5), init(tensor("int32", [], [0]))]);
  add("InstanceNormalization", "InstanceNormalization", 6, [f([2, 3, 4, 2]), init(f([3])), init(f([3]))], { epsilon: attr.float(1e-3) });
  add("GroupNormalization per group (opset 18)", "GroupNormalization", 18, [f([2, 4, 3]), init(f([2])), init(f([2]))], { num_groups: attr.int(2) });
  add("GroupNormalization per channel (opset 21)", "GroupNormalization", 21, [f([2, 6, 2, 2]), init(f([6])), init(f([6]))], { num_groups: attr.int(3), epsilon: attr.float(1e-3) });
  add("MeanVarianceNormalization", "MeanVarianceNormalization", 13, [f([2, 3, 2, 2])]);
  add("MeanVarianceNormalization last axis", "MeanVarianceNormalization", 13, [f([2, 5], 3)], { axes: attr.ints([1]) });
  add("LRN", "LRN", 13, [f([2, 5, 3, 3])], { size: attr.int(3), alpha: attr.float(0.01), bias: attr.float(2) });

  // Indexing (rt/indexing.ts).
  add("Pad constant with value (opset 13)", "Pad", 13, [f([2, 3]), init(i64([4], [1, 0, 0, 2])), init(scalar("float32", -1))]);
  add("Pad reflect", "Pad", 13, [f([3, 4]), init(i64([4], [2, 1, 1, 3]))], { mode: attr.string("reflect") });
  add("Pad edge with crop", "Pad", 13, [f([3, 4]), init(i64([4], [1, -1, -1, 2]))], { mode: attr.string("edge") });
  add("Pad wrap on axes (opset 19)", "Pad", 19, [f([2, 3]), init(i64([2], [2, 4])), null, init(i64([1], [-1]))], { mode: attr.string("wrap") });
  add("Pad attributes (opset 2)", "Pad", 2, [f([1, 1, 2, 2])], { pads: attr.ints([0, 0, 1, 1, 0, 0, 1, 1]), value: attr.float(0.5) });
  add("Tile", "Tile", 13, [f([2, 3]), init(i64([2], [2, 3]))]);
  add("GatherElements negative indices", "GatherElements", 13, [f([3, 4]), init(i64([2, 4], [0, -1, 2, 1, 1, 0, -3, 2]))], { axis: attr.int(0) });
  add("GatherND", "GatherND", 13, [f([2, 3, 4]), init(i64([2, 2], [0, 1, 1, -1]))]);
  add("GatherND batch_dims 1", "GatherND", 13, [f([2, 3, 4]), init(i64([2, 1, 1], [2, 0]))], { batch_dims: attr.int(1) });
  add("Trilu upper k=1", "Trilu", 14, [f([2, 3, 4]), init(tensor("int64", [], [1]))]);
  add("Trilu lower", "Trilu", 14, [f([4, 3])], { upper: attr.int(0) });
  add("Size", "Size", 13, [f([2, 3, 4])]);

  // Windows over any number of axes (rt/window-nd.ts) and GRU.
  add("Conv 3-D groups, dilation, pads, stride", "Conv", 11, [f([2, 4, 5, 6, 5]), init(f([4, 2, 2, 3, 2])), init(f([4]))],
    { group: attr.int(2), dilations: attr.ints([1, 2, 1]), pads: attr.ints([1, 0, 1, 0, 2, 1]), strides: attr.ints([2, 1, 1]) });
  add("Conv 3-D SAME_UPPER, no bias", "Conv", 11, [f([1, 1, 4, 4, 3]), init(f([2, 1, 3, 3, 3]))], { auto_pad: attr.string("SAME_UPPER") });
  add("MaxPool 3-D dilated", "MaxPool", 12, [f([1, 2, 5, 5, 5])], { kernel_shape: attr.ints([2, 2, 2]), dilations: attr.ints([2, 1, 2]) });
  add("AveragePool 2-D dilated ceil_mode count_include_pad", "AveragePool", 19, [f([1, 2, 7, 6])],
    { kernel_shape: attr.ints([3, 2]), strides: attr.ints([2, 2]), dilations: attr.ints([1, 2]), pads: attr.ints([1, 1, 1, 0]), ceil_mode: attr.int(1), count_include_pad: attr.int(1) });
  add("ConvTranspose 2-D stride, pads, output_padding, bias", "ConvTranspose", 11, [f([2, 2, 3, 4]), init(f([2, 3, 3, 3])), init(f([3]))],
    { strides: attr.ints([2, 2]), pads: attr.ints([1, 0, 1, 1]), output_padding: attr.ints([1, 0]) });
  add("ConvTranspose groups, dilation", "ConvTranspose", 11, [f([1, 4, 3, 3]), init(f([4, 1, 2, 2]))], { group: attr.int(2), dilations: attr.ints([2, 2]) });
  add("ConvTranspose 1-D SAME_UPPER", "ConvTranspose", 11, [f([1, 2, 5]), init(f([2, 2, 3]))], { auto_pad: attr.string("SAME_UPPER"), strides: attr.ints([2]) });
  add("ConvTranspose output_shape", "ConvTranspose", 11, [f([1, 1, 3, 3]), init(f([1, 2, 3, 3]))], { strides: attr.ints([3, 2]), output_shape: attr.ints([10, 8]) });
  const gruW = (dirs: number) => [init(f([dirs, 3 * H, I], 0.5)), init(f([dirs, 3 * H, H], 0.5)), init(f([dirs, 6 * H], 0.3))];
  add("GRU forward", "GRU", 7, [f([T, B, I]), ...gruW(1)], { hidden_size: attr.int(H) }, 2);
  add("GRU linear_before_reset (PyTorch's), bidirectional, initial h", "GRU", 7, [f([T, B, I]), ...gruW(2), null, f([2, B, H])],
    { hidden_size: attr.int(H), direction: attr.string("bidirectional"), linear_before_reset: attr.int(1) }, 2);
  add("GRU reverse, sequence_lens, layout 1 (opset 14)", "GRU", 14, [f([B, T, I]), ...gruW(1), init(tensor("int32", [B], [2, 4]))],
    { hidden_size: attr.int(H), direction: attr.string("reverse"), layout: attr.int(1) }, 2);

  // Resampling and unpooling (rt/resize.ts).
  add("Resize nearest scales (opset 13, PyTorch's Upsample)", "Resize", 13, [f([1, 2, 3, 3]), init(tensor("float32", [0], [])), init(tensor("float32", [4], [1, 1, 2, 2]))],
    { mode: attr.string("nearest"), coordinate_transformation_mode: attr.string("asymmetric"), nearest_mode: attr.string("floor") });
  add("Resize linear sizes, align_corners", "Resize", 13, [f([1, 1, 3, 4]), null, null, init(i64([4], [1, 1, 5, 7]))], { mode: attr.string("linear"), coordinate_transformation_mode: attr.string("align_corners") });
  add("Resize cubic downsample, exclude_outside, half_pixel", "Resize", 13, [f([1, 1, 6, 6]), null, init(tensor("float32", [4], [1, 1, 0.6, 0.5])), null],
    { mode: attr.string("cubic"), exclude_outside: attr.int(1), cubic_coeff_a: attr.float(-0.5) });
  add("Resize linear antialias, axes, not_larger (opset 18)", "Resize", 18, [f([1, 2, 8, 6]), null, null, init(i64([2], [3, 5]))],
    { mode: attr.string("linear"), antialias: attr.int(1), axes: attr.ints([2, 3]), keep_aspect_ratio_policy: attr.string("not_larger") });
  add("Resize tf_crop_and_resize with extrapolation", "Resize", 13, [f([1, 1, 4, 4]), init(tensor("float32", [8], [0, 0, 0.2, -0.1, 1, 1, 1.1, 0.9])), null, init(i64([4], [1, 1, 3, 3]))],
    { mode: attr.string("linear"), coordinate_transformation_mode: attr.string("tf_crop_and_resize"), extrapolation_value: attr.float(-2) });
  add("Resize opset 10 (X, scales)", "Resize", 10, [f([1, 1, 2, 3]), init(tensor("float32", [4], [1, 1, 2, 1.5]))], { mode: attr.string("linear") });
  add("Upsample nearest (opset 9)", "Upsample", 9, [f([1, 2, 2, 2]), init(tensor("float32", [4], [1, 1, 2, 3]))]);
  add("Upsample bilinear (opset 7 attribute)", "Upsample", 7, [f([1, 1, 2, 3])], { mode: attr.string("linear"), scales: attr.floats([1, 1, 2, 2]) });
  add("MaxUnpool with output_shape", "MaxUnpool", 11, [f([1, 1, 2, 2]), init(i64([1, 1, 2, 2], [0, 3, 9, 14])), init(i64([4], [1, 1, 5, 5]))], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) });
  return cases;
}
