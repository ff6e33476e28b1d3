/**
 * Raw-SVI implied volatility (Gatheral's "stochastic volatility inspired" smile) of one expiry, with the strike clamp
 * and total-variance cap of Derive's PMRM_2 methodology (../shared/design/venues/derive-pmrm2.md, section 4.3).
 *
 * With k = ln(K / F) clipped to [-B, B], B = 4 sqrt(a + b sig):
 *   w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sig^2)),  w := min(w, maxTotalVariance),  sigma = sqrt(w / years).
 * A strike of 0 has vol 0. A negative total variance, a + b sig < 0 or a forward of 0 are errors: such a smile
 * cannot be used, and silently flooring it would invent a volatility.
 */
import { XmarginError } from "../core/errors.js";

/** Raw SVI parameters of one expiry, with the forward and time the fit refers to. */
export interface SviSlice {
  /** Vertical level of total variance. */
  a: number;
  /** Slope of the wings (>= 0). */
  b: number;
  /** Skew / rotation, in [-1, 1]. */
  rho: number;
  /** Horizontal shift in log-moneyness. */
  m: number;
  /** Curvature at the vertex (>= 0). */
  sig: number;
  /** Forward the log-moneyness is measured against, USD (> 0). */
  forwardUsd: number;
  /** Time the total variance refers to, years (> 0); not necessarily the pricing time to expiry. */
  years: number;
}

/** Derive's current cap on total variance (lyra-utils `MAX_TOTAL_VAR`, raised from 4 to 144 in Nov 2023). */
export const SVI_MAX_TOTAL_VARIANCE = 144;

function sviError(path: string, message: string): XmarginError {
  return new XmarginError(message, { code: "CALCULATION_FAILED", path });
}

/**
 * Implied vol of an SVI slice at a strike.
 * @param slice raw SVI parameters, forward (USD) and reference time (years)
 * @param strikeUsd strike, USD (>= 0; 0 gives 0)
 * @param maxTotalVariance cap on total variance w (default 144, Derive's current value)
 * @param path JSON path of the slice for error messages
 * @returns annualised vol (0.6 = 60%)
 * @throws XmarginError `CALCULATION_FAILED` when the slice gives a negative variance or has a zero forward
 * @example
 * sviImpliedVol({ a: 0.04, b: 0, rho: 0, m: 0, sig: 0.1, forwardUsd: 100, years: 1 }, 120); // 0.2
 */
export function sviImpliedVol(
  slice: SviSlice,
  strikeUsd: number,
  maxTotalVariance = SVI_MAX_TOTAL_VARIANCE,
  path = "$",
): number {
  if (strikeUsd === 0) return 0;
  if (!(slice.forwardUsd > 0)) throw sviError(`${path}.forward`, `SVI forward must be > 0, got ${slice.forwardUsd}`);
  if (!(slice.years > 0)) throw sviError(`${path}.years`, `SVI time must be > 0 years, got ${slice.years}`);
  const vertex = slice.a + slice.b * slice.sig;
  if (!(vertex >= 0)) throw sviError(`${path}.a`, `SVI a + b sig must be >= 0, got ${vertex}`);
  // The clamp keeps far wings from extrapolating the linear asymptotes without limit.
  const bound = 4 * Math.sqrt(vertex);
  const k = Math.min(bound, Math.max(-bound, Math.log(strikeUsd / slice.forwardUsd)));
  const x = k - slice.m;
  const w = slice.a + slice.b * (Math.sqrt(x * x + slice.sig * slice.sig) + slice.rho * x);
  if (!(w >= 0)) throw sviError(`${path}.a`, `SVI total variance is negative (${w}) at strike ${strikeUsd}`);
  return Math.sqrt(Math.min(w, maxTotalVariance) / slice.years);
}
