const SQRT_2PI = 2.5066282746310002;

/**
 * Standard normal density phi(x) = exp(-x^2 / 2) / sqrt(2 pi).
 * @param x standard score (dimensionless).
 */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / SQRT_2PI;
}

/**
 * Standard normal CDF Phi(x): Hart (1968) rational approximation as given by G. West, "Better approximations to
 * cumulative normal functions" (2005). Absolute error ~1e-16; relative error of the tail probability ~1e-13 for
 * |x| <= 3, ~5e-11 at |x| = 5, ~1e-8 at |x| = 8. Tails are computed directly, not as 1 - Phi, so small tail
 * probabilities keep their relative precision (needed by the quantile refinement).
 * @param x standard score (dimensionless).
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const ax = Math.abs(x);
  let tail: number;
  if (ax > 37) {
    tail = 0;
  } else {
    const e = Math.exp(-0.5 * ax * ax);
    if (ax < 7.07106781186547) {
      let n = 3.52624965998911e-2 * ax + 0.700383064443688;
      n = n * ax + 6.37396220353165;
      n = n * ax + 33.912866078383;
      n = n * ax + 112.079291497871;
      n = n * ax + 221.213596169931;
      n = n * ax + 220.206867912376;
      let d = 8.83883476483184e-2 * ax + 1.75566716318264;
      d = d * ax + 16.064177579207;
      d = d * ax + 86.7807322029461;
      d = d * ax + 296.564248779674;
      d = d * ax + 637.333633378831;
      d = d * ax + 793.826512519948;
      d = d * ax + 440.413735824752;
      tail = (e * n) / d;
    } else {
      let b = ax + 0.65;
      b = ax + 4 / b;
      b = ax + 3 / b;
      b = ax + 2 / b;
      b = ax + 1 / b;
      tail = e / b / SQRT_2PI;
    }
  }
  return x > 0 ? 1 - tail : tail;
}
