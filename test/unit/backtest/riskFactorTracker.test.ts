import { describe, expect, it } from "vitest";
import { RiskFactorTracker } from "../../../src/backtest/riskFactorTracker.js";
import { estimateRiskFactors } from "../../../src/risk/estimateRiskFactors.js";
import type { PriceSeries } from "../../../src/risk/priceHistory.js";
import { isoDates, randomWalk } from "./synthetic.js";

describe("RiskFactorTracker", () => {
  // Three factors over 400 days; the third misses 10 days (alignment drops them) and has a volatile spell.
  const dates = isoDates("2021-01-01", 400);
  const a = randomWalk("A", dates, 100, 0.02, 1);
  const b = randomWalk("B", dates, 50, 0.03, 2);
  const c0 = randomWalk("C", dates, 1, 0.001, 3);
  const keep = dates.map((_, k) => k < 150 || k >= 160);
  const c = {
    symbol: "C",
    dates: dates.filter((_, k) => keep[k]),
    closes: Float64Array.from(
      c0.closes.filter((_, k) => keep[k]),
      (x, k) => x * (k > 250 && k < 300 ? 1 + 0.02 * Math.sin(k) : 1),
    ),
  };
  const series: PriceSeries[] = [
    { symbol: "A", dates: a.dates, closes: a.closes },
    { symbol: "B", dates: b.dates, closes: b.closes },
    c,
  ];

  it("gives the batch estimateRiskFactors numbers at every date it is asked for, walking forward", () => {
    const tracker = new RiskFactorTracker(series.map((s) => ({ name: s.symbol, dates: s.dates, closes: s.closes })));
    // Before 30 returns of every factor there is no estimate (the batch function refuses too).
    expect(tracker.estimateAt(dates[20]!)).toBeUndefined();
    expect(() => estimateRiskFactors(series, { toDate: dates[20]! })).toThrow(/need at least 30/);
    // 40: stress window = whole history (< 250 returns); 159 is not a common date; 260+ full windows.
    for (const k of [40, 149, 200, 260, 261, 330, 399]) {
      const date = dates[k]!;
      const inc = tracker.estimateAt(date)!;
      const batch = estimateRiskFactors(series, { toDate: date });
      expect(inc.names).toEqual(batch.names);
      expect(inc.stressWindows).toEqual(batch.stressWindows);
      expect(inc.fromDate).toBe(batch.fromDate);
      expect(inc.source).toBe(batch.source);
      for (let i = 0; i < 3; i++) {
        expect(inc.currentVolsDaily[i]).toBeCloseTo(batch.currentVolsDaily[i]!, 14);
        expect(inc.volsDaily[i]).toBeCloseTo(batch.volsDaily[i]!, 14);
      }
      for (let p = 0; p < 9; p++) expect(inc.correlation[p]).toBeCloseTo(batch.correlation[p]!, 12);
    }
  });

  it("refuses a date that is not a common date or lies behind the walk", () => {
    const tracker = new RiskFactorTracker(series.map((s) => ({ name: s.symbol, dates: s.dates, closes: s.closes })));
    expect(() => tracker.estimateAt(dates[155]!)).toThrow(/not a common date/);
    tracker.estimateAt(dates[300]!);
    expect(() => tracker.estimateAt(dates[200]!)).toThrow(/before/);
  });
});
