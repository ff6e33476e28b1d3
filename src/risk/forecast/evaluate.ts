import { invalidInput } from "../../core/errors.js";
import { normalCdf } from "../../core/normal.js";

/**
 * QLIKE loss of a variance forecast f against the squared-return proxy y, in the form ln f + y / f (Patton 2011):
 * robust to the noise of the proxy, and differing from y/f - ln(y/f) - 1 only by a term in y, so differences
 * between methods (and the Diebold-Mariano test) are the same.
 */
export function qlike(proxy: number, forecast: number): number {
  return Math.log(forecast) + proxy / forecast;
}

/** Squared error (y - f)^2 of a variance forecast. */
export function squaredError(proxy: number, forecast: number): number {
  return (proxy - forecast) ** 2;
}

/** Per-day losses of a forecast series against next returns. */
export function lossSeries(
  nextReturns: Float64Array,
  variance: Float64Array,
  loss: (proxy: number, forecast: number) => number,
): Float64Array {
  if (nextReturns.length !== variance.length) throw invalidInput("$.variance", "must align with the returns");
  return Float64Array.from(variance, (f, t) => {
    if (!(f > 0 && Number.isFinite(f))) throw invalidInput(`$.variance[${t}]`, "must be finite and > 0", `got ${f}`);
    return loss(nextReturns[t]! ** 2, f);
  });
}

export function mean(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s / x.length;
}

export interface DieboldMariano {
  /** Mean loss difference a - b (negative: a is better). */
  meanDiff: number;
  statistic: number;
  /** One-sided p-value of H0 "a is not better than b" (small: a has significantly lower loss). */
  pValueABetter: number;
  lags: number;
}

/**
 * Diebold-Mariano (1995) test of equal predictive accuracy on loss differentials d_t = a_t - b_t, with a Newey-West
 * (Bartlett) long-run variance over floor(n^(1/3)) lags, asymptotically normal.
 */
export function dieboldMariano(a: Float64Array, b: Float64Array): DieboldMariano {
  const n = a.length;
  if (n !== b.length || n < 10) throw invalidInput("$.losses", "need two aligned loss series of at least 10 days");
  const d = Float64Array.from(a, (x, t) => x - b[t]!);
  const m = mean(d);
  const lags = Math.floor(Math.cbrt(n));
  let lrv = 0;
  for (let t = 0; t < n; t++) lrv += (d[t]! - m) ** 2;
  for (let l = 1; l <= lags; l++) {
    let g = 0;
    for (let t = l; t < n; t++) g += (d[t]! - m) * (d[t - l]! - m);
    lrv += 2 * (1 - l / (lags + 1)) * g;
  }
  lrv /= n;
  const statistic = lrv > 0 ? m / Math.sqrt(lrv / n) : m < 0 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  return { meanDiff: m, statistic, pValueABetter: normalCdf(statistic), lags };
}

/** Days the next return fell below the one-sided normal VaR -z sigma (z = 2.326 for 99%). */
export function varExceptions(nextReturns: Float64Array, variance: Float64Array, z: number): number {
  let n = 0;
  for (let t = 0; t < variance.length; t++) if (nextReturns[t]! < -z * Math.sqrt(variance[t]!)) n++;
  return n;
}
