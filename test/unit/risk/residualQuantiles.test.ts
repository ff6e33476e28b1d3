import { describe, expect, it } from "vitest";
import { normalCdf } from "../../../src/core/normal.js";
import { RESIDUAL_SCORE_COUNT, residualScore } from "../../../src/core/residualScores.js";
import { estimateRiskFactors } from "../../../src/risk/estimateRiskFactors.js";
import { Prng } from "../../../src/risk/prng.js";
import { MIN_RESIDUALS, residualQuantiles } from "../../../src/risk/residualQuantiles.js";

describe("residualQuantiles", () => {
  it("is the type-7 empirical quantile at each grid score (hand computation on 0..999)", () => {
    // Shuffled 0..999: the sorted pool is k, so the type-7 quantile at probability p is exactly 999 p.
    const pool = Float64Array.from({ length: 1000 }, (_, k) => (k * 379) % 1000);
    const q = residualQuantiles(pool)!;
    expect(q.length).toBe(RESIDUAL_SCORE_COUNT);
    for (const k of [1, 17, 40, 57, 79]) expect(q[k]!).toBeCloseTo(999 * normalCdf(residualScore(k)), 9);
    expect(q[40]!).toBeCloseTo(499.5, 9); // score 0: the median between the 500th and 501st values
    expect([q[0], q[80]]).toEqual([0, 999]); // the ends: the pool's extremes
  });

  it("keeps the extremes of the pool at the grid ends and refuses a pool too small for a 1% quantile", () => {
    const pool = Float64Array.from({ length: 2000 }, (_, k) => Math.sin(k) * 3);
    pool[123] = -11;
    pool[456] = 9;
    const q = residualQuantiles(pool)!;
    expect(q[0]!).toBe(-11);
    expect(q[RESIDUAL_SCORE_COUNT - 1]!).toBe(9);
    expect(residualQuantiles(pool.subarray(0, MIN_RESIDUALS - 1))).toBeUndefined();
  });

  it("estimateRiskFactors stores the quantiles of r_t / sigma_{t|t-1} of its own EWMA (recomputed here)", () => {
    const rng = new Prng(5);
    const days = 900;
    const dates: string[] = [];
    const closes = new Float64Array(days);
    let p = 100;
    for (let d = 0; d < days; d++) {
      dates.push(new Date(Date.UTC(2021, 0, 1 + d)).toISOString().slice(0, 10));
      closes[d] = p;
      p *= Math.exp(0.02 * (1 + (d % 200 < 50 ? 1.5 : 0)) * rng.nextNormal());
    }
    const e = estimateRiskFactors([{ symbol: "A", dates, closes }], { toDate: dates.at(-1)! });
    // Independent EWMA: seed = mean square of the first 20 returns, then the forecast before each return.
    const r = Array.from({ length: days - 1 }, (_, t) => Math.log(closes[t + 1]! / closes[t]!));
    let v = r.slice(0, 20).reduce((a, x) => a + x * x, 0) / 20;
    const z: number[] = [];
    for (let t = 20; t < r.length; t++) {
      z.push(r[t]! / Math.sqrt(v));
      v = 0.94 * v + 0.06 * r[t]! ** 2;
    }
    z.sort((a, b) => a - b);
    const at = (prob: number) => {
      const h = (z.length - 1) * prob;
      const lo = Math.floor(h);
      return z[lo]! + (h - lo) * (z[lo + 1]! - z[lo]!);
    };
    const q = e.residualQuantiles[0]!;
    for (const k of [3, 17, 40, 63, 77]) expect(q[k]!).toBeCloseTo(at(normalCdf(residualScore(k))), 12);
  });
});
