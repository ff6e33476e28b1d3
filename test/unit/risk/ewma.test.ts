import { describe, expect, it } from "vitest";
import { ewmaCovariance, ewmaVolMatrix, ewmaVolSeries } from "../../../src/risk/ewma.js";
import type { ReturnsMatrix } from "../../../src/risk/priceHistory.js";
import { Prng } from "../../../src/risk/prng.js";

// Four returns of two factors: r0 = (0.01, 0.02), r1 = (-0.02, 0.01), r2 = (0.03, -0.01), r3 = (0.01, 0).
const returns: ReturnsMatrix = {
  factorNames: ["A", "B"],
  dates: ["d1", "d2", "d3", "d4"],
  nObs: 4,
  nFactors: 2,
  data: Float64Array.of(0.01, 0.02, -0.02, 0.01, 0.03, -0.01, 0.01, 0),
};

describe("ewmaCovariance", () => {
  it("follows the RiskMetrics recursion on a hand-computed series (lambda 0.9, seed on the first 2 returns)", () => {
    // Seed C_2 = (r0 r0' + r1 r1') / 2: varA = (1e-4 + 4e-4)/2 = 2.5e-4, varB = (4e-4 + 1e-4)/2 = 2.5e-4,
    //   cov = (0.01*0.02 + (-0.02)*0.01)/2 = 0.
    // C_3 = 0.9 C_2 + 0.1 r2 r2': varA = 2.25e-4 + 0.1*9e-4 = 3.15e-4, varB = 2.25e-4 + 0.1*1e-4 = 2.35e-4,
    //   cov = 0 + 0.1*(0.03*-0.01) = -3e-5.
    // C_4 = 0.9 C_3 + 0.1 r3 r3': varA = 2.835e-4 + 0.1*1e-4 = 2.935e-4, varB = 2.115e-4, cov = -2.7e-5.
    const e = ewmaCovariance(returns, { lambda: 0.9, initWindow: 2 });
    expect(e.covariance[0]).toBeCloseTo(2.935e-4, 16);
    expect(e.covariance[3]).toBeCloseTo(2.115e-4, 16);
    expect(e.covariance[1]).toBeCloseTo(-2.7e-5, 16);
    expect(e.covariance[2]).toBeCloseTo(-2.7e-5, 16);
    expect(e.vols[0]).toBeCloseTo(Math.sqrt(2.935e-4), 15);
    expect(e.vols[1]).toBeCloseTo(Math.sqrt(2.115e-4), 15);
    expect(e.correlation[1]).toBeCloseTo(-2.7e-5 / Math.sqrt(2.935e-4 * 2.115e-4), 12); // -0.0917...
    expect(e.correlation[0]).toBe(1);
  });

  it("defaults to lambda 0.94", () => {
    // initWindow 3: varA seed = (1e-4 + 4e-4 + 9e-4)/3 = 4.6667e-4; next = 0.94 * seed + 0.06 * 1e-4
    const e = ewmaCovariance(returns, { initWindow: 3 });
    expect(e.lambda).toBe(0.94);
    expect(e.covariance[0]).toBeCloseTo(0.94 * (14e-4 / 3) + 0.06 * 1e-4, 16);
  });

  it("rejects lambda outside (0,1) and a bad init window", () => {
    expect(() => ewmaCovariance(returns, { lambda: 1 })).toThrow(/\$\.lambda/);
    expect(() => ewmaCovariance(returns, { initWindow: 0 })).toThrow(/\$\.initWindow/);
  });
});

describe("ewmaVolSeries", () => {
  it("holds the seed vol up to day k, then the recursion, with the forecast last", () => {
    const a = Float64Array.of(0.01, -0.02, 0.03, 0.01);
    const v = ewmaVolSeries(a, { lambda: 0.9, initWindow: 2 });
    expect(v.length).toBe(5);
    const seed = Math.sqrt(2.5e-4);
    expect(v[0]).toBeCloseTo(seed, 15);
    expect(v[1]).toBeCloseTo(seed, 15);
    expect(v[2]).toBeCloseTo(seed, 15);
    expect(v[3]).toBeCloseTo(Math.sqrt(3.15e-4), 15);
    expect(v[4]).toBeCloseTo(Math.sqrt(2.935e-4), 15);
  });

  it("last row of the vol matrix equals the covariance forecast's vols", () => {
    const rng = new Prng(9);
    const nObs = 500;
    const data = Float64Array.from({ length: nObs * 3 }, () => 0.02 * rng.nextNormal());
    const r: ReturnsMatrix = { factorNames: ["a", "b", "c"], dates: [], nObs, nFactors: 3, data };
    const m = ewmaVolMatrix(r);
    const e = ewmaCovariance(r);
    for (let i = 0; i < 3; i++) expect(m[nObs * 3 + i]).toBeCloseTo(e.vols[i] ?? Number.NaN, 15);
  });
});
