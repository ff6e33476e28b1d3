import { invalidInput } from "../core/errors.js";
import { erfc } from "../core/normal.js";

/**
 * Backtest statistics: exception tests (Kupiec 1995, Christoffersen 1998), the Basel traffic light scaled to any
 * sample size, and procyclicality measures of a margin series. Pure functions on plain arrays.
 */

/** Upper tail of the chi-square distribution with 1 degree of freedom: P(X > x) = erfc(sqrt(x / 2)). */
export function chiSquare1Sf(x: number): number {
  if (!(x > 0)) return 1;
  return erfc(Math.sqrt(x / 2));
}

/** Upper tail of the chi-square distribution with 2 degrees of freedom: P(X > x) = exp(-x / 2). */
export function chiSquare2Sf(x: number): number {
  if (!(x > 0)) return 1;
  return Math.exp(-x / 2);
}

/** a ln b with the convention 0 ln 0 = 0 (the limit), as the likelihood ratios need. */
function xlogy(a: number, b: number): number {
  return a === 0 ? 0 : a * Math.log(b);
}

export interface LikelihoodRatioTest {
  /** Likelihood-ratio statistic (>= 0). */
  lr: number;
  /** P(chi-square(dof) > lr). */
  pValue: number;
  dof: number;
}

/**
 * Kupiec (1995) proportion-of-failures test:
 * LR = -2 ln[(1-p)^(n-x) p^x] + 2 ln[(1-x/n)^(n-x) (x/n)^x], chi-square with 1 dof under H0 (rate = p).
 * @param exceptions x, number of days with loss > margin
 * @param observations n > 0
 * @param p expected exception probability (1 - coverage), in (0, 1)
 */
export function kupiecPof(exceptions: number, observations: number, p: number): LikelihoodRatioTest {
  const n = observations;
  const x = exceptions;
  if (!(n > 0) || x < 0 || x > n || !(p > 0 && p < 1)) {
    throw invalidInput("$", "kupiecPof: need n > 0, 0 <= x <= n, 0 < p < 1", `n=${n}, x=${x}, p=${p}`);
  }
  const phat = x / n;
  const null0 = xlogy(n - x, 1 - p) + xlogy(x, p);
  const alt = xlogy(n - x, 1 - phat) + xlogy(x, phat);
  const lr = Math.max(0, -2 * null0 + 2 * alt);
  return { lr, pValue: chiSquare1Sf(lr), dof: 1 };
}

/** Transition counts of an exception indicator sequence: n_ij = number of days in state i followed by state j. */
export interface TransitionCounts {
  n00: number;
  n01: number;
  n10: number;
  n11: number;
}

export function transitionCounts(hits: readonly boolean[]): TransitionCounts {
  const c = { n00: 0, n01: 0, n10: 0, n11: 0 };
  for (let t = 1; t < hits.length; t++) {
    const a = hits[t - 1] ? 1 : 0;
    const b = hits[t] ? 1 : 0;
    if (a === 0 && b === 0) c.n00++;
    else if (a === 0) c.n01++;
    else if (b === 0) c.n10++;
    else c.n11++;
  }
  return c;
}

export interface ChristoffersenResult {
  counts: TransitionCounts;
  /** P(exception today | none yesterday), P(exception today | exception yesterday), and the pooled rate. */
  pi01: number;
  pi11: number;
  pi: number;
  /** Independence: first-order Markov alternative against independence, chi-square 1 dof. */
  independence: LikelihoodRatioTest;
  /** Conditional coverage = Kupiec POF + independence, chi-square 2 dof. */
  conditionalCoverage: LikelihoodRatioTest;
}

/**
 * Christoffersen (1998) tests on the exception indicator sequence:
 * LR_ind = -2 ln[(1-pi)^(n00+n10) pi^(n01+n11)] + 2 ln[(1-pi01)^n00 pi01^n01 (1-pi11)^n10 pi11^n11]
 * with pi01 = n01/(n00+n01), pi11 = n11/(n10+n11), pi = (n01+n11)/(n00+n01+n10+n11);
 * LR_cc = LR_pof + LR_ind (Kupiec's statistic on the whole sample).
 * @param hits exception indicator per day, in date order
 * @param p expected exception probability
 */
export function christoffersen(hits: readonly boolean[], p: number): ChristoffersenResult {
  if (hits.length < 2) throw invalidInput("$", "christoffersen: need at least 2 observations");
  const counts = transitionCounts(hits);
  const { n00, n01, n10, n11 } = counts;
  const pi01 = n00 + n01 > 0 ? n01 / (n00 + n01) : 0;
  const pi11 = n10 + n11 > 0 ? n11 / (n10 + n11) : 0;
  const pi = (n01 + n11) / (n00 + n01 + n10 + n11);
  const restricted = xlogy(n00 + n10, 1 - pi) + xlogy(n01 + n11, pi);
  const unrestricted = xlogy(n00, 1 - pi01) + xlogy(n01, pi01) + xlogy(n10, 1 - pi11) + xlogy(n11, pi11);
  const lrInd = Math.max(0, -2 * restricted + 2 * unrestricted);
  const x = hits.filter(Boolean).length;
  const pof = kupiecPof(x, hits.length, p);
  const lrCc = pof.lr + lrInd;
  return {
    counts,
    pi01,
    pi11,
    pi,
    independence: { lr: lrInd, pValue: chiSquare1Sf(lrInd), dof: 1 },
    conditionalCoverage: { lr: lrCc, pValue: chiSquare2Sf(lrCc), dof: 2 },
  };
}

/**
 * Binomial cumulative probabilities P(X <= k), k = 0..kMax, for X ~ Bin(n, p), by the pmf recurrence
 * pmf(k+1) = pmf(k) (n-k)/(k+1) p/(1-p) carried in logs (no underflow for the sample sizes of a backtest).
 */
export function binomialCdfTable(n: number, p: number, kMax: number): Float64Array {
  const out = new Float64Array(kMax + 1);
  let logPmf = n * Math.log1p(-p);
  const logRatio = Math.log(p) - Math.log1p(-p);
  let cdf = 0;
  for (let k = 0; k <= kMax; k++) {
    if (k > n) {
      out[k] = 1;
      continue;
    }
    cdf += Math.exp(logPmf);
    out[k] = Math.min(1, cdf);
    logPmf += Math.log(n - k) - Math.log(k + 1) + logRatio;
  }
  return out;
}

export type TrafficLightZone = "green" | "yellow" | "red";

export interface TrafficLight {
  zone: TrafficLightZone;
  /** P(X <= exceptions) under the model's coverage. */
  cumulativeProbability: number;
  /** Green for 0..greenMax exceptions, yellow up to redFrom - 1, red from redFrom. */
  greenMax: number;
  redFrom: number;
}

/**
 * Basel traffic light scaled to n observations (BCBS 1996, "Supervisory framework for the use of backtesting"):
 * with P(X <= x) the binomial cumulative probability at the model's coverage, green while P < 95%, red from 99.99%,
 * yellow in between. For 250 observations at 99%: green 0-4, yellow 5-9, red 10+.
 */
export function trafficLight(exceptions: number, observations: number, coverage: number): TrafficLight {
  const p = 1 - coverage;
  if (!(observations > 0) || !(p > 0 && p < 1))
    throw invalidInput("$", "trafficLight: need n > 0 and coverage in (0,1)");
  const kMax = Math.max(exceptions, observations);
  const cdf = binomialCdfTable(observations, p, kMax);
  let greenMax = -1;
  while (greenMax + 1 <= kMax && cdf[greenMax + 1]! < 0.95) greenMax++;
  let redFrom = greenMax + 1;
  while (redFrom <= kMax && cdf[redFrom]! < 0.9999) redFrom++;
  const cumulativeProbability = cdf[exceptions]!;
  const zone: TrafficLightZone = exceptions <= greenMax ? "green" : exceptions < redFrom ? "yellow" : "red";
  return { zone, cumulativeProbability, greenMax, redFrom };
}

export interface Procyclicality {
  /** Largest increase of the margin over any `k` consecutive days, USD (0 if it never rose). */
  maxIncrease5dUsd: number;
  maxIncrease30dUsd: number;
  /** The same relative to the margin at the start of the interval (null if that margin was 0). */
  maxIncrease5dRel: number | null;
  maxIncrease30dRel: number | null;
  /** Peak / trough of the margin over the whole run (null if the trough is 0). */
  peakToTrough: number | null;
  peakUsd: number;
  troughUsd: number;
  averageUsd: number;
}

/**
 * Largest rise M_t - M_{t-k} over all t (and the largest relative rise M_t / M_{t-k} - 1 where M_{t-k} > 0).
 * `days` are the calendar-day numbers of the margins so that a gap in the data is not counted as consecutive.
 */
function maxIncrease(
  margins: readonly number[],
  days: readonly number[],
  k: number,
): { abs: number; rel: number | null } {
  let abs = 0;
  let rel: number | null = null;
  let j = 0;
  for (let t = 0; t < margins.length; t++) {
    while (j < t && days[t]! - days[j]! > k) j++;
    // j is the first observation within k days before t; the k-day change uses the observation exactly k days back.
    if (days[t]! - days[j]! !== k) continue;
    const a = margins[j]!;
    const b = margins[t]!;
    abs = Math.max(abs, b - a);
    if (a > 0) rel = Math.max(rel ?? 0, b / a - 1);
  }
  return { abs, rel };
}

/**
 * Procyclicality of a daily margin series (CPMI-IOSCO public quantitative disclosure 6.5 style): largest 5- and
 * 30-day increases and the peak-to-trough ratio.
 * @param margins margin per observation, USD
 * @param days calendar-day number of each observation (e.g. days since 1970-01-01), ascending
 */
export function procyclicality(margins: readonly number[], days: readonly number[]): Procyclicality {
  if (margins.length === 0) throw invalidInput("$", "procyclicality: empty series");
  if (margins.length !== days.length) throw invalidInput("$", "procyclicality: margins and days differ in length");
  const i5 = maxIncrease(margins, days, 5);
  const i30 = maxIncrease(margins, days, 30);
  let peak = -Infinity;
  let trough = Infinity;
  let sum = 0;
  for (const m of margins) {
    peak = Math.max(peak, m);
    trough = Math.min(trough, m);
    sum += m;
  }
  return {
    maxIncrease5dUsd: i5.abs,
    maxIncrease30dUsd: i30.abs,
    maxIncrease5dRel: i5.rel,
    maxIncrease30dRel: i30.rel,
    peakToTrough: trough > 0 ? peak / trough : null,
    peakUsd: peak,
    troughUsd: trough,
    averageUsd: sum / margins.length,
  };
}
