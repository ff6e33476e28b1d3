import { describe, expect, it } from "vitest";
import type { MonteCarloRequest } from "../../../../src/risk/scenarios/monteCarloScenarios.js";
import { monteCarloScenarios } from "../../../../src/risk/scenarios/monteCarloScenarios.js";

// Daily vols 0.04 and 0.03, correlation 0.6: cov = [[0.0016, 0.00072], [0.00072, 0.0009]].
const request: MonteCarloRequest = {
  factorNames: ["BTC", "ETH"],
  covarianceDaily: Float64Array.of(0.0016, 0.00072, 0.00072, 0.0009),
  timesDays: [0.5, 2, 5],
  nScenarios: 40_000,
  seed: 99,
};

/** Sample covariance (zero mean known) of x(s, j1, i1) and x(s, j2, i2). */
function cov(out: Float64Array, n: number, nT: number, j1: number, i1: number, j2: number, i2: number): number {
  let s = 0;
  const nS = out.length / (n * nT);
  for (let k = 0; k < nS; k++) s += (out[(k * nT + j1) * n + i1] ?? 0) * (out[(k * nT + j2) * n + i2] ?? 0);
  return s / nS;
}

describe("monteCarloScenarios", () => {
  it("is bit-for-bit reproducible for a seed and differs for another seed", () => {
    const a = monteCarloScenarios({ ...request, nScenarios: 1000 });
    const b = monteCarloScenarios({ ...request, nScenarios: 1000 });
    const c = monteCarloScenarios({ ...request, nScenarios: 1000, seed: 100 });
    expect(b.logReturns).toEqual(a.logReturns);
    expect(c.logReturns).not.toEqual(a.logReturns);
    const t = monteCarloScenarios({ ...request, nScenarios: 1000, innovations: { kind: "studentT", nu: 5 } });
    const t2 = monteCarloScenarios({ ...request, nScenarios: 1000, innovations: { kind: "studentT", nu: 5 } });
    expect(t2.logReturns).toEqual(t.logReturns);
  });

  for (const innovations of [{ kind: "normal" as const }, { kind: "studentT" as const, nu: 6 }]) {
    it(`${innovations.kind}: Cov(x_i(t), x_k(u)) = min(t, u) Sigma_ik (independent increments, variance ~ dt)`, () => {
      const set = monteCarloScenarios({ ...request, innovations });
      expect(set.nScenarios * set.nTimes * set.nFactors).toBe(set.logReturns.length);
      const out = set.logReturns;
      const times = [0.5, 2, 5];
      const sigma = [
        [0.0016, 0.00072],
        [0.00072, 0.0009],
      ];
      // Relative SE of a zero-mean sample covariance of two normals with correlation rho is
      // sqrt((1 + rho^2) / (rho^2 n)): 0.7% for a variance, 2.7% for BTC(0.5d) x ETH(5d) where rho = 0.19.
      // Allow 4 SE; t innovations (nu = 6, kurtosis 6) widen it by a factor 1.5.
      const n = set.nScenarios;
      for (const [j1, j2] of [
        [0, 0],
        [1, 1],
        [2, 2],
        [0, 2],
        [1, 2],
      ] as const) {
        for (const [i1, i2] of [
          [0, 0],
          [1, 1],
          [0, 1],
        ] as const) {
          const expected = Math.min(times[j1] ?? 0, times[j2] ?? 0) * (sigma[i1]?.[i2] ?? 0);
          const var1 = (times[j1] ?? 0) * (sigma[i1]?.[i1] ?? 0);
          const var2 = (times[j2] ?? 0) * (sigma[i2]?.[i2] ?? 0);
          const rho = expected / Math.sqrt(var1 * var2);
          const se = Math.sqrt((1 + rho * rho) / (rho * rho * n));
          const tol = 4 * se * (innovations.kind === "normal" ? 1 : 1.5);
          expect(Math.abs(cov(out, 2, 3, j1, i1, j2, i2) / expected - 1)).toBeLessThan(tol);
        }
      }
    });
  }

  it("Student-t increments have excess kurtosis, normal ones do not", () => {
    const kurt = (set: { logReturns: Float64Array; nScenarios: number }): number => {
      let m2 = 0;
      let m4 = 0;
      for (let s = 0; s < set.nScenarios; s++) {
        const x = set.logReturns[s * 2] ?? 0; // one time point, factor 0
        m2 += x * x;
        m4 += x ** 4;
      }
      return m4 / set.nScenarios / (m2 / set.nScenarios) ** 2;
    };
    const base = { ...request, timesDays: [1], nScenarios: 100_000 };
    // Unit-variance t with nu = 8: kurtosis 3 + 6 / (8 - 4) = 4.5.
    expect(kurt(monteCarloScenarios({ ...base, innovations: { kind: "studentT", nu: 8 } }))).toBeGreaterThan(4);
    expect(Math.abs(kurt(monteCarloScenarios(base)) - 3)).toBeLessThan(0.1);
  });

  it("handles a singular covariance (two identical factors)", () => {
    const set = monteCarloScenarios({
      ...request,
      covarianceDaily: Float64Array.of(0.0016, 0.0016, 0.0016, 0.0016),
      nScenarios: 100,
    });
    // The Cholesky jitter is at most 1e-10 * 0.0016, so x_A - x_B has variance <= 2 * 1.6e-13 * t, sd <= 1.3e-6 at
    // t = 5 days, against a path sd of 0.04 * sqrt(5) = 0.089.
    for (let p = 0; p < set.logReturns.length; p += 2) {
      expect(Math.abs((set.logReturns[p] ?? 0) - (set.logReturns[p + 1] ?? 0))).toBeLessThan(1e-5);
    }
  });

  it("rejects bad inputs, naming the parameter", () => {
    expect(() => monteCarloScenarios({ ...request, nScenarios: 0 })).toThrow(/\$\.nScenarios/);
    expect(() => monteCarloScenarios({ ...request, innovations: { kind: "studentT", nu: 2 } })).toThrow(
      /\$\.innovations\.nu/,
    );
    expect(() => monteCarloScenarios({ ...request, covarianceDaily: Float64Array.of(1, 2, 2, 1) })).toThrow(
      /not positive semi-definite/,
    );
  });
});

describe("monteCarloScenarios layouts", () => {
  it("factor-major holds exactly the path-major numbers, transposed; antithetic paths mirror their pair", async () => {
    const { scenarioIndex } = await import("../../../../src/risk/scenarios/scenarioSet.js");
    const base = { ...request, nScenarios: 101, antithetic: true };
    const a = monteCarloScenarios(base);
    const b = monteCarloScenarios({ ...base, layout: "factor-major" });
    for (let s = 0; s < 101; s++) {
      for (let j = 0; j < 3; j++) {
        for (let i = 0; i < 2; i++) {
          expect(b.logReturns[scenarioIndex(b, s, j, i)]).toBe(a.logReturns[scenarioIndex(a, s, j, i)]);
          if (s % 2 === 1)
            expect(a.logReturns[scenarioIndex(a, s, j, i)]).toBe(-a.logReturns[scenarioIndex(a, s - 1, j, i)]!);
        }
      }
    }
  });

  it("per-factor streams: the column-wise factor-major fill equals the general loop bit for bit", async () => {
    const { scenarioIndex } = await import("../../../../src/risk/scenarios/scenarioSet.js");
    const base = {
      ...request,
      nScenarios: 257,
      antithetic: true,
      streams: "perFactor" as const,
      innovations: { kind: "studentT" as const, nu: 4 },
    };
    const general = monteCarloScenarios(base);
    const columns = monteCarloScenarios({ ...base, layout: "factor-major" });
    for (let s = 0; s < 257; s++) {
      for (let j = 0; j < 3; j++) {
        for (let i = 0; i < 2; i++) {
          expect(columns.logReturns[scenarioIndex(columns, s, j, i)]).toBe(
            general.logReturns[scenarioIndex(general, s, j, i)],
          );
        }
      }
    }
  });

  it("per-factor streams: adding a factor leaves the other factors' paths bit-identical", () => {
    const one = monteCarloScenarios({
      factorNames: ["BTC"],
      covarianceDaily: Float64Array.of(0.0016),
      timesDays: [1, 2],
      nScenarios: 100,
      seed: 9,
      streams: "perFactor",
    });
    const two = monteCarloScenarios({
      factorNames: ["BTC", "ETH"],
      covarianceDaily: Float64Array.of(0.0016, 0.00072, 0.00072, 0.0009),
      timesDays: [1, 2],
      nScenarios: 100,
      seed: 9,
      streams: "perFactor",
    });
    for (let s = 0; s < 100; s++) {
      for (let j = 0; j < 2; j++) expect(two.logReturns[(s * 2 + j) * 2]).toBe(one.logReturns[s * 2 + j]);
    }
  });
});

describe("monteCarloScenarios tail cap (issue 13 cause 2)", () => {
  const request: MonteCarloRequest = {
    factorNames: ["ETH", "BTC"],
    covarianceDaily: Float64Array.of(0.0036, 0.0024, 0.0024, 0.0025),
    timesDays: [1, 2],
    nScenarios: 20_000,
    seed: 11,
    innovations: { kind: "studentT", nu: 3 },
    antithetic: true,
  };
  const maxAbs = (out: Float64Array, f: number, t: number, nT: number, nF: number, nS: number) => {
    let m = 0;
    for (let s = 0; s < nS; s++) {
      const now = out[(s * nT + t) * nF + f]!;
      const before = t > 0 ? out[(s * nT + t - 1) * nF + f]! : 0;
      m = Math.max(m, Math.abs(now - before));
    }
    return m;
  };

  it("keeps every increment within capSd of its own sd x sqrt(dt), in both layouts and stream modes", () => {
    const uncapped = monteCarloScenarios(request);
    // t(3) scaled to unit variance produces increments beyond 6 sd among 20,000 paths
    expect(maxAbs(uncapped.logReturns, 0, 0, 2, 2, 20_000)).toBeGreaterThan(6 * 0.06);
    for (const streams of ["shared", "perFactor"] as const) {
      const capped = monteCarloScenarios({ ...request, capSd: 6, streams });
      for (let f = 0; f < 2; f++) {
        const sd = Math.sqrt(request.covarianceDaily[f * 3]!);
        for (let t = 0; t < 2; t++)
          expect(maxAbs(capped.logReturns, f, t, 2, 2, 20_000)).toBeLessThanOrEqual(6 * sd + 1e-15);
      }
      const fm = monteCarloScenarios({ ...request, capSd: 6, streams, layout: "factor-major" });
      // same paths in factor-major layout: (f * nT + t) * nS + s
      for (let s = 0; s < 20_000; s += 997) {
        expect(fm.logReturns[(0 * 2 + 1) * 20_000 + s]).toBe(capped.logReturns[(s * 2 + 1) * 2 + 0]);
      }
    }
  });

  it("rejects a non-positive cap", () => {
    expect(() => monteCarloScenarios({ ...request, capSd: 0 })).toThrow(/capSd/);
  });
});
