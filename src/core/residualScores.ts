/**
 * Normal scores at which a risk factor's standardised-residual quantiles are stored (snapshot `residualQuantiles`):
 * -4, -3.9, ..., 4, i.e. probabilities Phi(-4) = 3.2e-5 .. Phi(4). Dense enough in the tails for a 99% VaR and a
 * 97.5% ES (step 0.1 in normal score); the ends hold the pool's smallest and largest residual.
 */
export const RESIDUAL_SCORE_FROM = -4;
export const RESIDUAL_SCORE_STEP = 0.1;
export const RESIDUAL_SCORE_COUNT = 81;

/** The k-th normal score of the grid. */
export function residualScore(k: number): number {
  return RESIDUAL_SCORE_FROM + k * RESIDUAL_SCORE_STEP;
}
