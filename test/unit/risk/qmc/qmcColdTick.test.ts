import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { computeMargin } from "../../../../src/margin/computeMargin.js";
import { clearSharedScenarios } from "../../../../src/margin/xchain/sharedScenarios.js";
import { cholesky } from "../../../../src/risk/cholesky.js";
import { normalQuantileApprox } from "../../../../src/risk/normalQuantile.js";
import { LEVEL_STRIDE, qmcScenarios } from "../../../../src/risk/qmc/qmcScenarios.js";
import { scrambledSobolColumn } from "../../../../src/risk/qmc/scrambledSobol.js";

// Six factors, so the Cholesky product runs a block of four terms and a remainder; one zero loading is skipped.
const names = ["A", "B", "C", "D", "E", "F"];
const sd = [0.04, 0.03, 0.05, 0.02, 0.01, 0.06];
const corr = (i: number, j: number) => (i === j ? 1 : i === 5 || j === 5 ? 0 : 0.5 - 0.05 * (i + j));
const covarianceDaily = Float64Array.from(
  { length: 36 },
  (_, x) => corr(Math.floor(x / 6), x % 6) * sd[Math.floor(x / 6)]! * sd[x % 6]!,
);
const timesDays = [1.01, 1.05, 3];
const request = { factorNames: names, covarianceDaily, timesDays, nScenarios: 512, seed: 9, capSd: 6 };

/** The paths written out from their definition, normal innovations: X_i(t_j) = clamp(sum_k L_ik W_k(t_j)). */
function fromDefinition(): Float64Array {
  const { lower } = cholesky(covarianceDaily, 6);
  const nS = request.nScenarios;
  const out = new Float64Array(6 * 3 * nS);
  for (let i = 0; i < 6; i++) {
    for (let j = 0; j < 3; j++) {
      for (let s = 0; s < nS; s++) {
        let g = 0;
        for (let k = 0; k <= i; k++) {
          const l = lower[i * 6 + k]!;
          if (l === 0) continue;
          // W_k(t_j) by forward increments of the normals of dimensions 1 + j' x LEVEL_STRIDE + k
          let w = 0;
          for (let jj = 0; jj <= j; jj++) {
            const u = scrambledSobolColumn(nS, 1 + jj * LEVEL_STRIDE + k, request.seed)[s]!;
            w += Math.sqrt(timesDays[jj]! - (jj > 0 ? timesDays[jj - 1]! : 0)) * normalQuantileApprox(u);
          }
          g += l * w;
        }
        const cap = request.capSd * sd[i]! * Math.sqrt(timesDays[j]!);
        out[(i * 3 + j) * nS + s] = Math.min(cap, Math.max(-cap, g));
      }
    }
  }
  return out;
}

describe("qmcScenarios on a cold tick (Brownian columns kept across ticks)", () => {
  it("equals the paths written out from their definition, bit for bit, on the first build and on a cached one", () => {
    const expected = fromDefinition();
    const first = qmcScenarios(request).logReturns;
    const second = qmcScenarios({ ...request, covarianceDaily: covarianceDaily.slice() }).logReturns;
    for (let x = 0; x < expected.length; x++) {
      expect(Object.is(first[x], expected[x])).toBe(true);
      expect(Object.is(second[x], expected[x])).toBe(true);
    }
  });

  it("a new market (other covariance) on cached draws gives that market's paths, not the last one's", () => {
    qmcScenarios(request);
    const doubled = covarianceDaily.map((v) => 4 * v);
    const set = qmcScenarios({ ...request, covarianceDaily: doubled, capSd: Number.POSITIVE_INFINITY });
    const base = qmcScenarios({ ...request, capSd: Number.POSITIVE_INFINITY });
    // sd doubles, so every uncapped path doubles exactly (a power-of-two scale is exact in floating point)
    for (let x = 0; x < set.logReturns.length; x++) expect(set.logReturns[x]).toBe(2 * base.logReturns[x]!);
  });

  it("a set whose horizons extend another's shares its first columns and keeps them unchanged", () => {
    const short = qmcScenarios({ ...request, timesDays: [1.01, 1.05] });
    const long = qmcScenarios(request);
    const nS = request.nScenarios;
    for (let i = 0; i < 6; i++)
      for (let j = 0; j < 2; j++)
        expect(long.logReturns.subarray((i * 3 + j) * nS, (i * 3 + j + 1) * nS)).toEqual(
          short.logReturns.subarray((i * 2 + j) * nS, (i * 2 + j + 1) * nS),
        );
  });
});

describe("xchain ES and 1-day VaR of the example books are unchanged by the cold-tick rework", () => {
  // Golden figures from commit ccdeb96 (before the rework), same inputs, default simulation (Sobol, 10,000 paths,
  // filtered historical marginals, seed from the defaults). The rework adds terms in the same order, so the tolerance
  // is a relative 1e-12 (rounding only; a changed draw would move these by 1e-3 or more).
  const golden: Array<[string, string, number, number]> = [
    ["cross-chain-basis", "expected shortfall", 25793.547098852094, 76.62220517394962],
    ["multichain-fund", "expected shortfall", 393766.28680616675, 226587.98062217797],
    ["lst-collateral-eth-short", "expected shortfall", 43268.56533931806, 8834.186546865152],
    ["short-strangle", "grid floor", 13250.312761399804, 5054.810210567304],
  ];
  const root = new URL("../../../../examples/", import.meta.url);
  const market = JSON.parse(readFileSync(new URL("market-2023-06-30.json", root), "utf8"));
  it.each(golden)("%s", (book, component, mmUsd, varUsd) => {
    clearSharedScenarios();
    const portfolio = JSON.parse(readFileSync(new URL(`portfolios/${book}.json`, root), "utf8"));
    const config = { model: "xchain", simulation: { paths: 10_000 }, backtesting: { oneDayVar: true } };
    const r = computeMargin({ portfolio, market, config });
    expect(r.components[0]!.name).toBe(component);
    expect(Math.abs(r.components[0]!.maintenanceMarginUsd / mmUsd - 1)).toBeLessThan(1e-12);
    expect(Math.abs(r.backtestVarUsd! / varUsd - 1)).toBeLessThan(1e-12);
  });

  it("a set built on the arrays of a dropped one (pooled buffers) gives the same report, bit for bit", () => {
    const portfolio = JSON.parse(readFileSync(new URL("portfolios/multichain-fund.json", root), "utf8"));
    const config = { model: "xchain", simulation: { paths: 10_000 }, backtesting: { oneDayVar: true } };
    clearSharedScenarios();
    const fresh = computeMargin({ portfolio, market, config });
    // the cleared set's arrays are the spare; the same book's set has their size and is built on them
    clearSharedScenarios();
    const pooled = computeMargin({ portfolio, market, config });
    expect(pooled.initialMarginUsd).toBe(fresh.initialMarginUsd);
    expect(pooled.backtestVarUsd).toBe(fresh.backtestVarUsd);
  });
});
