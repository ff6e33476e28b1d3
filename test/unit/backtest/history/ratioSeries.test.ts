import { describe, expect, it } from "vitest";
import { historyOf } from "../../../../src/backtest/history/history.js";
import { ratioSeries, withRatioSeries } from "../../../../src/backtest/history/ratioSeries.js";
import type { DailySeries } from "../../../../src/market/dailyPriceCsv.js";

const series = (symbol: string, rows: Array<[string, number]>): DailySeries => ({
  symbol,
  dates: rows.map((r) => r[0]),
  closes: Float64Array.from(rows.map((r) => r[1])),
  volumes: new Float64Array(rows.length).fill(Number.NaN),
});

describe("ratio series", () => {
  const wst = series("WSTETH-USD", [
    ["2024-07-03", 3800],
    ["2024-07-04", 3600],
    ["2024-07-06", 3500],
  ]);
  const eth = series("ETH-USD", [
    ["2024-07-03", 3300],
    ["2024-07-05", 3100],
    ["2024-07-06", 3000],
  ]);

  it("divides on the common days only (a day missing in either leg is a gap, never filled)", () => {
    const r = ratioSeries("WSTETH-ETH", wst, eth);
    expect(r.dates).toEqual(["2024-07-03", "2024-07-06"]);
    expect([...r.closes]).toEqual([3800 / 3300, 3500 / 3000]);
    expect(r.volumes.every((v) => Number.isNaN(v))).toBe(true);
  });

  it("the loader adds WSTETH-ETH when both legs exist, and nothing otherwise", () => {
    expect(withRatioSeries(historyOf([wst, eth])).get("WSTETH-ETH")?.closes[1]).toBeCloseTo(3500 / 3000, 12);
    expect(withRatioSeries(historyOf([eth])).has("WSTETH-ETH")).toBe(false);
  });
});
