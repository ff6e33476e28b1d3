import { describe, expect, it } from "vitest";
import type { GarchParams } from "../../../src/risk/garch.js";
import { fitGarch, garchLogLikelihood } from "../../../src/risk/garch.js";
import { Prng } from "../../../src/risk/prng.js";

/** Simulates r_t = sigma_t z_t with the GARCH(1,1) recursion, after a burn-in from the unconditional variance. */
function simulate(p: GarchParams, n: number, seed: number): Float64Array {
  const rng = new Prng(seed);
  const out = new Float64Array(n);
  let v = p.omega / (1 - p.alpha - p.beta);
  let prev = 0;
  for (let t = -500; t < n; t++) {
    v = p.omega + p.alpha * prev * prev + p.beta * v;
    prev = Math.sqrt(v) * rng.nextNormal();
    if (t >= 0) out[t] = prev;
  }
  return out;
}

describe("garchLogLikelihood", () => {
  it("matches a 3-point hand computation", () => {
    // r = (1, -2, 0.5), omega 0.1, alpha 0.2, beta 0.7, sigma2_0 = mean(r^2) = (1 + 4 + 0.25)/3 = 1.75
    // sigma2_1 = 0.1 + 0.2*1 + 0.7*1.75 = 1.525;  sigma2_2 = 0.1 + 0.2*4 + 0.7*1.525 = 1.9675
    // LL = -0.5 [3 ln(2 pi) + ln 1.75 + 1/1.75 + ln 1.525 + 4/1.525 + ln 1.9675 + 0.25/1.9675]
    const r = Float64Array.of(1, -2, 0.5);
    const expected =
      -0.5 *
      (3 * Math.log(2 * Math.PI) +
        Math.log(1.75) +
        1 / 1.75 +
        Math.log(1.525) +
        4 / 1.525 +
        Math.log(1.9675) +
        0.25 / 1.9675);
    expect(garchLogLikelihood(r, { omega: 0.1, alpha: 0.2, beta: 0.7 })).toBeCloseTo(expected, 13);
    // Explicit sigma2_0 = 1: sigma2_1 = 0.1 + 0.2 + 0.7 = 1.0, sigma2_2 = 0.1 + 0.8 + 0.7 = 1.6
    const withInit = -0.5 * (3 * Math.log(2 * Math.PI) + 0 + 1 + 0 + 4 + Math.log(1.6) + 0.25 / 1.6);
    expect(garchLogLikelihood(r, { omega: 0.1, alpha: 0.2, beta: 0.7 }, 1)).toBeCloseTo(withInit, 13);
  });
});

describe("fitGarch", () => {
  const truth = { omega: 1e-5, alpha: 0.08, beta: 0.9 };

  it("recovers the parameters of a simulated 5000-day series", () => {
    const r = simulate(truth, 5000, 2024);
    const fit = fitGarch(r);
    expect(fit.converged).toBe(true);
    // Asymptotic SEs at n = 5000 are about 0.008 (alpha), 0.010 (beta); omega is poorly identified on its own,
    // so check it within a factor of 2 and the persistence tightly.
    expect(Math.abs(fit.params.alpha - truth.alpha)).toBeLessThan(0.03);
    expect(Math.abs(fit.params.beta - truth.beta)).toBeLessThan(0.04);
    expect(Math.abs(fit.params.alpha + fit.params.beta - 0.98)).toBeLessThan(0.015);
    expect(fit.params.omega).toBeGreaterThan(truth.omega / 2);
    expect(fit.params.omega).toBeLessThan(truth.omega * 2);
    // MLE property: the fitted likelihood is at least the likelihood at the true parameters.
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(garchLogLikelihood(r, truth));
    expect(fit.logLikelihood).toBeCloseTo(garchLogLikelihood(r, fit.params), 9);
  });

  it("returns conditional vols and the one-step forecast from the recursion", () => {
    const r = simulate(truth, 1000, 7);
    const fit = fitGarch(r);
    const { omega, alpha, beta } = fit.params;
    expect(fit.condVol[0]).toBeCloseTo(Math.sqrt(fit.initialVariance), 15);
    const v1 = omega + alpha * (r[0] ?? 0) ** 2 + beta * fit.initialVariance;
    expect(fit.condVol[1]).toBeCloseTo(Math.sqrt(v1), 15);
    const last = (fit.condVol[999] ?? 0) ** 2;
    expect(fit.forecastVariance).toBeCloseTo(omega + alpha * (r[999] ?? 0) ** 2 + beta * last, 15);
    expect(fit.forecastVol).toBe(Math.sqrt(fit.forecastVariance));
    expect(alpha).toBeGreaterThanOrEqual(0);
    expect(beta).toBeGreaterThanOrEqual(0);
    expect(alpha + beta).toBeLessThan(1);
  });

  it("rejects too-short or non-finite input", () => {
    expect(() => fitGarch(Float64Array.of(0.01))).toThrow(/\$\.returns/);
    expect(() => fitGarch(Float64Array.of(0.01, Number.NaN))).toThrow(/\$\.returns\[1\]/);
  });
});

describe("fitGarch start on the boundary", () => {
  it("accepts beta = 0 as a start and still converges", () => {
    const rng = new Prng(3);
    const r = Float64Array.from({ length: 800 }, () => 0.01 * rng.nextNormal());
    const res = fitGarch(r, { start: { omega: 5e-5, alpha: 0.1, beta: 0 } });
    expect(res.converged).toBe(true);
    expect(Number.isFinite(res.logLikelihood)).toBe(true);
  });
});
