// The elementwise op family: one import per op file, listed here for the registry.
// Arithmetic, trigonometry, activations, comparisons and logic, casts, reductions, scans and normalisations,
// string normalisation, and resampling (Resize, Upsample).
import type { Op } from "./op.ts";
import { Abs } from "./abs.ts";
import { Acos } from "./acos.ts";
import { Acosh } from "./acosh.ts";
import { Add } from "./add.ts";
import { And } from "./and.ts";
import { ArgMax } from "./argmax.ts";
import { ArgMin } from "./argmin.ts";
import { Asin } from "./asin.ts";
import { Asinh } from "./asinh.ts";
import { Atan } from "./atan.ts";
import { Atanh } from "./atanh.ts";
import { BatchNormalization } from "./batchnormalization.ts";
import { BitShift } from "./bitshift.ts";
import { Cast } from "./cast.ts";
import { CastLike } from "./castlike.ts";
import { Ceil } from "./ceil.ts";
import { Celu } from "./celu.ts";
import { Clip } from "./clip.ts";
import { Cos } from "./cos.ts";
import { Cosh } from "./cosh.ts";
import { CumSum } from "./cumsum.ts";
import { Div } from "./div.ts";
import { Elu } from "./elu.ts";
import { Equal } from "./equal.ts";
import { Erf } from "./erf.ts";
import { Exp } from "./exp.ts";
import { Floor } from "./floor.ts";
import { Gelu } from "./gelu.ts";
import { Greater } from "./greater.ts";
import { GroupNormalization } from "./groupnormalization.ts";
import { GreaterOrEqual } from "./greaterorequal.ts";
import { Hardmax } from "./hardmax.ts";
import { HardSigmoid } from "./hardsigmoid.ts";
import { HardSwish } from "./hardswish.ts";
import { InstanceNormalization } from "./instancenormalization.ts";
import { IsInf } from "./isinf.ts";
import { IsNaN } from "./isnan.ts";
import { LayerNormalization } from "./layernormalization.ts";
import { LeakyRelu } from "./leakyrelu.ts";
import { Less } from "./less.ts";
import { LessOrEqual } from "./lessorequal.ts";
import { Log } from "./log.ts";
import { LogSoftmax } from "./logsoftmax.ts";
import { LRN } from "./lrn.ts";
import { Max } from "./max.ts";
import { Mean } from "./mean.ts";
import { MeanVarianceNormalization } from "./meanvariancenormalization.ts";
import { Min } from "./min.ts";
import { Mish } from "./mish.ts";
import { Mod } from "./mod.ts";
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
import { Resize } from "./resize.ts";
import { Round } from "./round.ts";
import { Selu } from "./selu.ts";
import { Shrink } from "./shrink.ts";
import { Sigmoid } from "./sigmoid.ts";
import { Sign } from "./sign.ts";
import { Sin } from "./sin.ts";
import { Sinh } from "./sinh.ts";
import { Softmax } from "./softmax.ts";
import { Softplus } from "./softplus.ts";
import { Softsign } from "./softsign.ts";
import { Sqrt } from "./sqrt.ts";
import { StringNormalizer } from "./stringnormalizer.ts";
import { Sub } from "./sub.ts";
import { Sum } from "./sum.ts";
import { Tan } from "./tan.ts";
import { Tanh } from "./tanh.ts";
import { ThresholdedRelu } from "./thresholdedrelu.ts";
import { Trilu } from "./trilu.ts";
import { Upsample } from "./upsample.ts";
import { Where } from "./where.ts";
import { Xor } from "./xor.ts";

export const ops: Op[] = [
  Abs, Acos, Acosh, Add, And, ArgMax, ArgMin, Asin, Asinh, Atan, Atanh, BatchNormalization, BitShift, Cast, CastLike,
  Ceil, Celu, Clip, Cos, Cosh, CumSum, Div, Elu, Equal, Erf, Exp, Floor, Gelu, Greater, GreaterOrEqual,
  GroupNormalization, Hardmax, HardSigmoid, HardSwish, InstanceNormalization, IsInf, IsNaN, LayerNormalization,
  LeakyRelu, Less, LessOrEqual, Log, LogSoftmax, LRN, Max, Mean, MeanVarianceNormalization, Min, Mish, Mod, Mul, Neg,
  Not, Or, Pow, PRelu, Reciprocal, ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp, ReduceMax, ReduceMean,
  ReduceMin, ReduceProd, ReduceSum, ReduceSumSquare, Relu, Resize, Round, Selu, Shrink, Sigmoid, Sign, Sin, Sinh,
  Softmax, Softplus, Softsign, Sqrt, StringNormalizer, Sub, Sum, Tan, Tanh, ThresholdedRelu, Trilu, Upsample, Where,
  Xor,
];
