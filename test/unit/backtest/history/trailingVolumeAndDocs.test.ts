import { describe, expect, it } from "vitest";
import { riskFactorsDoc } from "../../../../src/backtest/history/riskFactorsDoc.js";
import { TrailingVolume } from "../../../../src/backtest/history/trailingVolume.js";
import type { RiskFactorEstimate } from "../../../../src/risk/estimateRiskFactors.js";
import { marketSnapshotSchema } from "../../../../src/schema/marketSnapshot.js";

describe("TrailingVolume (market depth of a replayed day)", () => {
  const s = {
    symbol: "X-USD",
    dates: ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-05"],
    closes: Float64Array.of(1, 1, 1, 1),
    volumes: Float64Array.of(100, Number.NaN, 300, 500),
  };
  it("averages the last `window` known volumes up to the day, skipping empty ones", () => {
    const t = new TrailingVolume(s, 2);
    expect(t.at("2023-12-31")).toBe(0); // nothing known yet: no made-up depth
    expect(t.at("2024-01-01")).toBe(100);
    expect(t.at("2024-01-02")).toBe(100); // window {01-01, 01-02}: only 100 is known
    expect(t.at("2024-01-03")).toBe(300); // window {01-02, 01-03}
    expect(t.at("2024-01-04")).toBe(300); // no row on 01-04: the same window
    expect(t.at("2024-01-05")).toBe(400); // (300 + 500) / 2
  });
});

describe("riskFactorsDoc", () => {
  it("formats vols and a symmetric correlation matrix that the snapshot schema accepts", () => {
    const e: RiskFactorEstimate = {
      names: ["BTC", "ETH"],
      currentVolsDaily: Float64Array.of(0.03, 0.04),
      rawVolsDaily: Float64Array.of(0.03, 0.04),
      volsDaily: Float64Array.of(0.031, 0.041),
      oneDayVolsDaily: Float64Array.of(0.03, 0.04),
      // upper triangle is read for both halves, so a slightly asymmetric input still gives a symmetric document
      correlation: Float64Array.of(1, 0.812345678912, 0.8123456789, 1),
      fromDate: "2023-01-01",
      toDate: "2023-06-30",
      residualQuantiles: [undefined, undefined],
      moveResponse: Float64Array.of(Number.NaN, Number.NaN),
      largestMoveLog: Float64Array.of(0.2, 0.3),
      stressWindows: [
        { factor: "BTC", startDate: "2022-01-01", endDate: "2022-12-31" },
        { factor: "ETH", startDate: "2022-01-01", endDate: "2022-12-31" },
      ],
      excluded: [],
      source: "x".repeat(600),
    };
    const doc = riskFactorsDoc(e);
    expect(doc.factors).toEqual([
      { name: "BTC", volDaily: "0.031", backtestVolDaily: "0.03" },
      { name: "ETH", volDaily: "0.041", backtestVolDaily: "0.04" },
    ]);
    expect(doc.correlations).toEqual([
      ["1", "0.8123456789"],
      ["0.8123456789", "1"],
    ]);
    expect(doc.source).toHaveLength(500);
    expect(riskFactorsDoc(e, "replay").source).toBe("replay");
    const snap = marketSnapshotSchema.safeParse({ asOf: "2023-07-01T00:00:00Z", quotes: [], riskFactors: doc });
    expect(snap.error?.issues.filter((i) => i.path[0] === "riskFactors") ?? []).toEqual([]);
  });
});
