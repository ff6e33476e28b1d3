import { describe, expect, it } from "vitest";
import { estimateRiskFactors } from "../../../src/risk/estimateRiskFactors.js";
import { fitMoveResponse } from "../../../src/risk/impliedVolResponse.js";
import { Prng } from "../../../src/risk/prng.js";

describe("fitMoveResponse", () => {
  it("recovers k of y = k (z^2 - 1) exactly and leaves no residual; a day without z keeps its y", () => {
    const z = Float64Array.of(0.5, -2, 1, 3, -0.1);
    const zDays = Int32Array.of(10, 11, 12, 13, 14);
    const yDays = Int32Array.of(9, 10, 11, 12, 13, 14);
    const y = Float64Array.from(yDays, (d) => (d === 9 ? 0.2 : 0.025 * (z[d - 10]! ** 2 - 1)));
    const fit = fitMoveResponse(y, yDays, z, zDays);
    expect(fit.k).toBeCloseTo(0.025, 14);
    expect(fit.residual[0]).toBe(0.2);
    for (let i = 1; i < y.length; i++) expect(Math.abs(fit.residual[i]!)).toBeLessThan(1e-15);
  });

  it("hand least squares through the origin: k = sum(w y) / sum(w^2)", () => {
    const z = Float64Array.of(2, 0, 1); // w = 3, -1, 0
    const days = Int32Array.of(1, 2, 3);
    const fit = fitMoveResponse(Float64Array.of(0.1, 0.02, 0.05), days, z, days);
    expect(fit.k).toBeCloseTo((3 * 0.1 - 0.02) / 10, 15);
    expect(fit.residual[2]).toBeCloseTo(0.05, 15);
  });

  it("estimateRiskFactors: a RiskMetrics vol series as the implied vol gives k near 0.03 and a much smaller vol:X", () => {
    const rng = new Prng(8);
    const days = 800;
    const dates: string[] = [];
    const closes = new Float64Array(days);
    let p = 100;
    for (let d = 0; d < days; d++) {
      dates.push(new Date(Date.UTC(2020, 0, 1 + d)).toISOString().slice(0, 10));
      closes[d] = p;
      p *= Math.exp(0.03 * rng.nextNormal());
    }
    // The implied-vol level: the EWMA(0.94) vol of the same closes, after its 20-return seed.
    const r = Array.from({ length: days - 1 }, (_, t) => Math.log(closes[t + 1]! / closes[t]!));
    let v = r.slice(0, 20).reduce((a, x) => a + x * x, 0) / 20;
    const iv: number[] = [Math.sqrt(v)];
    for (let t = 20; t < r.length; t++) {
      v = 0.94 * v + 0.06 * r[t]! ** 2;
      iv.push(Math.sqrt(v));
    }
    const ivDates = dates.slice(20);
    const e = estimateRiskFactors(
      [
        { symbol: "X", dates, closes },
        { symbol: "vol:X", dates: ivDates, closes: Float64Array.from(iv) },
      ],
      { toDate: dates.at(-1)! },
    );
    // log(sigma_t / sigma_{t-1}) = log(0.94 + 0.06 z^2) / 2 ~ 0.03 (z^2 - 1) to first order.
    expect(e.moveResponse[1]!).toBeGreaterThan(0.024);
    expect(e.moveResponse[1]!).toBeLessThan(0.031);
    expect(Number.isNaN(e.moveResponse[0]!)).toBe(true);
    // Unfitted, the log changes of the vol level have sd ~ 0.03 sqrt(2) = 0.042; the residual is second order.
    expect(e.currentVolsDaily[1]!).toBeLessThan(0.01);
  });
});
