// program.json's "features": a feature analysis survives the round trip, and bad entries (a picture path outside
// features/, a name that is not an identifier) are refused with the JSON path named.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { featuresFromJson, featuresToJson, type FeatureAnalysis } from "../../src/program/features.ts";

const a: FeatureAnalysis = {
  seed: 3,
  layers: [{ fn: "main", stmt: "h2", units: 30, width: 32, fitRows: 512, rows: 800, chosenBy: "knee", k: 2, explained: [0.1, 0.6, 0.65] }],
  groups: [
    { name: "feature_1", fn: "main", stmt: "h2", units: [{ index: 4, loading: 1 }, { index: 0, loading: 0.5 }], share: 0.6, top: [{ row: 17, value: 2.5 }], pictures: { top: "features/feature_1-top.png", vis: "features/feature_1-vis.png" } },
    { name: "feature_2", fn: "main", stmt: "h2", units: [{ index: 1, loading: 1 }], share: 0.3, top: [] },
  ],
  skipped: [{ fn: "main", stmt: "h3", reason: "8 units: narrow" }],
};

describe("features in program.json", () => {
  it("round trips", () => {
    assert.deepEqual(featuresFromJson(JSON.parse(JSON.stringify(featuresToJson(a))), "program.features"), a);
  });
  it("refuses a picture outside features/ and a name that is not an identifier", () => {
    const bad = JSON.parse(JSON.stringify(featuresToJson(a)));
    bad.groups[0].pictures.top = "../../etc/passwd.png";
    assert.throws(() => featuresFromJson(bad, "program.features"), /program\.features\.groups\[0\]\.pictures\.top.*not a picture path/);
    const bad2 = JSON.parse(JSON.stringify(featuresToJson(a)));
    bad2.groups[1].name = "feature 2";
    assert.throws(() => featuresFromJson(bad2, "program.features"), /groups\[1\]\.name.*not an identifier/);
  });
});
