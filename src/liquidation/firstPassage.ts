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

/**
 * Probability that a driftless lognormal price leaves the corridor (`downUsd`, `upUsd`) around `spotUsd` within
 * `days`: the first exit through either level. In log space the price is a Brownian motion started x = ln(S/down)
 * above the lower barrier of a corridor of width L = ln(up/down); its survival is the Fourier series
 * S(t) = sum over odd n of 4/(n pi) sin(n pi x / L) exp(-n^2 pi^2 sigma^2 t / (2 L^2)), summed until the terms vanish.
 * @example firstExitProbability(100, 90, 110, 0.04, 1)
 */
export function firstExitProbability(
  spotUsd: number,
  downUsd: number,
  upUsd: number,
  volDaily: number,
  days: number,
): number {
  if (!(downUsd < spotUsd && spotUsd < upUsd)) return 1;
  if (!(volDaily > 0) || !(days > 0)) return 0;
  const x = Math.log(spotUsd / downUsd);
  const width = Math.log(upUsd / downUsd);
  const rate = (Math.PI * Math.PI * volDaily * volDaily * days) / (2 * width * width);
  // Terms decay as exp(-n^2 rate): enough of them for 1e-16 (capped for vanishing t, where exit is ~0 anyway).
  const nMax = Math.min(200_001, 2 * Math.ceil(Math.sqrt(40 / rate)) + 1);
  let survival = 0;
  for (let n = 1; n <= nMax; n += 2) {
    survival += (4 / (n * Math.PI)) * Math.sin((n * Math.PI * x) / width) * Math.exp(-n * n * rate);
  }
  return Math.min(1, Math.max(0, 1 - survival));
}

/** Median first-exit time from the corridor, days: where `firstExitProbability` reaches 1/2 (bisection). */
export function medianFirstExitDays(spotUsd: number, downUsd: number, upUsd: number, volDaily: number): number {
  if (!(downUsd < spotUsd && spotUsd < upUsd)) return 0;
  if (!(volDaily > 0)) return Number.POSITIVE_INFINITY;
  // Never later than the nearer level's own median; bisect in [0, that].
  let hi = Math.min(
    medianFirstPassageDays(spotUsd, downUsd, volDaily),
    medianFirstPassageDays(spotUsd, upUsd, volDaily),
  );
  let lo = 0;
  for (let k = 0; k < 100 && hi - lo > 1e-12 * hi; k++) {
    const mid = 0.5 * (lo + hi);
    if (firstExitProbability(spotUsd, downUsd, upUsd, volDaily, mid) >= 0.5) hi = mid;
    else lo = mid;
  }
  return 0.5 * (lo + hi);
}
