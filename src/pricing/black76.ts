/**
 * Black (1976) price and greeks of a European option on a forward.
 *
 * V = DF [F N(d1) - K N(d2)] for a call, DF [K N(-d2) - F N(-d1)] for a put, with
 * d1 = (ln(F/K) + sigma^2 T / 2) / (sigma sqrt T) and d2 = d1 - sigma sqrt T.
 *
 * Edge cases are explicit rather than left to IEEE arithmetic:
 * - `years <= 0`: the option has expired; the value is the payoff on the forward, max(F - K, 0) for a call,
 *   NOT discounted (at T = 0 the discount factor is 1, and after expiry the payoff is owed now). Greeks other
 *   than delta are 0.
 * - `volAnnual == 0` (with T > 0): the forward is certain, so V = DF max(F - K, 0).
 * - `strikeUsd == 0`: a call is a discounted forward, V = DF F; a put is worth 0.
 * - `forwardUsd == 0`: a call is worth 0; a put is worth DF K.
 * At the kink F == K of a payoff (expired or zero vol), delta is taken as the average of the two one-sided slopes
 * (DF / 2 for a call, -DF / 2 for a put).
 */
import { invalidInput } from "../core/errors.js";
import { normalCdf, normalPdf } from "../core/normal.js";

/** 1 / sqrt(2 pi) = phi(0). */
const PHI_AT_ZERO = 0.3989422804014327;

export interface Black76Input {
  /** Forward price of the underlying for the option's expiry, USD (>= 0). */
  forwardUsd: number;
  /** Strike, USD (>= 0). */
  strikeUsd: number;
  /** Act/365 time to expiry, years; 0 or less means expired. */
  years: number;
  /** Annualised lognormal volatility, e.g. 0.6 for 60% (>= 0). */
  volAnnual: number;
  /** Discount factor from expiry to now, e.g. exp(-r T) (> 0). Ignored once expired. */
  discountFactor: number;
  /** true for a call, false for a put. */
  isCall: boolean;
}

export interface Black76Result {
  /** Option value, USD per unit of underlying. */
  priceUsd: number;
  /** dV/dF, dimensionless (per USD of forward move). */
  delta: number;
  /** d2V/dF2, per USD of forward move. */
  gamma: number;
  /** dV/d(sigma) for a move of 1.00 in volatility (100 vol points), USD. */
  vega: number;
  /**
   * dV/dt per year of calendar time t, i.e. -dV/dT, with the forward, the volatility and the continuously compounded
   * rate r = -ln(DF) / T held fixed: theta = -DF F phi(d1) sigma / (2 sqrt T) + r V. USD per year.
   */
  theta: number;
}

function checkNonNegative(name: keyof Black76Input, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw invalidInput(`$.${name}`, `${name} must be a finite number >= 0, got ${value}`);
  }
}

/** Throws `INVALID_INPUT` naming the first bad field of a Black-76 input. */
export function validateBlack76Input(input: Black76Input): void {
  checkNonNegative("forwardUsd", input.forwardUsd);
  checkNonNegative("strikeUsd", input.strikeUsd);
  if (Number.isNaN(input.years) || input.years === Number.POSITIVE_INFINITY) {
    throw invalidInput("$.years", `years must be a number below +Infinity (<= 0 means expired), got ${input.years}`);
  }
  checkNonNegative("volAnnual", input.volAnnual);
  if (!Number.isFinite(input.discountFactor) || input.discountFactor <= 0) {
    throw invalidInput("$.discountFactor", `discountFactor must be a finite number > 0, got ${input.discountFactor}`);
  }
  if (typeof input.isCall !== "boolean") {
    throw invalidInput("$.isCall", `isCall must be a boolean, got ${String(input.isCall)}`);
  }
}

/**
 * Black-76 price without validation, for hot loops (the revaluation kernel). Same edge cases as `black76`.
 * @param forwardUsd forward price, USD (>= 0)
 * @param strikeUsd strike, USD (>= 0)
 * @param years time to expiry, years (<= 0 means expired: undiscounted payoff on the forward)
 * @param volAnnual annualised volatility (>= 0)
 * @param discountFactor discount factor to expiry (> 0)
 * @param isCall true for a call
 * @returns value in USD per unit of underlying
 */
export function black76PriceUnchecked(
  forwardUsd: number,
  strikeUsd: number,
  years: number,
  volAnnual: number,
  discountFactor: number,
  isCall: boolean,
): number {
  if (years <= 0) {
    return isCall ? Math.max(forwardUsd - strikeUsd, 0) : Math.max(strikeUsd - forwardUsd, 0);
  }
  const stdDev = volAnnual * Math.sqrt(years);
  if (stdDev === 0 || strikeUsd === 0 || forwardUsd === 0) {
    return discountFactor * (isCall ? Math.max(forwardUsd - strikeUsd, 0) : Math.max(strikeUsd - forwardUsd, 0));
  }
  const d1 = Math.log(forwardUsd / strikeUsd) / stdDev + 0.5 * stdDev;
  const d2 = d1 - stdDev;
  return isCall
    ? discountFactor * (forwardUsd * normalCdf(d1) - strikeUsd * normalCdf(d2))
    : discountFactor * (strikeUsd * normalCdf(-d2) - forwardUsd * normalCdf(-d1));
}

/** Slope of the payoff max(+-(F - K), 0) in F, averaging the one-sided slopes at the kink. */
function payoffDelta(forwardUsd: number, strikeUsd: number, isCall: boolean): number {
  const itm = forwardUsd > strikeUsd ? 1 : forwardUsd < strikeUsd ? 0 : 0.5;
  return isCall ? itm : itm - 1;
}

/**
 * Black-76 price and forward greeks of a European option, validated.
 * @param input forward, strike (USD), years, volAnnual, discountFactor and isCall; see `Black76Input`.
 * @returns price (USD) and greeks with respect to the forward; see `Black76Result`.
 * @throws XmarginError `INVALID_INPUT` on NaN, infinite or negative prices/vol, or a non-positive discount factor.
 * @example
 * // Hull, Options, Futures and Other Derivatives, Example 15.6: S = 42, K = 40, r = 10%, sigma = 20%, T = 0.5.
 * black76({ forwardUsd: 42 * Math.exp(0.05), strikeUsd: 40, years: 0.5, volAnnual: 0.2,
 *   discountFactor: Math.exp(-0.05), isCall: true }).priceUsd; // 4.7594...
 */
export function black76(input: Black76Input): Black76Result {
  validateBlack76Input(input);
  const { forwardUsd: f, strikeUsd: k, years, volAnnual: vol, discountFactor: df, isCall } = input;
  const priceUsd = black76PriceUnchecked(f, k, years, vol, df, isCall);
  if (years <= 0) {
    return { priceUsd, delta: payoffDelta(f, k, isCall), gamma: 0, vega: 0, theta: 0 };
  }
  const rate = -Math.log(df) / years;
  const sqrtT = Math.sqrt(years);
  const stdDev = vol * sqrtT;
  if (stdDev === 0 || k === 0 || f === 0) {
    // Deterministic payoff. Vega is the sigma -> 0 limit of DF F phi(d1) sqrt T: nonzero only at the money.
    const vega = stdDev === 0 && f === k && f > 0 ? df * f * sqrtT * PHI_AT_ZERO : 0;
    return { priceUsd, delta: df * payoffDelta(f, k, isCall), gamma: 0, vega, theta: rate * priceUsd };
  }
  const d1 = Math.log(f / k) / stdDev + 0.5 * stdDev;
  const pdfD1 = normalPdf(d1);
  const delta = isCall ? df * normalCdf(d1) : -df * normalCdf(-d1);
  const gamma = (df * pdfD1) / (f * stdDev);
  const vega = df * f * pdfD1 * sqrtT;
  const theta = (-df * f * pdfD1 * vol) / (2 * sqrtT) + rate * priceUsd;
  return { priceUsd, delta, gamma, vega, theta };
}
