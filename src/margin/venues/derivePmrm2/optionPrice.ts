/**
 * Discounted Black-76 value of one option as PMRM_2 prices it (spec 4.4): the xmargin Black-76 kernel, with
 * Derive's saturation at total vol 24 and its bounds call in [0, F D], put in [0, K D].
 */
import { black76PriceUnchecked } from "../../../pricing/black76.js";

/** Total vol at and above which Derive treats the standard call as exactly 1. */
const SATURATED_TOTAL_VOL = 24;

/**
 * @param forward forward of the expiry, cash units (>= 0)
 * @param strike strike, cash units (>= 0)
 * @param volAnnual annualised vol (>= 0)
 * @param years time to expiry, years (0 = expired: intrinsic)
 * @param discount discount factor of the expiry (> 0)
 * @param isCall true for a call
 * @returns value per contract, cash units
 */
export function pmrm2OptionPrice(
  forward: number,
  strike: number,
  volAnnual: number,
  years: number,
  discount: number,
  isCall: boolean,
): number {
  const callCap = forward * discount;
  const putCap = strike * discount;
  if (volAnnual * Math.sqrt(years) >= SATURATED_TOTAL_VOL) return isCall ? callCap : putCap;
  // Zero time is priced as zero vol with the (unit) discount factor of an expired expiry.
  const price = black76PriceUnchecked(
    forward,
    strike,
    years > 0 ? years : 1,
    years > 0 ? volAnnual : 0,
    discount,
    isCall,
  );
  return Math.min(Math.max(price, 0), isCall ? callCap : putCap);
}
