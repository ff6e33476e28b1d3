import { invalidInput } from "../../core/errors.js";
import { cholesky } from "../cholesky.js";
import { Prng } from "../prng.js";
import { zigguratNormal } from "../zigguratNormal.js";
import type { ScenarioLayout, ScenarioSet } from "./scenarioSet.js";
import { checkTimesDays } from "./scenarioSet.js";

/**
 * Innovation law: Gaussian, or multivariate Student-t with `nu` > 2 degrees of freedom scaled to unit variance, or
 * filtered historical simulation: each factor's own empirical standardised residuals as its marginal, joined by the
 * Student-t(`nu`) copula of the draws (residualMarginals.ts; the samplers draw the t law, the marginals are applied
 * after).
 */
export type Innovations =
  | { kind: "normal" }
  | { kind: "studentT"; nu: number }
  | { kind: "filteredHistorical"; nu: number };

/** The request fields every scenario sampler shares, checked: horizons, path count, the t law's nu (0: normal), cap. */
export interface CheckedDrawRequest {
  times: Float64Array;
  nScenarios: number;
  nu: number;
  capSd: number;
}

/**
 * Checks what the pseudo-random and the quasi-random samplers both take (one home for these rules).
 * @throws XmarginError INVALID_INPUT naming `$.nScenarios`, `$.innovations.nu`, `$.capSd` or the horizons.
 */
export function checkDrawRequest(request: {
  timesDays: ArrayLike<number>;
  nScenarios: number;
  innovations?: Innovations;
  capSd?: number;
}): CheckedDrawRequest {
  const times = checkTimesDays(request.timesDays);
  const nScenarios = request.nScenarios;
  if (!Number.isInteger(nScenarios) || nScenarios < 1) throw invalidInput("$.nScenarios", "must be an integer >= 1");
  const innovations = request.innovations ?? { kind: "normal" };
  const nu = innovations.kind === "normal" ? 0 : innovations.nu;
  if (innovations.kind !== "normal" && !(nu > 2 && Number.isFinite(nu))) {
    throw invalidInput("$.innovations.nu", "must be a finite number > 2");
  }
  const capSd = request.capSd ?? Number.POSITIVE_INFINITY;
  if (!(capSd > 0)) throw invalidInput("$.capSd", "must be > 0");
  return { times, nScenarios, nu, capSd };
}

/** Monte Carlo inputs. */
export interface MonteCarloRequest {
  factorNames: string[];
  /** Daily covariance of log-returns, row-major N x N, positive semi-definite. */
  covarianceDaily: Float64Array;
  /** Horizon time points in days, strictly ascending. */
  timesDays: ArrayLike<number>;
  nScenarios: number;
  /** PRNG seed, integer in [0, 2^32 - 1]. */
  seed: number;
  /** Default normal. */
  innovations?: Innovations;
  /**
   * Antithetic pairs: every odd path is the exact negative of the path before it (same mixing variable), which halves
   * the draws and removes odd-moment noise. Zero-drift paths keep their law. Default false.
   */
  antithetic?: boolean;
  /** Output layout, default "path-major" (see ScenarioSet). */
  layout?: ScenarioLayout;
  /**
   * "shared" (default): one PRNG stream for every draw. "perFactor": each factor draws from its own stream, seeded
   * from (seed, factor name), and the Student-t mixing variable from another, so adding or dropping a factor that
   * comes later in the order leaves the other factors' paths bit-identical.
   */
  streams?: "shared" | "perFactor";
  /** Factors whose paths are wanted (1) or may stay 0 (0); default all. Their draws are made either way. */
  needed?: Uint8Array;
  /**
   * Cap on each factor's increment in its own standard deviations (sd x sqrt(dt)): a Student-t draw through exp() can
   * otherwise give 1-day moves far beyond any seen (ETH +952% from nu = 4). Default none.
   */
  capSd?: number;
}

/** FNV-1a hash of a string to a 32-bit unsigned seed. */
function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Monte Carlo paths of zero-drift factor log-returns. Between consecutive time points the increment is
 * sqrt(dt) L e with L L^T = covariance (Cholesky) and e a vector of unit-variance innovations, independent across
 * increments, so the variance grows linearly in time and each position can be read at its own horizon on the same
 * path. Student-t uses one chi-square mixing variable per increment (multivariate t: keeps the correlation and adds
 * joint tail dependence). Draw order is fixed (time-major), so a seed reproduces the output bit for bit. No
 * allocation per path.
 *
 * @example
 * const set = monteCarloScenarios({
 *   factorNames: ["BTC", "ETH"],
 *   covarianceDaily: Float64Array.of(0.0016, 0.00072, 0.00072, 0.0009),
 *   timesDays: [1, 3],
 *   nScenarios: 10_000,
 *   seed: 42,
 * });
 * const ethAt3d = set.logReturns[(7 * set.nTimes + 1) * set.nFactors + 1]; // scenario 7, t = 3 days, ETH
 */
export function monteCarloScenarios(request: MonteCarloRequest): ScenarioSet {
  const n = request.factorNames.length;
  const { times, nScenarios, nu, capSd } = checkDrawRequest(request);
  const nTimes = times.length;
  const { lower } = cholesky(request.covarianceDaily, n);
  const rng = new Prng(request.seed);
  const perFactor = request.streams === "perFactor";
  const factorRngs = perFactor ? request.factorNames.map((name) => new Prng(hashSeed(`${request.seed}:${name}`))) : [];
  const mixRng = perFactor ? new Prng(hashSeed(`${request.seed}:mixing`)) : rng;
  const needed = request.needed ?? new Uint8Array(n).fill(1);
  // Per factor and time step: the largest increment allowed, capSd x sd_i x sqrt(dt_j).
  const capOf = new Float64Array(n);
  for (let i = 0; i < n; i++) capOf[i] = capSd * Math.sqrt(Math.max(0, request.covarianceDaily[i * n + i]!));
  const sqrtDt = new Float64Array(nTimes);
  for (let j = 0; j < nTimes; j++) sqrtDt[j] = Math.sqrt((times[j] ?? 0) - (j > 0 ? (times[j - 1] ?? 0) : 0));

  const out = new Float64Array(nScenarios * nTimes * n);
  const z = new Float64Array(n);
  const antithetic = request.antithetic === true;
  const factorMajor = request.layout === "factor-major";
  // Where (s, j, i) goes: path-major s*nT*n + j*n + i; factor-major i*nT*nS + j*nS + s.
  const sStride = factorMajor ? 1 : nTimes * n;
  const jStride = factorMajor ? nScenarios : n;
  const iStride = factorMajor ? nTimes * nScenarios : 1;
  if (perFactor && factorMajor) {
    fillFactorMajorPerFactor(out, {
      n,
      nTimes,
      nScenarios,
      lower,
      sqrtDt,
      nu,
      antithetic,
      needed,
      factorRngs,
      mixRng,
      capOf,
    });
  }
  // Time-major draw order: every path's increment to time 0, then to time 1, ... With per-factor streams, a time
  // point added after the existing ones leaves their draws untouched.
  else
    for (let j = 0; j < nTimes; j++) {
      const dtScale = sqrtDt[j] ?? 0;
      for (let s = 0; s < nScenarios; s++) {
        const base = s * sStride + j * jStride;
        if (antithetic && s % 2 === 1) {
          for (let i = 0; i < n; i++) out[base + i * iStride] = -out[base - sStride + i * iStride]!;
          continue;
        }
        for (let k = 0; k < n; k++) z[k] = zigguratNormal(perFactor ? factorRngs[k]! : rng);
        let m = dtScale;
        if (nu > 0) m *= Math.sqrt((nu - 2) / mixRng.nextChiSquare(nu));
        for (let i = 0; i < n; i++) {
          if (needed[i] === 0) continue;
          let acc = 0;
          for (let k = 0; k <= i; k++) acc += (lower[i * n + k] ?? 0) * (z[k] ?? 0);
          const previous = j > 0 ? out[base - jStride + i * iStride]! : 0;
          const cap = capOf[i]! * dtScale;
          out[base + i * iStride] = previous + Math.min(cap, Math.max(-cap, m * acc));
        }
      }
    }
  return {
    factorNames: [...request.factorNames],
    nFactors: n,
    nScenarios,
    nTimes,
    timesDays: times,
    logReturns: out,
    layout: factorMajor ? "factor-major" : "path-major",
  };
}

interface FillArgs {
  n: number;
  nTimes: number;
  nScenarios: number;
  lower: Float64Array;
  sqrtDt: Float64Array;
  nu: number;
  antithetic: boolean;
  needed: Uint8Array;
  factorRngs: Prng[];
  mixRng: Prng;
  capOf: Float64Array;
}

/**
 * The same paths as the general loop for per-factor streams in factor-major layout (each stream and the mixing stream
 * are consumed in the same order, and each sum is added in the same order, so the output is bit-identical), computed
 * column by column: all paths' draws of one factor at one time point, then each needed factor's column as a
 * combination of those draw columns. Contiguous loops instead of one path at a time.
 */
function fillFactorMajorPerFactor(out: Float64Array, a: FillArgs): void {
  const { n, nTimes, nScenarios: nS, lower, nu, antithetic, needed } = a;
  const step = antithetic ? 2 : 1;
  const draws = Array.from({ length: n }, () => new Float64Array(nS));
  const scale = new Float64Array(nS);
  const acc = new Float64Array(nS);
  for (let j = 0; j < nTimes; j++) {
    for (let k = 0; k < n; k++) {
      const z = draws[k]!;
      const rng = a.factorRngs[k]!;
      for (let s = 0; s < nS; s += step) z[s] = zigguratNormal(rng);
    }
    const dt = a.sqrtDt[j]!;
    for (let s = 0; s < nS; s += step) scale[s] = nu > 0 ? dt * Math.sqrt((nu - 2) / a.mixRng.nextChiSquare(nu)) : dt;
    for (let i = 0; i < n; i++) {
      if (needed[i] === 0) continue;
      acc.fill(0);
      for (let k = 0; k <= i; k++) {
        const l = lower[i * n + k]!;
        const z = draws[k]!;
        for (let s = 0; s < nS; s += step) acc[s] = acc[s]! + l * z[s]!;
      }
      const col = (i * nTimes + j) * nS;
      const prev = col - nS;
      const cap = a.capOf[i]! * dt;
      for (let s = 0; s < nS; s += step) {
        out[col + s] = (j > 0 ? out[prev + s]! : 0) + Math.min(cap, Math.max(-cap, scale[s]! * acc[s]!));
      }
      if (antithetic) for (let s = 1; s < nS; s += 2) out[col + s] = -out[col + s - 1]!;
    }
  }
}
