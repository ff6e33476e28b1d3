import quantileChiSquare from "@stdlib/stats-base-dists-chisquare-quantile";
import { cholesky } from "../cholesky.js";
import { linearCombination } from "../linearCombination.js";
import { normalQuantileApprox } from "../normalQuantile.js";
import { checkDrawRequest, type Innovations } from "../scenarios/monteCarloScenarios.js";
import { mapColumn, type ResidualMarginal, residualMarginal } from "../scenarios/residualMarginals.js";
import type { ScenarioSet } from "../scenarios/scenarioSet.js";
import { scrambledSobolColumn } from "./scrambledSobol.js";

/**
 * Quasi-Monte Carlo scenarios: factor-major log-returns plus what a control variate needs. Every path is
 * X(t) = clamp(m G(t)): G a correlated Brownian motion with the daily covariance (uncapped, `gaussian`), m the path's
 * Student-t mixing scale (`mixing`, 1 for normal innovations), clamp the per-factor cap.
 */
export interface QmcScenarioSet extends ScenarioSet {
  layout: "factor-major";
  /** Per path: the mixing scale m = sqrt((nu - 2) / chi2_nu), or 1. */
  mixing: Float64Array;
  /** Per path: importance-sampling probability weight (sum 1); every estimate over the paths must use it. */
  weights: Float64Array;
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
  /**
   * Per factor, the slot of its normals within a time level (default: its index). Slots from LEVEL_STRIDE on take
   * padding dimensions; a caller gives a factor whose index may shift (one inserted by name before it) a slot of its
   * own, so its path stays the same.
   */
  factorSlots?: Int32Array;
  /**
   * Arrays of a set no longer read (its owner's word), reused for `gaussian` and `logReturns` when their length fits:
   * a daily replay then allocates no path-sized arrays per day (garbage collection was a quarter of its time).
   */
  recycle?: { gaussian: Float64Array; logReturns: Float64Array };
  /**
   * Filtered historical innovations: per factor, its residual quantiles (or undefined: it keeps its drawn moves),
   * applied to each column as it is drawn, as `applyResidualMarginals` applies them to a drawn set (the same numbers;
   * one pass over the paths instead of two).
   */
  residualQuantiles?: readonly (Float64Array | undefined)[];
}

/** Each factor index's marginal tables of the last build, overwritten by the next (read only during a build). */
const marginalScratch: ResidualMarginal[] = [];

/** Sobol dimensions per time level: factor k at time index j takes dimension 1 + j * LEVEL_STRIDE + k (0: mixing). */
export const LEVEL_STRIDE = 64;

/**
 * Standard draws depend on neither market nor portfolio: a column per (paths, seed, dimensions, horizons, law), kept across
 * ticks and shared by every factor set (least recently used first out past the bound: 40 MB at 10,000 paths).
 */
const COLUMN_CACHE_SIZE = 512;
const columnCache = new Map<string, Float64Array>();

function cached(key: string, make: () => Float64Array): Float64Array {
  const hit = columnCache.get(key);
  if (hit) {
    columnCache.delete(key);
    columnCache.set(key, hit);
    return hit;
  }
  const col = make();
  columnCache.set(key, col);
  if (columnCache.size > COLUMN_CACHE_SIZE) columnCache.delete(columnCache.keys().next().value!);
  return col;
}

/** Standard normals of one Sobol dimension (inverse CDF of each coordinate); only read into a cached Brownian column. */
function normalColumn(nPaths: number, dim: number, seed: number): Float64Array {
  const u = scrambledSobolColumn(nPaths, dim, seed);
  for (let s = 0; s < nPaths; s++) u[s] = normalQuantileApprox(u[s]!);
  return u;
}

/**
 * A standard Brownian motion read at `times`, by forward increments of the normals of dimensions `dimAt(j)`: one
 * column per time point, from the cache (the column at time j is keyed by the dimensions and times up to j, so sets
 * with a common prefix of horizons share it).
 */
function brownianColumns(
  nPaths: number,
  seed: number,
  times: Float64Array,
  dimAt: (j: number) => number,
): Float64Array[] {
  const columns: Float64Array[] = [];
  let key = `b|${nPaths}|${seed}`;
  for (let j = 0; j < times.length; j++) {
    const dim = dimAt(j);
    key += `|${dim}@${times[j]}`;
    const before = j > 0 ? columns[j - 1]! : undefined;
    columns.push(
      cached(key, () => {
        const z = normalColumn(nPaths, dim, seed);
        const dt = Math.sqrt(times[j]! - (j > 0 ? times[j - 1]! : 0));
        const out = new Float64Array(nPaths);
        for (let s = 0; s < nPaths; s++) out[s] = (before ? before[s]! : 0) + dt * z[s]!;
        return out;
      }),
    );
  }
  return columns;
}

/**
 * Student-t mixing scale per path, m = sqrt((nu - 2) / chi2_nu), from Sobol dimension 0, with importance sampling
 * of the tail: the chi-square is drawn at probability v = u^2 instead of u, so ten times as many paths fall in the
 * most extreme 1% of mixing values (large m: the paths that make the ES), each weighted by the density ratio
 * 1 / (dv/du) = 2u. Normal innovations: m = 1, weight 1.
 */
function mixingColumns(nPaths: number, seed: number, nu: number): { m: Float64Array; weight: Float64Array } {
  if (!(nu > 0)) return { m: new Float64Array(nPaths).fill(1), weight: new Float64Array(nPaths).fill(1 / nPaths) };
  const u = cached(`u0|${nPaths}|${seed}`, () => scrambledSobolColumn(nPaths, 0, seed));
  const m = cached(`m|${nPaths}|${seed}|${nu}`, () => {
    const chi2 = quantileChiSquare.factory(nu);
    return Float64Array.from(u, (x) => Math.sqrt((nu - 2) / chi2(x * x)));
  });
  const weight = cached(`w|${nPaths}|${seed}`, () => {
    const w = Float64Array.from(u, (x) => 2 * x);
    const total = w.reduce((a, b) => a + b, 0);
    for (let s = 0; s < nPaths; s++) w[s] = w[s]! / total;
    return w;
  });
  return { m, weight };
}

/**
 * Randomised quasi-Monte Carlo paths of zero-drift factor log-returns: scrambled Sobol points (src/risk/qmc/
 * scrambledSobol.ts), turned into normals by the inverse CDF (Acklam + Halley, src/risk/normalQuantile.ts), summed
 * into Brownian paths by forward increments in time order and correlated by the Cholesky factor of the daily
 * covariance. Dimension order puts the variance first: the mixing variable (dimension 0), then every factor's first
 * horizon (base period + finality, about one day, nearly all the variance as the later points are minutes to hours
 * on), then each later increment. A Brownian bridge (last point first) would hand the best coordinates to a rarely
 * used long bridged horizon, and re-draw every path when a horizon is added; forward increments on fixed dimensions
 * (1 + j x 64 + k) leave the paths of existing factors and horizons unchanged when a factor or a later horizon is
 * added, as the per-factor streams of the pseudo-random sampler did. Student-t: one chi-square mixing variable per path
 * (inverse CDF of the first Sobol coordinate), so X(t) is exactly multivariate t with scale t x covariance at every
 * horizon. Each seed is an independent randomisation: averaging over seeds is unbiased, and the seed-to-seed spread
 * is the estimator's error. Factor order fixes dimension order, so adding a factor after the others leaves their
 * paths unchanged.
 */
export function qmcScenarios(request: QmcRequest): QmcScenarioSet {
  const nF = request.factorNames.length;
  const { times, nScenarios: nS, nu, capSd } = checkDrawRequest(request);
  const nT = times.length;
  const { lower } = cholesky(request.covarianceDaily, nF);
  // Past LEVEL_STRIDE factors a level is full: the extra factors take padding dimensions beyond the table.
  const slots = request.factorSlots ?? Int32Array.from({ length: nF }, (_, k) => k);
  const dimOf = (j: number, k: number): number => {
    const slot = slots[k]!;
    return slot < LEVEL_STRIDE ? 1 + j * LEVEL_STRIDE + slot : 1 + 1_000 * LEVEL_STRIDE + j * 100_000 + slot;
  };
  const { m, weight } = mixingColumns(nS, request.seed, nu);

  const size = nF * nT * nS;
  const reuse = request.recycle?.gaussian.length === size && request.recycle.logReturns.length === size;
  // every column is written whole below (a recycled array needs no zeroing)
  const gaussian = reuse ? request.recycle!.gaussian : new Float64Array(size);
  const logReturns = reuse ? request.recycle!.logReturns : new Float64Array(size);
  // Each factor's independent standard Brownian path at every horizon depends on neither market nor portfolio: built
  // once per (paths, seed, slot, horizons) and kept across ticks, so a tick's own work is the Cholesky product and cap.
  const brownian = Array.from({ length: nF }, (_, k) => brownianColumns(nS, request.seed, times, (j) => dimOf(j, k)));
  const quantiles = request.innovations?.kind === "filteredHistorical" ? request.residualQuantiles : undefined;
  for (let i = 0; i < nF; i++) {
    const sd = Math.sqrt(Math.max(0, request.covarianceDaily[i * nF + i]!));
    const sdOwn = Math.sqrt(request.covarianceDaily[i * nF + i]!);
    const marginal = quantiles ? residualMarginal(quantiles[i], sdOwn, nu, i, marginalScratch[i]) : undefined;
    if (marginal) marginalScratch[i] = marginal;
    for (let j = 0; j < nT; j++) {
      const col = (i * nT + j) * nS;
      const columns: Float64Array[] = [];
      const scales: number[] = [];
      for (let k = 0; k <= i; k++) {
        const l = lower[i * nF + k]!;
        if (l === 0) continue;
        columns.push(brownian[k]![j]!);
        scales.push(l);
      }
      // The same sum as adding each term onto zeros (which it was), but for the sign of a sum that is exactly zero.
      linearCombination(gaussian.subarray(col, col + nS), columns, scales);
      const cap = capSd * sd * Math.sqrt(times[j]!);
      const out = logReturns.subarray(col, col + nS);
      const g = gaussian.subarray(col, col + nS);
      if (marginal) {
        const scale = sd * Math.sqrt(times[j]!);
        mapColumn(out, marginal, scale, capSd * scale, { gaussian: g, mixing: m, cap });
      } else for (let s = 0; s < nS; s++) out[s] = Math.min(cap, Math.max(-cap, m[s]! * g[s]!));
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
    weights: weight,
  };
}
