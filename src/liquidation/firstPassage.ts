import { normalCdf } from "../core/normal.js";

/** Phi^-1(0.75): the driftless first-passage probability 2 Phi(-d) is 1/2 when d equals it. */
const MEDIAN_PASSAGE_Z = 0.6744897501960817;

/**
 * Probability that a driftless lognormal price, ln S_t = ln S_0 + sigma W_t, touches the level `barrierUsd` within
 * `days` (reflection principle): P = 2 Phi(-|ln(barrier / S_0)| / (sigma sqrt(t))).
 * @param volDaily standard deviation of the daily log-return (0.04 = 4% a day)
 * @example firstPassageProbability(100, 90, 0.04, 1) // 2 Phi(-0.10536 / 0.04) = 0.0084
 */
export function firstPassageProbability(spotUsd: number, barrierUsd: number, volDaily: number, days: number): number {
  const distance = Math.abs(Math.log(barrierUsd / spotUsd));
  if (distance === 0) return 1;
  if (!(volDaily > 0) || !(days > 0)) return 0;
  return 2 * normalCdf(-distance / (volDaily * Math.sqrt(days)));
}

/**
 * Median first-passage time in days: the t at which `firstPassageProbability` reaches 1/2,
 * t = (|ln(barrier / S_0)| / (sigma x 0.67449))^2. Infinite when the vol is 0.
 */
export function medianFirstPassageDays(spotUsd: number, barrierUsd: number, volDaily: number): number {
  const distance = Math.abs(Math.log(barrierUsd / spotUsd));
  if (distance === 0) return 0;
  if (!(volDaily > 0)) return Number.POSITIVE_INFINITY;
  return (distance / (volDaily * MEDIAN_PASSAGE_Z)) ** 2;
}
