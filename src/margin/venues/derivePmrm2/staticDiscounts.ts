import { XmarginError } from "../../../core/errors.js";
import type { Pmrm2Params } from "./params.js";

/** Largest argument of Derive's 18-decimal fixed-point exp: ln((2^255 - 1) / 1e18). */
const MAX_EXP_ARGUMENT = 135.305;

export interface StaticDiscounts {
  /** delta+: applied to a shocked expiry value >= 0 (haircuts long value). */
  positive: number;
  /** delta-: applied to a shocked expiry value < 0 (marks short liabilities up, at most to undiscounted). */
  negative: number;
}

/**
 * Static discount factors of one expiry (spec 5.3):
 * delta+ = bL exp(-tau (r mL + aL)), delta- = min(1 / D, bS exp(tau (r mS + aS))), tau in years, r the clamped rate.
 * @throws XmarginError `CALCULATION_FAILED` when rate x time is so large that the discount factor underflows
 */
export function staticDiscounts(
  years: number,
  rateAnnual: number,
  discount: number,
  m: Pmrm2Params["margin"],
  path = "$",
): StaticDiscounts {
  const positive =
    m.longBaseStaticDiscount * Math.exp(-years * (rateAnnual * m.longRateMultScale + m.longRateAddScale));
  const exponent = years * (rateAnnual * m.shortRateMultScale + m.shortRateAddScale);
  // On chain the fixed-point exp overflows above about 135; 1 / D needs D > 0.
  if (!(discount > 0) || !(exponent <= MAX_EXP_ARGUMENT)) {
    throw new XmarginError("static discount undefined: rate x time too large", { code: "CALCULATION_FAILED", path });
  }
  const markUp = m.shortBaseStaticDiscount * Math.exp(exponent);
  return { positive, negative: Math.min(1 / discount, markUp) };
}
