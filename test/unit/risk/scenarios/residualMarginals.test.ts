import quantileT from "@stdlib/stats-base-dists-t-quantile";
import { describe, expect, it } from "vitest";
import { kupiecPof } from "../../../../src/backtest/statistics.js";
import { normalCdf } from "../../../../src/core/normal.js";
import { RESIDUAL_SCORE_COUNT, residualScore } from "../../../../src/core/residualScores.js";
import { estimateRiskFactors } from "../../../../src/risk/estimateRiskFactors.js";
import { Prng } from "../../../../src/risk/prng.js";
import { qmcScenarios } from "../../../../src/risk/qmc/qmcScenarios.js";
import { applyResidualMarginals } from "../../../../src/risk/scenarios/residualMarginals.js";
import { valueAtRisk } from "../../../../src/risk/varEs.js";

const SD = 0.03;
const scores = Float64Array.from({ length: RESIDUAL_SCORE_COUNT }, (_, k) => residualScore(k));

function draws(nu: number, nScenarios = 4096) {
  return qmcScenarios({
    factorNames: ["A"],
    covarianceDaily: Float64Array.of(SD * SD),
    timesDays: [1, 4],
    nScenarios,
    seed: 3,
    innovations: nu > 0 ? { kind: "studentT", nu } : { kind: "normal" },
  });
}

describe("applyResidualMarginals", () => {
  it("normal draws, residual quantiles 2 x the normal scores: every move doubles, capped at the pool's extremes", () => {
    const set = draws(0);
    const before = Float64Array.from(set.logReturns);
    applyResidualMarginals(set, [SD], [scores.map((x) => 2 * x)], 0, 15);
    for (let j = 0; j < 2; j++) {
      const scale = SD * Math.sqrt(set.timesDays[j]!);
      for (let s = 0; s < set.nScenarios; s++) {
        const x = before[j * set.nScenarios + s]!;
        const expected = Math.abs(x / scale) <= 4 ? 2 * x : Math.sign(x) * 8 * scale;
        expect(set.logReturns[j * set.nScenarios + s]!).toBeCloseTo(expected, 12);
      }
    }
  });

  it("t(4) draws with the t(4) quantiles as the residual law leave the moves unchanged (the copula score map)", () => {
    const set = draws(4);
    const before = Float64Array.from(set.logReturns);
    const t4 = scores.map((x) => quantileT(normalCdf(x), 4) * Math.SQRT1_2);
    applyResidualMarginals(set, [SD], [t4], 4, 15);
    for (let s = 0; s < set.logReturns.length; s++) {
      const scale = SD * Math.sqrt(set.timesDays[s < set.nScenarios ? 0 : 1]!);
      const y = before[s]! / scale;
      if (Math.abs(y) < t4[RESIDUAL_SCORE_COUNT - 1]!)
        expect(Math.abs(set.logReturns[s]! - before[s]!)).toBeLessThan(0.01 * scale);
    }
  });

  it("the quasi-random sampler's marginals as it draws (residualQuantiles) are the set's marginals applied after, bit for bit", () => {
    // three factors, one without quantiles, a cap tight enough that the draw cap and the marginal's cap both bind
    const covarianceDaily = Float64Array.of(0.0016, 0.00002, 0.0001, 0.00002, 0.00001, 0, 0.0001, 0, 0.002);
    const skewed = scores.map((x, k) => 1.3 * x + (k > RESIDUAL_SCORE_COUNT / 2 ? 0.4 : 0));
    const quantiles = [skewed, undefined, scores.map((x) => 2 * x)];
    for (const capSd of [15, 2.5]) {
      const request = {
        factorNames: ["A", "B", "C"],
        covarianceDaily,
        timesDays: [1.01, 1.02, 8],
        nScenarios: 2048,
        seed: 5,
        innovations: { kind: "filteredHistorical", nu: 4 } as const,
        capSd,
      };
      const after = qmcScenarios(request);
      const sd = [0, 4, 8].map((k) => Math.sqrt(covarianceDaily[k]!));
      applyResidualMarginals(after, sd, quantiles, 4, capSd);
      const drawn = qmcScenarios({ ...request, residualQuantiles: quantiles });
      expect(Buffer.from(drawn.logReturns.buffer).equals(Buffer.from(after.logReturns.buffer))).toBe(true);
      expect(drawn.gaussian).toEqual(after.gaussian);
      // the marginals moved the paths, and the cap bound some of them
      const plain = qmcScenarios(request);
      expect(drawn.logReturns).not.toEqual(plain.logReturns);
      const capA = capSd * (sd[0]! * Math.sqrt(1.01));
      const capped = drawn.logReturns.subarray(0, 2048).filter((x) => Math.abs(x) === capA).length;
      if (capSd < 3) expect(capped).toBeGreaterThan(0);
      else expect(capped).toBe(0);
    }
  });

  it("leaves a factor without residual quantiles as drawn", () => {
    const set = draws(4);
    const before = Float64Array.from(set.logReturns);
    applyResidualMarginals(set, [SD], [undefined], 4, 15);
    expect(set.logReturns).toEqual(before);
  });
});

describe("filtered historical simulation on a series with a known fat-tailed law", () => {
  // GARCH(1,1) with unit-variance Student-t(3) shocks: an EWMA filter leaves fat-tailed residuals with sd above 1.
  const rng = new Prng(11);
  const days = 3000;
  const dates: string[] = [];
  const closes = new Float64Array(days);
  let p = 100;
  let v = 0.03 ** 2;
  for (let d = 0; d < days; d++) {
    dates.push(new Date(Date.UTC(2015, 0, 1 + d)).toISOString().slice(0, 10));
    closes[d] = p;
    const chi2 = rng.nextNormal() ** 2 + rng.nextNormal() ** 2 + rng.nextNormal() ** 2;
    const shock = (rng.nextNormal() / Math.sqrt(chi2 / 3)) * Math.sqrt(1 / 3);
    const r = Math.sqrt(v) * shock;
    v = 0.00002 + 0.2 * r * r + 0.78 * v;
    p *= Math.exp(r);
  }

  it("the 1-day 99% VaR of a long position has about 1% exceptions (two-sided Kupiec p > 0.05)", () => {
    let fhs = 0;
    let n = 0;
    for (let d = 1500; d < days - 1; d++) {
      const e = estimateRiskFactors([{ symbol: "A", dates, closes }], { toDate: dates[d]! });
      const sd = e.currentVolsDaily[0]!;
      const set = qmcScenarios({
        factorNames: ["A"],
        covarianceDaily: Float64Array.of(sd * sd),
        timesDays: [1],
        nScenarios: 2048,
        seed: 1,
        innovations: { kind: "studentT", nu: 4 },
      });
      const loss = (x: Float64Array) => x.map((r) => -Math.expm1(r));
      applyResidualMarginals(set, [sd], e.residualQuantiles, 4, 15);
      const varFhs = valueAtRisk(loss(set.logReturns), 0.99, set.weights);
      const realised = -Math.expm1(Math.log(closes[d + 1]! / closes[d]!));
      n++;
      if (realised > varFhs) fhs++;
    }
    expect(kupiecPof(fhs, n, 0.01).pValue).toBeGreaterThan(0.05);
  }, 60_000);
});
