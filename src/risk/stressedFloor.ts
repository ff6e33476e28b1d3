import { invalidInput } from "../core/errors.js";
import type { EwmaOptions } from "./ewma.js";
import { covarianceToCorrelation, ewmaCovariance } from "./ewma.js";
import { nearestCorrelation } from "./nearestCorrelation.js";
import type { ReturnsMatrix } from "./priceHistory.js";

/** Stressed-floor settings. */
export interface StressedFloorOptions {
  /** Stress window length in returns (trading days). Default 250 (one year, as in Basel stressed VaR). */
  windowDays?: number;
  /** Weight w of the stressed correlation in C = (1 - w) C_now + w C_stress, in [0, 1]. Default 0.25 (EMIR RTS art. 28(1)(c), stressed-period weight of at least 25%). */
  stressWeight?: number;
  /** EWMA settings for the current estimate (ignored when `current` is given). */
  ewma?: EwmaOptions;
  /** Current daily vols and correlation (row-major N x N); default: `ewmaCovariance(returns, ewma)`. */
  current?: { vols: Float64Array; correlation: Float64Array };
}

/** Stress window found in the history, indices into the returns matrix. */
export interface StressWindow {
  /** First return index (inclusive). */
  start: number;
  /** One past the last return index. */
  end: number;
  startDate: string;
  endDate: string;
  /** Mean across factors of the window's daily realised vol. */
  meanVol: number;
  /** True when the history was shorter than `windowDays` and the whole history was used. */
  truncated: boolean;
}

/** Floored estimate, all daily. */
export interface StressedFloorResult {
  factorNames: string[];
  nFactors: number;
  window: StressWindow;
  current: { vols: Float64Array; correlation: Float64Array };
  stressed: { vols: Float64Array; correlation: Float64Array };
  /** max(current, stressed) per factor. */
  vols: Float64Array;
  /** Blended and repaired correlation, row-major N x N. */
  correlation: Float64Array;
  /** diag(vols) correlation diag(vols), row-major N x N. */
  covariance: Float64Array;
}

/**
 * Finds the stress window: the `windowDays` consecutive returns with the highest mean (over factors) realised daily
 * vol sqrt(mean r^2). Realised rather than EWMA vol because the window's vols and correlations are then equally
 * weighted statistics of the same days; an average of EWMA vols would lag the stress and mix in earlier data.
 * Ties go to the earliest window.
 * @param returns daily log-returns.
 * @param windowDays window length in returns (>= 2); capped at the history length.
 */
export function findStressWindow(returns: ReturnsMatrix, windowDays: number): StressWindow {
  if (!Number.isInteger(windowDays) || windowDays < 2) throw invalidInput("$.windowDays", "must be an integer >= 2");
  const { nObs, nFactors: n, data } = returns;
  if (nObs < 2) throw invalidInput("$.returns", "need at least 2 returns");
  const w = Math.min(windowDays, nObs);
  const prefix = new Float64Array((nObs + 1) * n);
  for (let t = 0; t < nObs; t++) {
    for (let i = 0; i < n; i++) prefix[(t + 1) * n + i] = (prefix[t * n + i] ?? 0) + (data[t * n + i] ?? 0) ** 2;
  }
  let bestStart = 0;
  let bestVol = -1;
  for (let s = 0; s + w <= nObs; s++) {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      sum += Math.sqrt(Math.max(0, (prefix[(s + w) * n + i] ?? 0) - (prefix[s * n + i] ?? 0)) / w);
    }
    if (sum / n > bestVol) {
      bestVol = sum / n;
      bestStart = s;
    }
  }
  return {
    start: bestStart,
    end: bestStart + w,
    startDate: returns.dates[bestStart] ?? "",
    endDate: returns.dates[bestStart + w - 1] ?? "",
    meanVol: bestVol,
    truncated: w < windowDays,
  };
}

/**
 * Stressed floor against procyclicality. Vols: vol_i = max(current_i, stressed_i). Correlations: no element-wise
 * floor is sound, since whether a higher or lower correlation adds risk depends on the signs of the positions (a
 * hedged pair loses its offset when correlation falls). So the rule is a portfolio-independent blend
 * C = (1 - w) C_now + w C_stress, w = `stressWeight` (EMIR RTS 153/2013 art. 28(1)(c) stressed-period weight,
 * default 25%). A convex mix of two correlation matrices is itself one; the nearest-correlation repair only fixes
 * inputs that are slightly indefinite (user-supplied or pairwise-estimated) and rounding.
 * @param returns daily log-returns, oldest first.
 */
export function stressedFloor(returns: ReturnsMatrix, options?: StressedFloorOptions): StressedFloorResult {
  const n = returns.nFactors;
  const weight = options?.stressWeight ?? 0.25;
  if (!(weight >= 0 && weight <= 1)) throw invalidInput("$.stressWeight", "must be in [0,1]", `got ${weight}`);
  const window = findStressWindow(returns, options?.windowDays ?? 250);

  const cov = new Float64Array(n * n);
  for (let t = window.start; t < window.end; t++) {
    for (let i = 0; i < n; i++) {
      const ri = returns.data[t * n + i] ?? 0;
      for (let j = 0; j < n; j++) cov[i * n + j] = (cov[i * n + j] ?? 0) + ri * (returns.data[t * n + j] ?? 0);
    }
  }
  const len = window.end - window.start;
  for (let p = 0; p < n * n; p++) cov[p] = (cov[p] ?? 0) / len;
  const stressedVols = new Float64Array(n);
  for (let i = 0; i < n; i++) stressedVols[i] = Math.sqrt(cov[i * n + i] ?? 0);
  const stressed = { vols: stressedVols, correlation: covarianceToCorrelation(cov, stressedVols) };

  const current = options?.current ?? ewmaCovariance(returns, options?.ewma);
  if (current.vols.length !== n || current.correlation.length !== n * n) {
    throw invalidInput("$.current", `must hold ${n} vols and a ${n}x${n} correlation`);
  }
  const vols = new Float64Array(n);
  for (let i = 0; i < n; i++) vols[i] = Math.max(current.vols[i] ?? 0, stressedVols[i] ?? 0);
  const blend = new Float64Array(n * n);
  for (let p = 0; p < n * n; p++) {
    blend[p] = (1 - weight) * (current.correlation[p] ?? 0) + weight * (stressed.correlation[p] ?? 0);
  }
  for (let i = 0; i < n; i++) blend[i * n + i] = 1;
  const correlation = nearestCorrelation(blend, n).matrix;
  const covariance = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      covariance[i * n + j] = (vols[i] ?? 0) * (correlation[i * n + j] ?? 0) * (vols[j] ?? 0);
    }
  }
  return {
    factorNames: [...returns.factorNames],
    nFactors: n,
    window,
    current: { vols: Float64Array.from(current.vols), correlation: Float64Array.from(current.correlation) },
    stressed,
    vols,
    correlation,
    covariance,
  };
}
