import { describe, expect, it } from "vitest";
import { buildDaySnapshot, type DaySnapshotPlan, dayDocument } from "../../../../src/backtest/history/daySnapshot.js";
import { EwmaVolProxy } from "../../../../src/backtest/history/ewmaVolProxy.js";
import { historyOf } from "../../../../src/backtest/history/history.js";
import { riskFactorsDoc } from "../../../../src/backtest/history/riskFactorsDoc.js";
import { RESIDUAL_SCORE_COUNT, residualScore } from "../../../../src/core/residualScores.js";
import { estimateRiskFactors } from "../../../../src/risk/estimateRiskFactors.js";
import { errorOf } from "../../../support/errors.js";
import { gridSurface } from "../../../support/gridSurface.js";
import { isoDates, randomWalk } from "../synthetic.js";

const dates = isoDates("2024-01-01", 40);
const eth = randomWalk("ETH-USD", dates, 2000, 0.03, 7);
// BTC's history ends 5 days before ETH's: its feed must go stale, not be invented.
const btc = randomWalk("BTC-USD", dates.slice(0, 35), 40_000, 0.02, 8);
const history = historyOf([eth, btc]);
const plan: DaySnapshotPlan = {
  feeds: [
    { symbol: "ETH", series: "ETH-USD", source: "chainlink", chain: "ethereum" },
    { symbol: "ETH", series: "ETH-USD", source: "pyth", chain: "solana", confidenceRel: 0.001 },
    { symbol: "BTC", series: "BTC-USD", source: "chainlink", chain: "ethereum" },
  ],
  volProxies: new Map([["ETH", new EwmaVolProxy(eth, 0.94)]]),
  rates: { riskFreeAnnual: "0.05", carryAnnual: {} },
  chains: [],
  bridges: [],
};
const day = { description: "test day", liquidity: [] };

describe("buildDaySnapshot: the one snapshot of a replayed day", () => {
  const last = dates.at(-1)!; // 2024-02-09
  const built = buildDaySnapshot(history, last, plan, day);

  it("publishes each feed's close of the day 60 s before the day's close", () => {
    const s = built.snapshot;
    expect(s.asOf).toBe("2024-02-10T00:00:00Z");
    const ethQuotes = s.quotes.filter((q) => q.feed === "ETH/USD");
    expect(ethQuotes.map((q) => q.publishedAt)).toEqual(["2024-02-09T23:59:00Z", "2024-02-09T23:59:00Z"]);
    expect(Number(ethQuotes[0]!.price)).toBeCloseTo(eth.closes[39]!, 6);
    expect(Number(ethQuotes[1]!.confidence)).toBeCloseTo(eth.closes[39]! * 0.001, 1);
    expect(ethQuotes[0]!.confidence).toBeUndefined();
  });

  it("repeats an ended series' last close with its old publication time (stale, never made up)", () => {
    const q = built.snapshot.quotes.find((x) => x.feed === "BTC/USD")!;
    expect(q.publishedAt).toBe("2024-02-04T23:59:00Z"); // BTC's last close is 2024-02-04
    expect(Number(q.price)).toBeCloseTo(btc.closes[34]!, 6);
  });

  it("sets a flat surface at the EWMA proxy, strikes 0.5..2 x spot, expiries 7..730 days", () => {
    const surface = gridSurface(built.snapshot.volSurfaces.find((v) => v.underlying === "ETH"));
    const vol = plan.volProxies.get("ETH")!.at(last)!;
    expect(built.volProxyAnnual.get("ETH")).toBe(vol);
    expect(surface.expiries.map((e) => e.expiry)).toEqual(
      [7, 30, 90, 180, 365, 730].map((d) =>
        new Date(Date.parse("2024-02-10T00:00:00Z") + d * 86_400_000).toISOString().replace(".000Z", "Z"),
      ),
    );
    const e0 = surface.expiries[0]!;
    expect(Number(e0.strikes[0])).toBeCloseTo(0.5 * eth.closes[39]!, 6);
    expect(Number(e0.strikes.at(-1))).toBeCloseTo(2 * eth.closes[39]!, 6);
    expect(e0.vols.every((v) => Math.abs(Number(v) - vol) < 1e-7)).toBe(true);
  });

  it("has no surface before the proxy has 20 returns", () => {
    expect(buildDaySnapshot(history, dates[10]!, plan, day).snapshot.volSurfaces).toEqual([]);
  });

  it("fails with MISSING_DATA when no feed has a close yet, and publishes the USD numeraire for a plan without feeds", () => {
    expect(errorOf(() => buildDaySnapshot(history, "2023-12-01", plan, day)).code).toBe("MISSING_DATA");
    const none = buildDaySnapshot(history, last, { ...plan, feeds: [], volProxies: new Map() }, day);
    expect(none.snapshot.quotes.map((q) => `${q.feed}=${q.price}`)).toEqual(["USDC/USD=1"]);
  });
});

describe("dayDocument: a day's document before the schema check", () => {
  it("is the document the check returns (every defaulted field written), on days with liquidity and risk factors", () => {
    // the estimate needs 30 returns: the one of BTC's last day stands for every day's
    const estimate = estimateRiskFactors([eth, btc], { toDate: dates[34]! });
    for (const date of [dates[10]!, dates[33]!, dates[36]!, dates.at(-1)!]) {
      const inputs = {
        description: `day ${date}`,
        liquidity: [
          { chain: "ethereum", asset: "ETH", dailyVolumeUsd: "1200000", halfSpreadBps: "5", impactCoefficient: "0.7" },
        ],
        riskFactors: riskFactorsDoc({
          ...estimate,
          // a short history has no residual table: one stands in, so the check reads one too
          residualQuantiles: estimate.names.map(() =>
            Float64Array.from({ length: RESIDUAL_SCORE_COUNT }, (_, k) => residualScore(k) * 1.1),
          ),
        }),
      };
      const checked = buildDaySnapshot(history, date, { ...plan, bridges: [] }, inputs);
      const built = dayDocument(history, date, plan, inputs);
      expect(checked.snapshot.riskFactors?.factors[0]?.residualQuantiles?.length).toBe(RESIDUAL_SCORE_COUNT);
      expect(built.snapshot).toStrictEqual(checked.snapshot);
      expect(built.closeUsd).toEqual(checked.closeUsd);
      expect(built.volProxyAnnual).toEqual(checked.volProxyAnnual);
    }
  });
});
