import { invalidInput, missingData } from "../core/errors.js";
import type { ReturnsMatrix } from "./priceHistory.js";

/** RiskMetrics EWMA settings. */
export interface EwmaOptions {
  /** Decay factor in (0, 1); RiskMetrics (1996) uses 0.94 for daily data. Default 0.94. */
  lambda?: number;
  /**
   * Number k of first returns whose zero-mean second moment (1/k) sum r r^T seeds the recursion. Default 20,
   * capped at the number of returns. Zero mean matches the recursion itself, which uses r^2, not (r - mean)^2.
   */
  initWindow?: number;
}

/** EWMA one-day-ahead forecast after the last return. */
export interface EwmaEstimate {
  factorNames: string[];
  nFactors: number;
  /** Daily covariance of log-returns, row-major N x N. */
  covariance: Float64Array;
  /** Daily vols, sqrt of the covariance diagonal. */
  vols: Float64Array;
  /** Correlation, row-major N x N; a factor with zero vol gets 0 off-diagonal and 1 on the diagonal. */
  correlation: Float64Array;
  lambda: number;
}

export const EWMA_DEFAULT_LAMBDA = 0.94;
export const EWMA_DEFAULT_INIT_WINDOW = 20;

function resolve(options: EwmaOptions | undefined, nObs: number): { lambda: number; k: number } {
  const lambda = options?.lambda ?? EWMA_DEFAULT_LAMBDA;
  if (!(lambda > 0 && lambda < 1)) throw invalidInput("$.lambda", "must be in (0,1)", `got ${lambda}`);
  const init = options?.initWindow ?? EWMA_DEFAULT_INIT_WINDOW;
  if (!Number.isInteger(init) || init < 1) throw invalidInput("$.initWindow", "must be an integer >= 1");
  if (nObs < 1) throw missingData("$.returns", "need at least one return");
  return { lambda, k: Math.min(init, nObs) };
}

/**
 * Covariance to correlation: rho_ij = c_ij / (sigma_i sigma_j).
 * @param cov row-major N x N covariance.
 * @param vols sqrt of the diagonal.
 */
export function covarianceToCorrelation(cov: Float64Array, vols: Float64Array): Float64Array {
  const n = vols.length;
  const corr = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const d = (vols[i] ?? 0) * (vols[j] ?? 0);
      corr[i * n + j] = i === j ? 1 : d > 0 ? (cov[i * n + j] ?? 0) / d : 0;
    }
  }
  return corr;
}

/**
 * RiskMetrics EWMA covariance: C_t = lambda C_{t-1} + (1 - lambda) r_{t-1} r_{t-1}^T, seeded with
 * C_k = (1/k) sum_{s<k} r_s r_s^T and run over r_k .. r_{T-1}; returns C_T, the forecast for the day after the last
 * return.
 * @param returns daily log-returns.
 * @example
 * const { vols, correlation } = ewmaCovariance(logReturns(alignSeries([btc, eth])), { lambda: 0.94 });
 */
export function ewmaCovariance(returns: ReturnsMatrix, options?: EwmaOptions): EwmaEstimate {
  const { lambda, k } = resolve(options, returns.nObs);
  const n = returns.nFactors;
  const r = returns.data;
  const cov = new Float64Array(n * n);
  for (let t = 0; t < k; t++) {
    for (let i = 0; i < n; i++) {
      const ri = r[t * n + i] ?? 0;
      for (let j = 0; j < n; j++) cov[i * n + j] = (cov[i * n + j] ?? 0) + ri * (r[t * n + j] ?? 0);
    }
  }
  for (let p = 0; p < n * n; p++) cov[p] = (cov[p] ?? 0) / k;
  const w = 1 - lambda;
  for (let t = k; t < returns.nObs; t++) {
    for (let i = 0; i < n; i++) {
      const ri = r[t * n + i] ?? 0;
      for (let j = 0; j < n; j++) cov[i * n + j] = lambda * (cov[i * n + j] ?? 0) + w * ri * (r[t * n + j] ?? 0);
    }
  }
  const vols = new Float64Array(n);
  for (let i = 0; i < n; i++) vols[i] = Math.sqrt(cov[i * n + i] ?? 0);
  return {
    factorNames: [...returns.factorNames],
    nFactors: n,
    covariance: cov,
    vols,
    correlation: covarianceToCorrelation(cov, vols),
    lambda,
  };
}

/**
 * Per-day EWMA vols of every factor, row-major (T + 1) x N: row t (t < T) is sigma_t, the vol of r_t forecast with
 * returns up to t - 1; row T is the forecast for the next, unobserved day. Rows 0..k hold the seed value
 * sqrt((1/k) sum_{s<k} r_s^2) (the first k rows therefore see a little of their own window).
 * @param returns daily log-returns.
 */
export function ewmaVolMatrix(returns: ReturnsMatrix, options?: EwmaOptions): Float64Array {
  const { lambda, k } = resolve(options, returns.nObs);
  const n = returns.nFactors;
  const nObs = returns.nObs;
  const r = returns.data;
  const out = new Float64Array((nObs + 1) * n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let t = 0; t < k; t++) {
      const x = r[t * n + i] ?? 0;
      v += x * x;
    }
    v /= k;
    const seed = Math.sqrt(v);
    for (let t = 0; t <= k; t++) out[t * n + i] = seed;
    for (let t = k + 1; t <= nObs; t++) {
      const x = r[(t - 1) * n + i] ?? 0;
      v = lambda * v + (1 - lambda) * x * x;
      out[t * n + i] = Math.sqrt(v);
    }
  }
  return out;
}

/**
 * EWMA vol series of a single return series: length T + 1, entry t = vol of r_t forecast from r_0..r_{t-1}, last
 * entry = next-day forecast. Same conventions as `ewmaVolMatrix`.
 * @param series daily log-returns.
 */
export function ewmaVolSeries(series: Float64Array, options?: EwmaOptions): Float64Array {
  return ewmaVolMatrix({ factorNames: ["x"], dates: [], nObs: series.length, nFactors: 1, data: series }, options);
}
