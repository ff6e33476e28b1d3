import { describe, expect, it } from "vitest";
import {
  binomialCdfTable,
  chiSquare1Sf,
  chiSquare2Sf,
  christoffersen,
  kupiecPof,
  procyclicality,
  trafficLight,
  transitionCounts,
} from "../../../src/backtest/statistics.js";

describe("chi-square tails", () => {
  it("give 5% at the textbook 95% critical values 3.841459 (1 dof) and 5.991465 (2 dof)", () => {
    expect(chiSquare1Sf(3.841458820694124)).toBeCloseTo(0.05, 10);
    expect(chiSquare2Sf(5.991464547107979)).toBeCloseTo(0.05, 12);
    // 1% critical values: 6.634897 and 9.210340.
    expect(chiSquare1Sf(6.634896601021214)).toBeCloseTo(0.01, 10);
    expect(chiSquare2Sf(9.210340371976184)).toBeCloseTo(0.01, 12);
    expect(chiSquare1Sf(0)).toBe(1);
  });
});

describe("kupiecPof", () => {
  it("matches the formula worked by hand for 5 exceptions in 250 days at 99%", () => {
    // LR = -2 ln[(0.99)^245 (0.01)^5] + 2 ln[(0.98)^245 (0.02)^5] = 2 [245 ln(0.98/0.99) + 5 ln 2]
    //    = 2 [245 x (-0.0101524) + 5 x 0.6931472] = 2 [-2.4873322 + 3.4657359] = 1.9568098
    const r = kupiecPof(5, 250, 0.01);
    expect(r.lr).toBeCloseTo(1.9568098, 6);
    // p = P(chi2(1) > 1.9568) = erfc(sqrt(0.9784)) = 0.16185
    expect(r.pValue).toBeCloseTo(0.161855, 5);
  });

  it("handles zero exceptions with 0 ln 0 = 0: LR = -2 n ln(1 - p)", () => {
    // -2 x 250 x ln(0.99) = 500 x 0.01005034 = 5.025168
    const r = kupiecPof(0, 250, 0.01);
    expect(r.lr).toBeCloseTo(5.025168, 5);
    expect(r.pValue).toBeCloseTo(0.0249815, 6);
  });

  it("is 0 when the rate equals p exactly", () => {
    expect(kupiecPof(10, 1000, 0.01).lr).toBeCloseTo(0, 12);
    expect(kupiecPof(10, 1000, 0.01).pValue).toBeCloseTo(1, 12);
  });
});

describe("christoffersen", () => {
  it("counts transitions", () => {
    expect(transitionCounts([false, false, true, true, false])).toEqual({ n00: 1, n01: 1, n10: 1, n11: 1 });
  });

  it("matches the independence and conditional coverage statistics worked by hand", () => {
    // 0 0 0 1 1 1 0 0 0 0: pairs 00 00 01 11 11 10 00 00 00 -> n00 = 5, n01 = 1, n10 = 1, n11 = 2.
    const hits = [0, 0, 0, 1, 1, 1, 0, 0, 0, 0].map((h) => h === 1);
    const r = christoffersen(hits, 0.05);
    expect(r.counts).toEqual({ n00: 5, n01: 1, n10: 1, n11: 2 });
    expect(r.pi01).toBeCloseTo(1 / 6, 15);
    expect(r.pi11).toBeCloseTo(2 / 3, 15);
    expect(r.pi).toBeCloseTo(1 / 3, 15);
    // restricted:   6 ln(2/3) + 3 ln(1/3)                          = -2.4327906 - 3.2958369 = -5.7286275
    // unrestricted: 5 ln(5/6) + ln(1/6) + ln(1/3) + 2 ln(2/3)      = -0.9116078 - 1.7917595 - 1.0986123 - 0.8109302
    //                                                              = -4.6129098
    // LR_ind = -2 (-5.7286275) + 2 (-4.6129098) = 2.2314355
    expect(r.independence.lr).toBeCloseTo(2.2314355, 6);
    expect(r.independence.pValue).toBeCloseTo(0.1352282, 6);
    // Kupiec on 3 of 10 at p = 0.05: -2 [7 ln 0.95 + 3 ln 0.05] + 2 [7 ln 0.7 + 3 ln 0.3]
    //   = -2 (-0.3590530 - 8.9871968) + 2 (-2.4967246 - 3.6119184) = 18.6924996 - 12.2172860 = 6.4752136
    // LR_cc = 6.4752136 + 2.2314355 = 8.7066491; p = exp(-8.7066491 / 2) = 0.0128640
    expect(r.conditionalCoverage.lr).toBeCloseTo(8.7066491, 5);
    expect(r.conditionalCoverage.pValue).toBeCloseTo(0.012864, 6);
    expect(r.conditionalCoverage.dof).toBe(2);
  });

  it("gives LR_ind = 0 when an exception is as likely after an exception as after none", () => {
    // 0 0 1 1 0 0 0 1 0 0: n00 = 4, n01 = 2, n10 = 2, n11 = 1 -> pi01 = pi11 = pi = 1/3.
    const r = christoffersen(
      [0, 0, 1, 1, 0, 0, 0, 1, 0, 0].map((h) => h === 1),
      0.01,
    );
    expect(r.independence.lr).toBeCloseTo(0, 12);
  });
});

describe("traffic light", () => {
  it("reproduces the Basel cumulative probabilities for 250 observations at 99%", () => {
    const cdf = binomialCdfTable(250, 0.01, 10);
    // BCBS (1996) table 2: 8.11%, 28.58%, 54.32%, 75.81%, 89.22%, 95.88%, 98.63%, 99.60%, 99.89%, 99.97%, 99.99%.
    const basel = [0.0811, 0.2858, 0.5432, 0.7581, 0.8922, 0.9588, 0.9863, 0.996, 0.9989, 0.9997, 0.9999];
    basel.forEach((v, k) => {
      expect(Math.abs(cdf[k]! - v)).toBeLessThan(0.00006);
    });
    // P(X = 0) = 0.99^250 exactly.
    expect(cdf[0]).toBeCloseTo(0.99 ** 250, 14);
  });

  it("is green for 0-4, yellow for 5-9 and red from 10 exceptions in 250 days at 99%", () => {
    for (let x = 0; x <= 4; x++) expect(trafficLight(x, 250, 0.99).zone).toBe("green");
    for (let x = 5; x <= 9; x++) expect(trafficLight(x, 250, 0.99).zone).toBe("yellow");
    for (const x of [10, 11, 30, 250]) expect(trafficLight(x, 250, 0.99).zone).toBe("red");
    const t = trafficLight(0, 250, 0.99);
    expect([t.greenMax, t.redFrom]).toEqual([4, 10]);
  });

  it("scales to other sample sizes and coverage levels", () => {
    // Smallest x with P(X <= x) >= 95% / 99.99%, computed with exact binomial sums: n = 1000, p = 1%: 15 and 24;
    // n = 500, p = 2.5%: 18 and 27.
    const a = trafficLight(0, 1000, 0.99);
    expect([a.greenMax, a.redFrom]).toEqual([14, 24]);
    const b = trafficLight(0, 500, 0.975);
    expect([b.greenMax, b.redFrom]).toEqual([17, 27]);
  });
});

describe("procyclicality", () => {
  it("finds the largest 5- and 30-day rises and the peak-to-trough ratio", () => {
    // Day t has margin 100 except: day 10 = 50 (trough), day 15 = 80, day 40 = 200 (peak).
    const days = Array.from({ length: 60 }, (_, t) => t);
    const margins = days.map((t) => (t === 10 ? 50 : t === 15 ? 80 : t === 40 ? 200 : 100));
    const p = procyclicality(margins, days);
    // 5-day: day 35 -> 40: 100 -> 200 = +100 (+100%); day 10 -> 15: +30 (+60%); 15 -> 20: +20.
    expect(p.maxIncrease5dUsd).toBe(100);
    expect(p.maxIncrease5dRel).toBeCloseTo(1, 15);
    // 30-day: day 10 -> 40: 50 -> 200 = +150 (+300%).
    expect(p.maxIncrease30dUsd).toBe(150);
    expect(p.maxIncrease30dRel).toBeCloseTo(3, 15);
    expect(p.peakToTrough).toBe(4);
    expect(p.averageUsd).toBeCloseTo((57 * 100 + 50 + 80 + 200) / 60, 12);
  });

  it("does not treat a gap in the dates as consecutive days", () => {
    // Days 0 and 10 only: no pair is exactly 5 days apart.
    const p = procyclicality([10, 100], [0, 10]);
    expect(p.maxIncrease5dUsd).toBe(0);
    expect(p.maxIncrease5dRel).toBeNull();
  });
});
