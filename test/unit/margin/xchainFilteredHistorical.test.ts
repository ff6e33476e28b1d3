import quantileT from "@stdlib/stats-base-dists-t-quantile";
import { describe, expect, it } from "vitest";
import { normalCdf } from "../../../src/core/normal.js";
import { RESIDUAL_SCORE_COUNT, residualScore } from "../../../src/core/residualScores.js";
import { computeMargin } from "../../../src/margin/computeMargin.js";
import type { MarketSnapshotInput } from "../../../src/schema/marketSnapshot.js";
import { market, portfolio } from "../../support/fixtures.js";

// Issue 13 (simulated component): each factor's 1-day law is its own standardised residuals (filtered historical
// simulation), and an implied-vol factor estimated from a vol history brings its own move response.

/** ETH at 4%/day, optionally with residual quantiles and a vol:ETH factor. */
function ethMarket(residuals?: number[], vol?: { volDaily: string; moveResponse?: string }): MarketSnapshotInput {
  const names = vol ? ["ETH", "vol:ETH"] : ["ETH"];
  return market({
    riskFactors: {
      source: "test",
      factors: [
        { name: "ETH", volDaily: "0.04", ...(residuals ? { residualQuantiles: residuals.map(String) } : {}) },
        ...(vol ? [{ name: "vol:ETH", ...vol }] : []),
      ],
      correlations: names.map((_, a) => names.map((_, b) => (a === b ? "1" : "0"))),
    },
  });
}

const t4 = Array.from(
  { length: RESIDUAL_SCORE_COUNT },
  (_, k) => quantileT(normalCdf(residualScore(k)), 4) * Math.SQRT1_2,
);
const config = (kind: "filteredHistorical" | "studentT") => ({
  model: "xchain",
  simulation: { paths: 20_000, seed: 3, innovations: { kind, nu: 4 } },
  horizon: { roundUpDays: 0 },
  gridFloor: { fraction: 0 },
});
const ethBook = portfolio({ holdings: [{ chain: "ethereum", token: "ETH", amount: "100" }] });
const es = (m: MarketSnapshotInput, c: object, book = ethBook) =>
  computeMargin({ portfolio: book, market: m, config: c }).components.find((x) => x.name === "expected shortfall")!
    .maintenanceMarginUsd;

describe("xchain filtered historical simulation", () => {
  it("without residual quantiles in the snapshot, a factor keeps the t(4) law bit for bit", () => {
    expect(es(ethMarket(), config("filteredHistorical"))).toBe(es(ethMarket(), config("studentT")));
  });

  it("residuals with the t(4) law give the t(4) ES; residuals 1.5x as wide give a wider ES, close to 1.5x", () => {
    const tEs = es(ethMarket(), config("studentT"));
    expect(es(ethMarket(t4), config("filteredHistorical")) / tEs).toBeCloseTo(1, 2);
    const wide = es(ethMarket(t4.map((q) => 1.5 * q)), config("filteredHistorical"));
    // exp() is convex: a loss 1 - exp(-x) grows a little less than x.
    expect(wide / tEs).toBeGreaterThan(1.4);
    expect(wide / tEs).toBeLessThan(1.5);
  });

  it("the snapshot refuses residual quantiles that are not ascending, naming the field", () => {
    const bad = t4.map((q, k) => (k === 10 ? 99 : q));
    expect(() =>
      computeMargin({ portfolio: ethBook, market: ethMarket(bad), config: config("filteredHistorical") }),
    ).toThrow(/residualQuantiles/);
  });
});

describe("implied-vol factor estimated from a vol history", () => {
  const optionBook = portfolio({
    holdings: [{ chain: "ethereum", token: "USDC", amount: "100000" }],
    positions: [
      {
        id: "c",
        kind: "option",
        chain: "ethereum",
        venue: "derive",
        underlying: "ETH",
        size: "-10",
        expiry: "2024-03-29T08:00:00Z",
        strike: "2000",
        optionType: "call",
      },
    ],
  });
  const withK = (k: number) => ({ ...config("studentT"), impliedVol: { moveResponse: k } });

  it("its move response replaces the configured one (same ES as configuring that k), and it matters", () => {
    const fromSnapshot = es(ethMarket(undefined, { volDaily: "0.01", moveResponse: "0.03" }), withK(0.015), optionBook);
    const fromConfig = es(ethMarket(undefined, { volDaily: "0.01" }), withK(0.03), optionBook);
    expect(fromSnapshot).toBe(fromConfig);
    expect(es(ethMarket(undefined, { volDaily: "0.01" }), withK(0), optionBook)).toBeLessThan(fromConfig);
  });
});
