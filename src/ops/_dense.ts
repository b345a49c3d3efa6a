// The dense op family: one import per op file, listed here for the registry.
import type { Op } from "./op.ts";
import { averagePool } from "./averagepool.ts";
import { conv } from "./conv.ts";
import { convInteger } from "./convinteger.ts";
import { convTranspose } from "./convtranspose.ts";
import { gemm } from "./gemm.ts";
import { globalAveragePool } from "./globalaveragepool.ts";
import { globalMaxPool } from "./globalmaxpool.ts";
import { matmul } from "./matmul.ts";
import { matMulInteger } from "./matmulinteger.ts";
import { maxPool } from "./maxpool.ts";
import { maxUnpool } from "./maxunpool.ts";

export const ops: Op[] = [
  averagePool, conv, convInteger, convTranspose, gemm, globalAveragePool, globalMaxPool, matmul, matMulInteger,
  maxPool, maxUnpool,
];
