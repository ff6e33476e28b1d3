import { normalCdf } from "../core/normal.js";
import { RESIDUAL_SCORE_COUNT, residualScore } from "../core/residualScores.js";

/** Fewest standardised residuals whose empirical quantiles are used (a 1% quantile from fewer is mostly noise). */
export const MIN_RESIDUALS = 250;

/**
 * Empirical quantiles of a factor's standardised residuals at the normal scores of `residualScore` (probability
 * Phi(score)), linear between order statistics (Hyndman and Fan 1996, type 7): the marginal law of filtered
 * historical simulation (Barone-Adesi, Giannopoulos and Vosper 1999). Not rescaled to unit variance: an EWMA
 * forecast that is too low on average shows as residuals with a standard deviation above 1, which the simulation must
 * keep. The ends (scores -4 and 4) are the smallest and largest residual, so no simulated move goes beyond the
 * largest one seen.
 * @param residuals r_t / sigma_{t|t-1}, any order; not modified.
 * @returns RESIDUAL_SCORE_COUNT ascending values, or undefined with fewer than MIN_RESIDUALS residuals.
 */
export function residualQuantiles(residuals: ArrayLike<number>): Float64Array | undefined {
  if (residuals.length < MIN_RESIDUALS) return undefined;
  return quantilesOfSorted(Float64Array.from(residuals).sort());
}

/**
 * `residualQuantiles` of residuals already in ascending order (as `Float64Array.prototype.sort` orders them), for a
 * caller that keeps its window sorted as it moves instead of sorting it again.
 */
export function quantilesOfSorted(sorted: Float64Array): Float64Array | undefined {
  const n = sorted.length;
  if (n < MIN_RESIDUALS) return undefined;
  const out = new Float64Array(RESIDUAL_SCORE_COUNT);
  for (let k = 0; k < RESIDUAL_SCORE_COUNT; k++) {
    const h = (n - 1) * normalCdf(residualScore(k));
    const lo = Math.floor(h);
    const hi = Math.min(n - 1, lo + 1);
    out[k] = sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
  }
  out[0] = sorted[0]!;
  out[RESIDUAL_SCORE_COUNT - 1] = sorted[n - 1]!;
  return out;
}
