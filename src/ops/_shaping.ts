// The shaping op family: one import per op file, listed here for the registry.
import type { Op } from "./op.ts";
import { concat } from "./concat.ts";
import { constant } from "./constant.ts";
import { constantOfShape } from "./constantofshape.ts";
import { dropout } from "./dropout.ts";
import { expand } from "./expand.ts";
import { flatten } from "./flatten.ts";
import { gather } from "./gather.ts";
import { gatherElements } from "./gatherelements.ts";
import { gatherND } from "./gathernd.ts";
import { identity } from "./identity.ts";
import { pad } from "./pad.ts";
import { range } from "./range.ts";
import { reshape } from "./reshape.ts";
import { shape } from "./shape.ts";
import { size } from "./size.ts";
import { slice } from "./slice.ts";
import { split } from "./split.ts";
import { squeeze } from "./squeeze.ts";
import { tile } from "./tile.ts";
import { transpose } from "./transpose.ts";
import { unsqueeze } from "./unsqueeze.ts";

export const ops: Op[] = [
  concat, constant, constantOfShape, dropout, expand, flatten, gather, gatherElements, gatherND, identity,
  pad, range, reshape, shape, size, slice, split, squeeze, tile, transpose, unsqueeze,
];
