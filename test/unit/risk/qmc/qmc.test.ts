import { describe, expect, it } from "vitest";
import { normalCdf } from "../../../../src/core/normal.js";
import { controlVariateEs } from "../../../../src/risk/qmc/controlVariateEs.js";
import { unitEllipticalEs } from "../../../../src/risk/qmc/ellipticalEs.js";
import { qmcScenarios } from "../../../../src/risk/qmc/qmcScenarios.js";
import { SOBOL_MAX_DIMENSIONS, scrambledSobolColumn } from "../../../../src/risk/qmc/scrambledSobol.js";
import { selectKth } from "../../../../src/risk/selectKth.js";
import { tailExpectation } from "../../../../src/risk/tailExpectation.js";

const N = 1024;

describe("scrambledSobolColumn", () => {
  it("is a (0,m,1)-net per dimension: 2^10 points put exactly one point in each interval of width 2^-10", () => {
    for (const dim of [0, 1, 2, 7, 40, 100, SOBOL_MAX_DIMENSIONS - 1]) {
      const counts = new Uint16Array(N);
      for (const u of scrambledSobolColumn(N, dim, 3)) counts[Math.floor(u * N)]!++;
      expect(counts.every((c) => c === 1)).toBe(true);
    }
  });

  it("dimensions 0 and 1 form a (0,m,2)-net: every elementary box of area 2^-10 holds exactly one point", () => {
    const x = scrambledSobolColumn(N, 0, 11);
    const y = scrambledSobolColumn(N, 1, 11);
    for (let a = 0; a <= 10; a++) {
      const nx = 2 ** a;
      const ny = N / nx;
      const counts = new Uint16Array(N);
      for (let i = 0; i < N; i++) counts[Math.floor(x[i]! * nx) * ny + Math.floor(y[i]! * ny)]!++;
      expect(counts.every((c) => c === 1)).toBe(true);
    }
  });

  it("randomises by seed, per dimension (a column does not depend on which others are drawn), and pads past the table", () => {
    expect(scrambledSobolColumn(64, 5, 1)).not.toEqual(scrambledSobolColumn(64, 5, 2));
    expect(scrambledSobolColumn(64, 5, 1)).toEqual(scrambledSobolColumn(64, 5, 1));
    const padded = scrambledSobolColumn(N, SOBOL_MAX_DIMENSIONS + 3, 1);
    expect(padded.every((u) => u > 0 && u < 1)).toBe(true);
    expect(Math.abs(padded.reduce((a, b) => a + b, 0) / N - 0.5)).toBeLessThan(0.05);
  });
});

describe("selectKth", () => {
  it("returns the k-th smallest as a sort would, with ties and sorted inputs", () => {
    const values = Float64Array.from({ length: 1001 }, (_, i) => ((i * 7919) % 101) - 50);
    const sorted = Float64Array.from(values).sort();
    for (const k of [0, 1, 500, 975, 1000]) expect(selectKth(Float64Array.from(values), k)).toBe(sorted[k]);
    expect(selectKth(Float64Array.from(sorted), 300)).toBe(sorted[300]);
  });
});

describe("closed-form ES of a unit-variance elliptical loss", () => {
  it("normal: phi(z) / (1 - a) = 2.3378 at 97.5% (textbook value)", () => {
    expect(unitEllipticalEs(0.975, { kind: "normal" })).toBeCloseTo(2.337802, 5);
  });
  it("Student-t nu = 4 scaled to unit variance, by the density formula written out here", () => {
    const nu = 4;
    const q = 2.776445105; // t_4 quantile at 0.975 (tables)
    const pdf = (1.329340388 / (Math.sqrt(nu * Math.PI) * 1)) * (1 + (q * q) / nu) ** -2.5; // Gamma(2.5)/Gamma(2)
    const expected = (Math.sqrt((nu - 2) / nu) * pdf * (nu + q * q)) / ((nu - 1) * 0.025);
    expect(unitEllipticalEs(0.975, { kind: "studentT", nu })).toBeCloseTo(expected, 5);
  });
});

/** ES of the loss -x(t_last) of factor 0 over `seeds` randomisations. */
function esBySeed(seeds: number, innovations: { kind: "normal" } | { kind: "studentT"; nu: number }): number[] {
  const out: number[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const set = qmcScenarios({
      factorNames: ["A", "B"],
      covarianceDaily: Float64Array.of(0.0016, 0.0006, 0.0006, 0.0009),
      timesDays: [1, 2],
      nScenarios: 4096,
      seed,
      innovations,
    });
    const losses = Float64Array.from({ length: 4096 }, (_, s) => -set.logReturns[4096 + s]!);
    out.push(tailExpectation(losses, 0.975, undefined, set.weights).expectedShortfall);
  }
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / (xs.length - 1));

describe("qmcScenarios", () => {
  it("is unbiased for the ES of a normal loss: the mean over 30 randomisations is within 3 standard errors of 0.04 sqrt(2) x 2.3378, and the paths have variance sd^2 t", () => {
    const es = esBySeed(30, { kind: "normal" });
    const exact = 0.04 * Math.sqrt(2) * 2.337802;
    // The sample ES has an O(1/n) bias far below this bound at 4096 paths.
    expect(Math.abs(mean(es) - exact)).toBeLessThan(3 * (sd(es) / Math.sqrt(es.length)) + 1e-4);
    // Precision of one randomisation: the seed-to-seed CV of this one-factor ES is well under 1%.
    expect(sd(es) / mean(es)).toBeLessThan(0.01);
  });

  it("Student-t with importance-sampled mixing: the weighted ES matches the closed form within 3 standard errors", () => {
    const es = esBySeed(30, { kind: "studentT", nu: 4 });
    const exact = 0.04 * Math.sqrt(2) * unitEllipticalEs(0.975, { kind: "studentT", nu: 4 });
    expect(Math.abs(mean(es) - exact)).toBeLessThan(3 * (sd(es) / Math.sqrt(es.length)) + 2e-4);
  });

  it("keeps existing factors' paths when a factor is added after them (common random numbers)", () => {
    const base = { timesDays: [1, 1.5], nScenarios: 512, seed: 5, innovations: { kind: "studentT" as const, nu: 4 } };
    const one = qmcScenarios({ ...base, factorNames: ["A"], covarianceDaily: Float64Array.of(0.0016) });
    const two = qmcScenarios({
      ...base,
      factorNames: ["A", "B"],
      covarianceDaily: Float64Array.of(0.0016, 0.0004, 0.0004, 0.0009),
    });
    expect(two.logReturns.subarray(0, 1024)).toEqual(one.logReturns);
  });

  it("caps each factor at capSd sd sqrt(t) and keeps the uncapped Gaussian beside it", () => {
    const set = qmcScenarios({
      factorNames: ["A"],
      covarianceDaily: Float64Array.of(0.0004),
      timesDays: [1],
      nScenarios: 2048,
      seed: 1,
      innovations: { kind: "studentT", nu: 3 },
      capSd: 3,
    });
    let capped = 0;
    for (let s = 0; s < 2048; s++) {
      expect(Math.abs(set.logReturns[s]!)).toBeLessThanOrEqual(0.06 + 1e-15);
      if (Math.abs(set.mixing[s]! * set.gaussian[s]!) > 0.06) capped++;
    }
    expect(capped).toBeGreaterThan(0);
    // Sanity of the Gaussian part: about 2.5% of |G| / sd above 2.24 (two-sided).
    const above = set.gaussian.filter((g) => Math.abs(g) / 0.02 > 2.2414).length / 2048;
    expect(Math.abs(above - 2 * (1 - normalCdf(2.2414)))).toBeLessThan(0.01);
  });
});

describe("tailExpectation with path weights", () => {
  it("equal weights give the unweighted ES; a weight on one path counts as that many paths", () => {
    const losses = Float64Array.from({ length: 400 }, (_, i) => (i * 37) % 400);
    const plain = tailExpectation(losses, 0.975);
    const equal = tailExpectation(losses, 0.975, undefined, new Float64Array(400).fill(0.5));
    expect(equal.expectedShortfall).toBeCloseTo(plain.expectedShortfall, 10);
    // Worst loss 399 with weight 10 (of a total 409): the 2.5% tail (10.225) is that path plus 0.225 of loss 398.
    const w = new Float64Array(400).fill(1);
    w[losses.indexOf(399)] = 10;
    const t = tailExpectation(losses, 0.975, undefined, w);
    expect(t.expectedShortfall).toBeCloseTo((10 * 399 + 0.225 * 398) / 10.225, 9);
    expect(t.valueAtRisk).toBe(398);
  });
});

describe("controlVariateEs", () => {
  it("returns the known ES exactly when the control is the loss itself (beta = 1)", () => {
    const losses = Float64Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 10);
    const t = tailExpectation(losses, 0.975);
    const cv = controlVariateEs(losses, losses, t, t, 9.5);
    expect(cv.beta).toBeCloseTo(1, 12);
    expect(cv.expectedShortfall).toBeCloseTo(9.5, 10);
  });

  it("falls back to the plain estimate when the control has no tail spread", () => {
    const losses = Float64Array.from({ length: 400 }, (_, i) => i);
    const flat = new Float64Array(400);
    const cv = controlVariateEs(losses, flat, tailExpectation(losses, 0.975), tailExpectation(flat, 0.975), 1);
    expect(cv).toEqual({ expectedShortfall: tailExpectation(losses, 0.975).expectedShortfall, beta: 0 });
  });

  it("beta from the tails' paths only equals the weighted regression of (L - VaR)+ on (Y - VaR)+ over every path", () => {
    // Correlated loss and control with importance weights; the regression computed here in two passes over all paths.
    const n = 4000;
    const y = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) * 3 + Math.cos(i * 0.37));
    const l = Float64Array.from(y, (v, i) => 1.3 * v + 0.4 * Math.sin(i * 5.1) + 0.1 * v * v);
    const w = Float64Array.from({ length: n }, (_, i) => 0.5 + ((i * 7919) % 13) / 13);
    const tl = tailExpectation(l, 0.975, undefined, w);
    const ty = tailExpectation(y, 0.975, undefined, w);
    let sw = 0;
    let mx = 0;
    let mz = 0;
    for (let s = 0; s < n; s++) {
      sw += w[s]!;
      mx += w[s]! * Math.max(0, l[s]! - tl.valueAtRisk);
      mz += w[s]! * Math.max(0, y[s]! - ty.valueAtRisk);
    }
    mx /= sw;
    mz /= sw;
    let cov = 0;
    let varZ = 0;
    for (let s = 0; s < n; s++) {
      const dz = Math.max(0, y[s]! - ty.valueAtRisk) - mz;
      cov += w[s]! * (Math.max(0, l[s]! - tl.valueAtRisk) - mx) * dz;
      varZ += w[s]! * dz * dz;
    }
    const cv = controlVariateEs(l, y, tl, ty, 7, w);
    expect(cv.beta).toBeGreaterThan(0.5);
    expect(cv.beta).toBeCloseTo(cov / varZ, 10);
    expect(cv.expectedShortfall).toBeCloseTo(tl.expectedShortfall - (cov / varZ) * (ty.expectedShortfall - 7), 9);
  });
});
