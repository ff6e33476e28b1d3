import { describe, expect, it } from "vitest";
import { EwmaVolProxy } from "../../../../src/backtest/history/ewmaVolProxy.js";
import type { DailySeries } from "../../../../src/market/dailyPriceCsv.js";
import { isoDates } from "../synthetic.js";

/** Closes with chosen log-returns: close_0 = 100, close_k = close_{k-1} * exp(r_{k-1}). */
function seriesWithReturns(returns: number[], dates = isoDates("2024-01-01", returns.length + 1)): DailySeries {
  const closes = new Float64Array(returns.length + 1);
  closes[0] = 100;
  returns.forEach((r, k) => {
    closes[k + 1] = closes[k]! * Math.exp(r);
  });
  return { symbol: "X-USD", dates, closes, volumes: closes.map(() => Number.NaN) };
}

describe("EwmaVolProxy (RiskMetrics EWMA of src/risk/ewma.ts, annualised)", () => {
  // 22 returns: 0.01, -0.02, 0.03, ... (alternating sign, growing size)
  const returns = Array.from({ length: 22 }, (_, k) => (k % 2 === 0 ? 1 : -1) * 0.01 * (1 + (k % 5)));
  const s = seriesWithReturns(returns);
  const proxy = new EwmaVolProxy(s, 0.94);

  it("is undefined before 20 returns exist (the seed never sees a later close)", () => {
    expect(proxy.at(s.dates[19]!)).toBeUndefined();
    expect(proxy.at("2023-12-31")).toBeUndefined();
  });

  it("seeds with the mean square of the first 20 returns, then one recursion step per return, x sqrt(365)", () => {
    const seed = returns.slice(0, 20).reduce((a, r) => a + r * r, 0) / 20;
    expect(proxy.at(s.dates[20]!)).toBeCloseTo(Math.sqrt(seed * 365), 12);
    const v21 = 0.94 * seed + 0.06 * returns[20]! ** 2;
    expect(proxy.at(s.dates[21]!)).toBeCloseTo(Math.sqrt(v21 * 365), 12);
    const v22 = 0.94 * v21 + 0.06 * returns[21]! ** 2;
    expect(proxy.at(s.dates[22]!)).toBeCloseTo(Math.sqrt(v22 * 365), 12);
  });

  it("reads only closes up to the date: a changed later close leaves earlier days alone; a later date holds the last", () => {
    const changed = seriesWithReturns([...returns.slice(0, 21), 0.5]);
    expect(new EwmaVolProxy(changed, 0.94).at(s.dates[21]!)).toBe(proxy.at(s.dates[21]!));
    expect(proxy.at("2030-01-01")).toBe(proxy.at(s.dates[22]!));
  });

  it("a one-close series has no vol", () => {
    expect(new EwmaVolProxy(seriesWithReturns([]), 0.94).at("2030-01-01")).toBeUndefined();
  });
});
