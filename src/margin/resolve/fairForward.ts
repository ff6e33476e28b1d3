import type { UnderlyingState } from "../../pricing/types.js";

/**
 * Fair forward price of an underlying for delivery in `years`, USD: spot x exp(carry x years). A past expiry gives
 * spot (no negative time).
 */
export function fairForwardUsd(u: Pick<UnderlyingState, "spotUsd" | "carryRateAnnual">, years: number): number {
  return u.spotUsd * Math.exp(u.carryRateAnnual * Math.max(0, years));
}
