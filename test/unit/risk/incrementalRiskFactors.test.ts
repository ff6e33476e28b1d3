import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EwmaVolProxy } from "../../../src/backtest/history/ewmaVolProxy.js";
import { loadHistoryFolder } from "../../../src/backtest/history/loadHistoryFolder.js";
import { RISK_FACTOR_SERIES_BY_FACTOR, UNDERLYING_SERIES } from "../../../src/backtest/history/seriesMap.js";
import { portfolioNeeds } from "../../../src/backtest/timeline.js";
import { historyDir } from "../../../src/cli/historyDir.js";
import { eventDaysByFactor } from "../../../src/market/tokenEvents.js";
import { estimateRiskFactors, type RiskFactorEstimate } from "../../../src/risk/estimateRiskFactors.js";
import { IncrementalRiskFactors } from "../../../src/risk/incrementalRiskFactors.js";
import type { PriceSeries } from "../../../src/risk/priceHistory.js";
import { portfolioSchema } from "../../../src/schema/portfolio.js";

const history = loadHistoryFolder(historyDir());
const root = join(import.meta.dirname, "../../..");

/**
 * The factor series of one example portfolio, as the backtest's timeline reads them; with `impliedVol`, also the
 * implied-vol factor of each option underlying (its EWMA vol proxy's levels, as buildMarketTimeline adds them).
 */
function factorSeries(file: string, impliedVol = false): PriceSeries[] {
  const portfolio = portfolioSchema.parse(JSON.parse(readFileSync(join(root, "examples/portfolios", file), "utf8")));
  const needs = portfolioNeeds(portfolio);
  const factors = needs.factors.map((f) => {
    const s = history.get(RISK_FACTOR_SERIES_BY_FACTOR[f]!)!;
    return { symbol: f, dates: [...s.dates], closes: Float64Array.from(s.closes) };
  });
  if (!impliedVol) return factors;
  const vols = needs.optionUnderlyings.map((u) => ({
    symbol: `vol:${u}`,
    ...new EwmaVolProxy(history.get(UNDERLYING_SERIES[u]!)!, 0.94).levels(),
  }));
  return [...factors, ...vols];
}

/** Dates on which every series has a close, ascending. */
function commonDates(series: readonly PriceSeries[]): string[] {
  const count = new Map<string, number>();
  for (const s of series) for (const d of s.dates) count.set(d, (count.get(d) ?? 0) + 1);
  return [...count]
    .filter(([, c]) => c === series.length)
    .map(([d]) => d)
    .sort();
}

/** Every number and text of an estimate, typed arrays as plain arrays: equal means bit for bit. */
const plain = (e: RiskFactorEstimate) =>
  Object.fromEntries(Object.entries(e).map(([k, v]) => [k, v instanceof Float64Array ? Array.from(v) : v]));

describe("IncrementalRiskFactors", () => {
  // Every example portfolio's factor set (basis series with token-event days and cleaned reversals included), walked
  // over its whole common history; the from-scratch estimate is recomputed on every 7th day and the last days.
  const files = readdirSync(join(root, "examples/portfolios"))
    .filter((f) => f.endsWith(".json"))
    .sort();
  it.each(files)("equals estimateRiskFactors bit for bit, day by day on the real history: %s", (file) => {
    const series = factorSeries(file);
    if (series.length === 0) return;
    const dates = commonDates(series).slice(31);
    const incremental = new IncrementalRiskFactors(series, {});
    // Token-event days are kept while they are the as-of date and left out afterwards: compare them and the day after.
    const events = new Set([...eventDaysByFactor().values()].flatMap((s) => [...s]));
    let compared = 0;
    dates.forEach((date, k) => {
      const inc = incremental.estimateAt(date);
      const eventNear = events.has(date) || events.has(dates[k - 1] ?? "");
      if (k % 7 !== 0 && k < dates.length - 3 && !eventNear) return;
      expect(plain(inc)).toEqual(plain(estimateRiskFactors(series, { toDate: date })));
      compared++;
    });
    expect(compared).toBeGreaterThan(100);
    // From scratch only while a factor has fewer returns than the 250-day stress window; incremental after.
    expect(incremental.fromScratchCalls).toBeLessThan(250);
    expect(dates.length - incremental.fromScratchCalls).toBeGreaterThan(1000);
  });

  // An implied-vol factor beside its underlying: its move response is refitted over the whole history every day, so
  // its statistics and its pairs come from its full residual series each day, the other factors' carried forward.
  const optionBooks = files.filter((f) =>
    readFileSync(join(root, "examples/portfolios", f), "utf8").includes('"option"'),
  );
  it.each(optionBooks)("equals it with the implied-vol factors of the options too: %s", (file) => {
    const series = factorSeries(file, true);
    expect(series.some((s) => s.symbol.startsWith("vol:"))).toBe(true);
    const dates = commonDates(series).slice(31);
    const incremental = new IncrementalRiskFactors(series, {});
    let compared = 0;
    let responses = 0;
    dates.forEach((date, k) => {
      const inc = incremental.estimateAt(date);
      if (k % 11 !== 0 && k < dates.length - 3) return;
      expect(plain(inc)).toEqual(plain(estimateRiskFactors(series, { toDate: date })));
      responses += inc.moveResponse.filter((x) => Number.isFinite(x) && x !== 0).length;
      compared++;
    });
    expect(compared).toBeGreaterThan(100);
    // The fit is live (a non-zero k on the compared days), and the set is not handed to the from-scratch estimate.
    expect(responses).toBeGreaterThan(compared / 2);
    expect(incremental.fromScratchCalls).toBeLessThan(250);
    expect(dates.length - incremental.fromScratchCalls).toBeGreaterThan(1000);
  });
});
