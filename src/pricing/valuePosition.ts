/**
 * Value (contribution to account equity) and spot greeks of one resolved position.
 *
 * With S = spot, T = `expiryYears`, F = S exp(carry max(T, 0)) and DF = exp(-riskFree T):
 * - spot:   size * S * priceRatio
 * - perp:   size * (S - entry) + fundingAccrued (marked at spot/index)
 * - future: size * (F - entry) (marked to the fair forward; daily variation margin, so not discounted)
 * - option: size * Black-76(F, K, T, vol, DF); once expired (T <= 0), size * intrinsic value on spot.
 * The option premium paid or received is cash already in the account, so it is not part of the position's value.
 */
import { invalidInput } from "../core/errors.js";
import { black76, black76PriceUnchecked } from "./black76.js";
import { KIND_CODE, type PositionGreeks, type PricedPosition, type UnderlyingState } from "./types.js";

/** One calendar day in Act/365 years: the step of `thetaUsdPerDay`. */
export const ONE_DAY_YEARS = 1 / 365;

function fail(path: string, field: string, rule: string, value: unknown): never {
  throw invalidInput(`${path}.${field}`, `${field} must be ${rule}, got ${String(value)}`);
}

function checkFinite(path: string, field: string, value: number): void {
  if (!Number.isFinite(value)) fail(path, field, "a finite number", value);
}

function checkNonNegative(path: string, field: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) fail(path, field, "a finite number >= 0", value);
}

/**
 * Throws `INVALID_INPUT` at the first field of the position, market state or vol that its kind needs and that is
 * missing or out of range. Fields a kind does not use are not checked.
 * @param p the position
 * @param u the underlying's market state
 * @param volAnnual option vol (checked for options only)
 * @param path JSON path of the position, `$` by default (the market state is reported under `<path>.market`)
 */
export function validatePricingInputs(p: PricedPosition, u: UnderlyingState, volAnnual: number, path = "$"): void {
  const m = `${path}.market`;
  checkNonNegative(m, "spotUsd", u.spotUsd);
  checkFinite(m, "carryRateAnnual", u.carryRateAnnual);
  checkFinite(m, "riskFreeRateAnnual", u.riskFreeRateAnnual);
  checkFinite(path, "size", p.size);
  switch (p.kind) {
    case "spot":
      checkNonNegative(path, "priceRatio", p.priceRatio);
      return;
    case "perp":
      checkFinite(path, "entryPriceUsd", p.entryPriceUsd);
      checkFinite(path, "fundingAccruedUsd", p.fundingAccruedUsd);
      return;
    case "future":
      checkFinite(path, "entryPriceUsd", p.entryPriceUsd);
      if (Number.isNaN(p.expiryYears)) fail(path, "expiryYears", "a number", p.expiryYears);
      return;
    case "option":
      checkNonNegative(path, "strikeUsd", p.strikeUsd);
      if (Number.isNaN(p.expiryYears) || p.expiryYears === Number.POSITIVE_INFINITY) {
        fail(path, "expiryYears", "a number below +Infinity", p.expiryYears);
      }
      if (typeof p.isCall !== "boolean") fail(path, "isCall", "a boolean", p.isCall);
      if (!Number.isFinite(volAnnual) || volAnnual < 0) fail(path, "volAnnual", "a finite number >= 0", volAnnual);
      return;
    default:
      fail(path, "kind", 'one of "spot", "perp", "future", "option"', (p as { kind: unknown }).kind);
  }
}

/**
 * Value without validation, the formulas of this module's header, over plain numbers so that column layouts (the
 * batch grid engine) call it too; the revaluation kernel shares `black76PriceUnchecked`, so all agree to rounding.
 * @param kind `KIND_CODE` of the position
 * @param size signed size, units of the underlying
 * @param spotUsd spot price of the underlying, USD
 * @param carryRateAnnual continuously compounded carry rate, per year
 * @param riskFreeRateAnnual continuously compounded discount rate, per year
 * @param volAnnual option vol (ignored for other kinds)
 * @param years time to expiry (futures, options), years
 * @param priceRatio spot tokens' price / underlying spot
 * @param entryPriceUsd perps' and futures' entry price, USD
 * @param fundingAccruedUsd perps' accrued funding, USD
 * @param strikeUsd options' strike, USD
 * @param isCall options: true for a call
 */
export function positionValueUnchecked(
  kind: number,
  size: number,
  spotUsd: number,
  carryRateAnnual: number,
  riskFreeRateAnnual: number,
  volAnnual: number,
  years: number,
  priceRatio: number,
  entryPriceUsd: number,
  fundingAccruedUsd: number,
  strikeUsd: number,
  isCall: boolean,
): number {
  if (kind !== KIND_CODE.option) {
    return linearValueUnchecked(
      kind,
      size,
      spotUsd,
      carryRateAnnual,
      years,
      priceRatio,
      entryPriceUsd,
      fundingAccruedUsd,
    );
  }
  if (years <= 0) {
    const intrinsic = isCall ? Math.max(spotUsd - strikeUsd, 0) : Math.max(strikeUsd - spotUsd, 0);
    return size * intrinsic;
  }
  const forwardUsd = spotUsd * optionGrowth(carryRateAnnual, years);
  const df = optionDiscountFactor(riskFreeRateAnnual, years);
  return size * black76PriceUnchecked(forwardUsd, strikeUsd, years, volAnnual, df, isCall);
}

/**
 * Forward over spot of an unexpired option, exp(carry x years): F = S x this. The one home of the option forward for
 * `positionValueUnchecked` and the revaluation kernel.
 * @param carryRateAnnual continuously compounded carry rate, per year
 * @param years time to expiry, years (> 0; expired options take intrinsic value on spot instead)
 */
export function optionGrowth(carryRateAnnual: number, years: number): number {
  return Math.exp(carryRateAnnual * years);
}

/**
 * Discount factor of an unexpired option, exp(-riskFree x years).
 * @param riskFreeRateAnnual continuously compounded discount rate, per year
 * @param years time to expiry, years (> 0)
 */
export function optionDiscountFactor(riskFreeRateAnnual: number, years: number): number {
  return Math.exp(-riskFreeRateAnnual * years);
}

/**
 * `positionValueUnchecked` of the linear kinds (spot, perp, future), small enough for hot loops to inline.
 * @param kind `KIND_CODE` of a linear kind
 */
export function linearValueUnchecked(
  kind: number,
  size: number,
  spotUsd: number,
  carryRateAnnual: number,
  years: number,
  priceRatio: number,
  entryPriceUsd: number,
  fundingAccruedUsd: number,
): number {
  if (kind === KIND_CODE.spot) return size * spotUsd * priceRatio;
  if (kind === KIND_CODE.perp) return size * (spotUsd - entryPriceUsd) + fundingAccruedUsd;
  return size * (spotUsd * Math.exp(carryRateAnnual * Math.max(years, 0)) - entryPriceUsd);
}

/** `positionValueUnchecked` of a position object, at `years` to expiry (theta reprices one day on). */
function valueAt(
  p: PricedPosition,
  spotUsd: number,
  carryRateAnnual: number,
  riskFreeRateAnnual: number,
  volAnnual: number,
  years: number,
): number {
  return positionValueUnchecked(
    KIND_CODE[p.kind],
    p.size,
    spotUsd,
    carryRateAnnual,
    riskFreeRateAnnual,
    volAnnual,
    years,
    p.priceRatio,
    p.entryPriceUsd,
    p.fundingAccruedUsd,
    p.strikeUsd,
    p.isCall,
  );
}

/**
 * A position's contribution to account equity, USD.
 * @param p resolved position (size in units of the underlying, prices in USD, expiry in years)
 * @param u spot (USD), carry and risk-free rates (continuously compounded, per year) of its underlying
 * @param volAnnual implied vol for an option (0.6 = 60%); ignored for other kinds
 * @param path JSON path of the position for error messages, `$` by default
 * @throws XmarginError `INVALID_INPUT` on a NaN, infinite or negative input the kind needs
 * @example
 * valuePosition({ kind: "perp", size: 2, priceRatio: 1, entryPriceUsd: 3000, strikeUsd: 0, expiryYears: 0,
 *   isCall: false, fundingAccruedUsd: -5 }, { spotUsd: 3100, carryRateAnnual: 0, riskFreeRateAnnual: 0 }, 0); // 195
 */
export function valuePosition(p: PricedPosition, u: UnderlyingState, volAnnual: number, path = "$"): number {
  validatePricingInputs(p, u, volAnnual, path);
  return valueAt(p, u.spotUsd, u.carryRateAnnual, u.riskFreeRateAnnual, volAnnual, p.expiryYears);
}

/**
 * Spot greeks of a position.
 * - delta, gamma: with respect to spot, through F = S exp(carry T): dV/dS = size dV/dF exp(cT), d2V/dS2 =
 *   size d2V/dF2 exp(2cT). Expired options use the payoff slope on spot (half at the strike) and gamma 0.
 * - vega: Black-76 vega times 0.01 (one vol point), USD.
 * - theta: value(T - 1/365) - value(T) with spot, vol and rates fixed, by repricing (so it includes the roll of the
 *   forward and of the discount factor, and an option expiring within the day drops to its intrinsic value on spot).
 *   Spot and perp have theta 0 (funding accrual is not projected).
 * @param p resolved position
 * @param u market state of its underlying
 * @param volAnnual implied vol for an option (0.6 = 60%)
 * @param path JSON path of the position for error messages, `$` by default
 */
export function positionGreeks(p: PricedPosition, u: UnderlyingState, volAnnual: number, path = "$"): PositionGreeks {
  validatePricingInputs(p, u, volAnnual, path);
  const { spotUsd, carryRateAnnual: carry, riskFreeRateAnnual: rf } = u;
  const years = p.expiryYears;
  const theta = (): number =>
    valueAt(p, spotUsd, carry, rf, volAnnual, years - ONE_DAY_YEARS) - valueAt(p, spotUsd, carry, rf, volAnnual, years);
  switch (p.kind) {
    case "spot":
      return { delta: p.size * p.priceRatio, gamma: 0, vegaUsdPerVolPoint: 0, thetaUsdPerDay: 0 };
    case "perp":
      return { delta: p.size, gamma: 0, vegaUsdPerVolPoint: 0, thetaUsdPerDay: 0 };
    case "future":
      return {
        delta: p.size * Math.exp(carry * Math.max(years, 0)),
        gamma: 0,
        vegaUsdPerVolPoint: 0,
        thetaUsdPerDay: theta(),
      };
    case "option": {
      if (years <= 0) {
        const itm = spotUsd > p.strikeUsd ? 1 : spotUsd < p.strikeUsd ? 0 : 0.5;
        return { delta: p.size * (p.isCall ? itm : itm - 1), gamma: 0, vegaUsdPerVolPoint: 0, thetaUsdPerDay: 0 };
      }
      const growth = Math.exp(carry * years);
      const g = black76({
        forwardUsd: spotUsd * growth,
        strikeUsd: p.strikeUsd,
        years,
        volAnnual,
        discountFactor: Math.exp(-rf * years),
        isCall: p.isCall,
      });
      return {
        delta: p.size * g.delta * growth,
        gamma: p.size * g.gamma * growth * growth,
        vegaUsdPerVolPoint: p.size * g.vega * 0.01,
        thetaUsdPerDay: theta(),
      };
    }
  }
}
