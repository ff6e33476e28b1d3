import { describe, expect, it } from "vitest";
import { harForecasts } from "../../../../src/risk/forecast/baselines.js";
import { dieboldMariano, qlike, varExceptions } from "../../../../src/risk/forecast/evaluate.js";
import { buildFactorPanel } from "../../../../src/risk/forecast/features.js";
import { refitDates, windowRows } from "../../../../src/risk/forecast/schedule.js";
import { dates, garchSeries } from "./synthetic.js";

describe("forecast evaluation", () => {
  it("QLIKE is minimised by the true variance", () => {
    for (const y of [1e-6, 4e-4, 0.01]) {
      expect(qlike(y, y)).toBeLessThan(qlike(y, 1.1 * y));
      expect(qlike(y, y)).toBeLessThan(qlike(y, 0.9 * y));
      expect(qlike(y, y)).toBeCloseTo(Math.log(y) + 1, 12);
    }
  });

  it("Diebold-Mariano matches a hand calculation with Newey-West lags", () => {
    // d = a - b = [1, -0.5, 2, 0, 1, 1.5, -1, 0.5, 1, 0.5]; n = 10, lags = floor(10^(1/3)) = 2.
    const d = [1, -0.5, 2, 0, 1, 1.5, -1, 0.5, 1, 0.5];
    const b = Float64Array.from(d, () => 3);
    const a = Float64Array.from(d, (x) => 3 + x);
    const m = 0.6;
    const c = d.map((x) => x - m);
    const gamma = (l: number) => c.slice(l).reduce((s, x, i) => s + x * c[i]!, 0);
    const lrv = (gamma(0) + 2 * (2 / 3) * gamma(1) + 2 * (1 / 3) * gamma(2)) / 10;
    const dm = dieboldMariano(a, b);
    expect(dm.lags).toBe(2);
    expect(dm.meanDiff).toBeCloseTo(m, 12);
    expect(dm.statistic).toBeCloseTo(m / Math.sqrt(lrv / 10), 10);
    // a has the higher loss, so "a better" is far from significant.
    expect(dm.pValueABetter).toBeGreaterThan(0.9);
  });

  it("counts VaR exceptions below -z sigma only", () => {
    const next = Float64Array.of(-0.03, -0.019, 0.05, -0.021);
    const variance = Float64Array.from([1, 1, 1, 1], () => 0.01 ** 2);
    expect(varExceptions(next, variance, 2)).toBe(2);
  });

  it("refit dates depend on the window only", () => {
    expect(refitDates({ from: "2021-01-01", to: "2021-03-15", refitDays: 30 })).toEqual([
      "2021-01-01",
      "2021-01-31",
      "2021-03-02",
    ]);
    expect(() => refitDates({ from: "2021-02-01", to: "2021-01-01", refitDays: 30 })).toThrow(/window/);
  });

  it("HAR-OLS recovers an exactly linear variance recursion", () => {
    // r_{t+1}^2 = b0 + b1 r_t^2 + b5 RV5_t + b22 RV22_t exactly (signs alternate): OLS must reproduce it.
    const [b0, b1, b5, b22] = [2e-5, 0.2, 0.3, 0.4];
    const n = 500;
    const r = new Float64Array(n);
    for (let t = 0; t < 22; t++) r[t] = 0.01 * (1 + (t % 3)) * (t % 2 ? 1 : -1);
    const ms = (end: number, w: number) => {
      let s = 0;
      for (let k = end - w + 1; k <= end; k++) s += r[k]! ** 2;
      return s / w;
    };
    for (let t = 21; t + 1 < n; t++) {
      r[t + 1] = (t % 2 ? 1 : -1) * Math.sqrt(b0 + b1 * r[t]! ** 2 + b5 * ms(t, 5) + b22 * ms(t, 22));
    }
    const closes = new Float64Array(n + 1);
    closes[0] = 100;
    for (let t = 0; t < n; t++) closes[t + 1] = closes[t]! * Math.exp(r[t]!);
    const series = { symbol: "X", dates: dates(n + 1), closes };
    const market = garchSeries("BTC-USD", n + 1, 1);
    const panel = buildFactorPanel(series, market, false);
    const window = { from: "2020-12-01", to: "2021-04-01", refitDays: 30 };
    const har = harForecasts(panel, window);
    expect(har.rows).toEqual(windowRows(panel, window));
    har.rows.forEach((row, q) => {
      expect(har.variance[q]! / panel.nextReturn[row]! ** 2).toBeCloseTo(1, 6);
    });
  });
});
