import quantileChiSquare from "@stdlib/stats-base-dists-chisquare-quantile";
import { invalidInput } from "../../core/errors.js";
import { cholesky } from "../cholesky.js";
import { normalQuantile } from "../normalQuantile.js";
import type { Innovations } from "../scenarios/monteCarloScenarios.js";
import type { ScenarioSet } from "../scenarios/scenarioSet.js";
import { checkTimesDays } from "../scenarios/scenarioSet.js";
import { brownianBridgePlan } from "./brownianBridge.js";
import { scrambledSobol } from "./scrambledSobol.js";

/**
 * Quasi-Monte Carlo scenarios: factor-major log-returns plus what a control variate needs. Every path is
 * X(t) = clamp(m G(t)): G a correlated Brownian motion with the daily covariance (uncapped, `gaussian`), m the path's
 * Student-t mixing scale (`mixing`, 1 for normal innovations), clamp the per-factor cap.
 */
export interface QmcScenarioSet extends ScenarioSet {
  layout: "factor-major";
  /** Per path: the mixing scale m = sqrt((nu - 2) / chi2_nu), or 1. */
  mixing: Float64Array;
  /** Same layout as logReturns: G, the uncapped Gaussian paths before mixing. */
  gaussian: Float64Array;
}

export interface QmcRequest {
  factorNames: string[];
  /** Daily covariance of log-returns, row-major N x N. */
  covarianceDaily: Float64Array;
  timesDays: ArrayLike<number>;
  nScenarios: number;
  /** Scramble seed, integer in [0, 2^32 - 1]: each seed is an independent randomisation. */
  seed: number;
  innovations?: Innovations;
  /** Cap on |X_i(t)| in sd_i sqrt(t) (see MonteCarloRequest.capSd). */
  capSd?: number;
}

/** Standard draws of one (paths, dimensions, seed, law): normals dimension-major and the mixing scale per path. */
interface StandardDraws {
  normals: Float64Array;
  mixing: Float64Array;
}

/** The draws depend on neither market nor portfolio: kept across ticks, a few at a time. */
const DRAW_CACHE_SIZE = 4;
const drawCache = new Map<string, StandardDraws>();

function standardDraws(nPaths: number, nNormals: number, seed: number, nu: number): StandardDraws {
  const key = `${nPaths}|${nNormals}|${seed}|${nu}`;
  const hit = drawCache.get(key);
  if (hit) {
    drawCache.delete(key);
    drawCache.set(key, hit);
    return hit;
  }
  // Dimension 0 (the best coordinate) drives the mixing variable: the t tail comes mostly from it.
  const offset = nu > 0 ? 1 : 0;
  const u = scrambledSobol(nPaths, nNormals + offset, seed);
  const mixing = new Float64Array(nPaths).fill(1);
  if (nu > 0) {
    const chi2 = quantileChiSquare.factory(nu);
    for (let s = 0; s < nPaths; s++) mixing[s] = Math.sqrt((nu - 2) / chi2(u[s]!));
  }
  const normals = new Float64Array(nPaths * nNormals);
  for (let k = 0; k < normals.length; k++) normals[k] = normalQuantile(u[offset * nPaths + k]!);
  const draws = { normals, mixing };
  drawCache.set(key, draws);
  if (drawCache.size > DRAW_CACHE_SIZE) drawCache.delete(drawCache.keys().next().value!);
  return draws;
}

/**
 * Randomised quasi-Monte Carlo paths of zero-drift factor log-returns: scrambled Sobol points (src/risk/qmc/
 * scrambledSobol.ts), turned into normals by the inverse CDF (Acklam + Halley, src/risk/normalQuantile.ts) and into
 * paths by a Brownian bridge per factor (the bridge's first level takes the first Sobol coordinates of every factor),
 * then correlated by the Cholesky factor of the daily covariance. Student-t: one chi-square mixing variable per path
 * (inverse CDF of the first Sobol coordinate), so X(t) is exactly multivariate t with scale t x covariance at every
 * horizon. Each seed is an independent randomisation: averaging over seeds is unbiased, and the seed-to-seed spread
 * is the estimator's error. Factor order fixes dimension order, so adding a factor after the others leaves their
 * paths unchanged.
 */
export function qmcScenarios(request: QmcRequest): QmcScenarioSet {
  const nF = request.factorNames.length;
  const times = checkTimesDays(request.timesDays);
  const nT = times.length;
  const nS = request.nScenarios;
  if (!Number.isInteger(nS) || nS < 1) throw invalidInput("$.nScenarios", "must be an integer >= 1");
  const innovations = request.innovations ?? { kind: "normal" };
  const nu = innovations.kind === "studentT" ? innovations.nu : 0;
  if (innovations.kind === "studentT" && !(nu > 2 && Number.isFinite(nu))) {
    throw invalidInput("$.innovations.nu", "must be a finite number > 2");
  }
  const capSd = request.capSd ?? Number.POSITIVE_INFINITY;
  if (!(capSd > 0)) throw invalidInput("$.capSd", "must be > 0");
  const { lower } = cholesky(request.covarianceDaily, nF);
  const draws = standardDraws(nS, nF * nT, request.seed, nu);
  const plan = brownianBridgePlan(times);

  // Independent standard Brownian motions, factor-major; bridge level q of factor k reads normal dimension q nF + k.
  const brownian = new Float64Array(nF * nT * nS);
  plan.forEach((step, q) => {
    for (let k = 0; k < nF; k++) {
      const z = draws.normals.subarray((q * nF + k) * nS, (q * nF + k + 1) * nS);
      const out = (k * nT + step.target) * nS;
      const l = step.left >= 0 ? (k * nT + step.left) * nS : -1;
      const r = step.right >= 0 ? (k * nT + step.right) * nS : -1;
      for (let s = 0; s < nS; s++) {
        const wl = l >= 0 ? step.wLeft * brownian[l + s]! : 0;
        const wr = r >= 0 ? step.wRight * brownian[r + s]! : 0;
        brownian[out + s] = wl + wr + step.sd * z[s]!;
      }
    }
  });

  const gaussian = new Float64Array(nF * nT * nS);
  const logReturns = new Float64Array(nF * nT * nS);
  const m = draws.mixing;
  for (let i = 0; i < nF; i++) {
    const sd = Math.sqrt(Math.max(0, request.covarianceDaily[i * nF + i]!));
    for (let j = 0; j < nT; j++) {
      const col = (i * nT + j) * nS;
      for (let k = 0; k <= i; k++) {
        const l = lower[i * nF + k]!;
        if (l === 0) continue;
        const src = (k * nT + j) * nS;
        for (let s = 0; s < nS; s++) gaussian[col + s] = gaussian[col + s]! + l * brownian[src + s]!;
      }
      const cap = capSd * sd * Math.sqrt(times[j]!);
      for (let s = 0; s < nS; s++) logReturns[col + s] = Math.min(cap, Math.max(-cap, m[s]! * gaussian[col + s]!));
    }
  }
  return {
    factorNames: [...request.factorNames],
    nFactors: nF,
    nScenarios: nS,
    nTimes: nT,
    timesDays: times,
    logReturns,
    layout: "factor-major",
    mixing: m,
    gaussian,
  };
}
