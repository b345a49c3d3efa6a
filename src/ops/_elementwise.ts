// The elementwise op family: one import per op file, listed here for the registry.
// Arithmetic, activations, comparisons and logic, casts, reductions and normalisations.
import type { Op } from "./op.ts";
import { Abs } from "./abs.ts";
import { Add } from "./add.ts";
import { And } from "./and.ts";
import { ArgMax } from "./argmax.ts";
import { ArgMin } from "./argmin.ts";
import { BatchNormalization } from "./batchnormalization.ts";
import { Cast } from "./cast.ts";
import { CastLike } from "./castlike.ts";
import { Ceil } from "./ceil.ts";
import { Celu } from "./celu.ts";
import { Clip } from "./clip.ts";
import { Div } from "./div.ts";
import { Elu } from "./elu.ts";
import { Equal } from "./equal.ts";
import { Erf } from "./erf.ts";
import { Exp } from "./exp.ts";
import { Floor } from "./floor.ts";
import { Gelu } from "./gelu.ts";
import { Greater } from "./greater.ts";
import { GreaterOrEqual } from "./greaterorequal.ts";
import { HardSigmoid } from "./hardsigmoid.ts";
import { HardSwish } from "./hardswish.ts";
import { InstanceNormalization } from "./instancenormalization.ts";
import { LayerNormalization } from "./layernormalization.ts";
import { LeakyRelu } from "./leakyrelu.ts";
import { Less } from "./less.ts";
import { LessOrEqual } from "./lessorequal.ts";
import { Log } from "./log.ts";
import { LogSoftmax } from "./logsoftmax.ts";
import { LRN } from "./lrn.ts";
import { Max } from "./max.ts";
import { Mean } from "./mean.ts";
import { Min } from "./min.ts";
import { Mish } from "./mish.ts";
import { Mul } from "./mul.ts";
import { Neg } from "./neg.ts";
import { Not } from "./not.ts";
import { Or } from "./or.ts";
import { Pow } from "./pow.ts";
import { PRelu } from "./prelu.ts";
import { Reciprocal } from "./reciprocal.ts";
import { ReduceL1 } from "./reducel1.ts";
import { ReduceL2 } from "./reducel2.ts";
import { ReduceLogSum } from "./reducelogsum.ts";
import { ReduceLogSumExp } from "./reducelogsumexp.ts";
import { ReduceMax } from "./reducemax.ts";
import { ReduceMean } from "./reducemean.ts";
import { ReduceMin } from "./reducemin.ts";
import { ReduceProd } from "./reduceprod.ts";
import { ReduceSum } from "./reducesum.ts";
import { ReduceSumSquare } from "./reducesumsquare.ts";
import { Relu } from "./relu.ts";
import { Round } from "./round.ts";
import { Selu } from "./selu.ts";
import { Shrink } from "./shrink.ts";
import { Sigmoid } from "./sigmoid.ts";
import { Sign } from "./sign.ts";
import { Softmax } from "./softmax.ts";
import { Softplus } from "./softplus.ts";
import { Softsign } from "./softsign.ts";
import { Sqrt } from "./sqrt.ts";
import { Sub } from "./sub.ts";
import { Sum } from "./sum.ts";
import { Tanh } from "./tanh.ts";
import { ThresholdedRelu } from "./thresholdedrelu.ts";
import { Where } from "./where.ts";
import { Xor } from "./xor.ts";

export const ops: Op[] = [
  Abs, Add, And, ArgMax, ArgMin, BatchNormalization, Cast, CastLike, Ceil, Celu, Clip, Div, Elu, Equal, Erf,
  Exp, Floor, Gelu, Greater, GreaterOrEqual, HardSigmoid, HardSwish, InstanceNormalization, LayerNormalization,
  LeakyRelu, Less, LessOrEqual, Log, LogSoftmax, LRN, Max, Mean, Min, Mish, Mul, Neg, Not, Or, Pow, PRelu,
  Reciprocal, ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp, ReduceMax, ReduceMean, ReduceMin, ReduceProd,
  ReduceSum, ReduceSumSquare, Relu, Round, Selu, Shrink, Sigmoid, Sign, Softmax, Softplus, Softsign, Sqrt, Sub,
  Sum, Tanh, ThresholdedRelu, Where, Xor,
];
