import { describe, expect, it } from "vitest";
import type { ReturnsMatrix } from "../../../src/risk/priceHistory.js";
import { findStressWindow, stressedFloor } from "../../../src/risk/stressedFloor.js";

/**
 * Two factors: 200 calm days (|r| = 0.01), 100 stress days (|r| = 0.05), 200 calm days. Signs: A alternates +,-;
 * B equals A on three days of every four and is opposite on the fourth, so over any 4k days mean(sA sB) = 0.5.
 */
function synthetic(): ReturnsMatrix {
  const nObs = 500;
  const data = new Float64Array(nObs * 2);
  for (let t = 0; t < nObs; t++) {
    const size = t >= 200 && t < 300 ? 0.05 : 0.01;
    const sa = t % 2 === 0 ? 1 : -1;
    const sb = t % 4 === 3 ? -sa : sa;
    data[2 * t] = size * sa;
    data[2 * t + 1] = size * sb;
  }
  const dates = Array.from({ length: nObs }, (_, t) => `day${t}`);
  return { factorNames: ["A", "B"], dates, nObs, nFactors: 2, data };
}

describe("findStressWindow", () => {
  it("finds the block of largest moves", () => {
    const w = findStressWindow(synthetic(), 100);
    expect(w).toMatchObject({ start: 200, end: 300, startDate: "day200", endDate: "day299", truncated: false });
    expect(w.meanVol).toBeCloseTo(0.05, 15);
  });

  it("uses the whole history, flagged, when it is shorter than the window", () => {
    const w = findStressWindow(synthetic(), 1000);
    expect(w).toMatchObject({ start: 0, end: 500, truncated: true });
  });
});

describe("stressedFloor", () => {
  it("floors vols at the stressed level and blends correlations with weight 0.25", () => {
    const res = stressedFloor(synthetic(), {
      windowDays: 100,
      current: { vols: Float64Array.of(0.02, 0.06), correlation: Float64Array.of(1, -0.2, -0.2, 1) },
    });
    expect(res.stressed.vols[0]).toBeCloseTo(0.05, 15);
    expect(res.stressed.correlation[1]).toBeCloseTo(0.5, 14);
    // vols: max(0.02, 0.05) = 0.05, max(0.06, 0.05) = 0.06
    expect(res.vols[0]).toBeCloseTo(0.05, 15);
    expect(res.vols[1]).toBe(0.06);
    // corr: 0.75 * (-0.2) + 0.25 * 0.5 = -0.025; cov_AB = 0.05 * 0.06 * -0.025 = -7.5e-5
    expect(res.correlation[1]).toBeCloseTo(-0.025, 14);
    expect(res.covariance[1]).toBeCloseTo(-7.5e-5, 16);
    expect(res.covariance[3]).toBeCloseTo(0.0036, 16);
  });

  it("with the default EWMA current estimate never lowers a vol", () => {
    const res = stressedFloor(synthetic(), { windowDays: 100, stressWeight: 0.5 });
    for (let i = 0; i < 2; i++) {
      expect(res.vols[i]).toBeGreaterThanOrEqual(res.current.vols[i] ?? Number.NaN);
      expect(res.vols[i]).toBeGreaterThanOrEqual(res.stressed.vols[i] ?? Number.NaN);
    }
    const expected = 0.5 * (res.current.correlation[1] ?? 0) + 0.5 * 0.5;
    expect(res.correlation[1]).toBeCloseTo(expected, 12);
  });

  it("repairs an invalid supplied current correlation", () => {
    // 3 factors where the current correlation is indefinite (0.9, 0.9, -0.9).
    const base = synthetic();
    const data = new Float64Array(base.nObs * 3);
    for (let t = 0; t < base.nObs; t++) {
      data[3 * t] = base.data[2 * t] ?? 0;
      data[3 * t + 1] = base.data[2 * t + 1] ?? 0;
      data[3 * t + 2] = (t % 3 === 0 ? 1 : -1) * 0.01;
    }
    const r: ReturnsMatrix = { ...base, factorNames: ["A", "B", "C"], nFactors: 3, data };
    const bad = Float64Array.of(1, 0.9, 0.9, 0.9, 1, -0.9, 0.9, -0.9, 1);
    const res = stressedFloor(r, {
      windowDays: 100,
      current: { vols: Float64Array.of(0.01, 0.01, 0.01), correlation: bad },
    });
    for (let i = 0; i < 3; i++) expect(res.correlation[4 * i]).toBe(1);
    // det of a valid 3x3 correlation is >= 0
    const c = res.correlation;
    const [a, b, d] = [c[1] ?? 0, c[2] ?? 0, c[5] ?? 0];
    expect(1 + 2 * a * b * d - a * a - b * b - d * d).toBeGreaterThanOrEqual(-1e-12);
  });

  it("rejects a weight outside [0,1] and a short window", () => {
    expect(() => stressedFloor(synthetic(), { stressWeight: 1.5 })).toThrow(/\$\.stressWeight/);
    expect(() => stressedFloor(synthetic(), { windowDays: 1 })).toThrow(/\$\.windowDays/);
  });
});
