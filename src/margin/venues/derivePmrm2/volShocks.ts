import { XmarginError } from "../../../core/errors.js";
import { SECONDS_PER_DAY } from "../../../core/time.js";
import type { Pmrm2Params } from "./params.js";

/** 30 days, the pivot of the vol-shock power law. */
const THIRTY_DAYS_SEC = 30 * SECONDS_PER_DAY;

export interface VolShockMultipliers {
  /** Up-scenario multiplier u = 1 + R_up g. */
  up: number;
  /** Down-scenario multiplier d = max(0, 1 - R_dn g). */
  down: number;
}

/**
 * Vol-shock multipliers of one expiry (spec 5.2): g = (30 days / max(s, floor))^p, with p the short-term power up
 * to 30 days and the long-term power beyond (chosen on the unfloored time).
 * @param secondsToExpiry time to expiry, s (>= 0)
 * @throws XmarginError `CALCULATION_FAILED` for an expired expiry with a zero floor (division by zero on chain)
 */
export function volShockMultipliers(
  secondsToExpiry: number,
  p: Pmrm2Params["volShock"],
  path = "$",
): VolShockMultipliers {
  const floored = Math.max(secondsToExpiry, p.dteFloorDays * SECONDS_PER_DAY);
  if (floored <= 0) {
    throw new XmarginError("vol shock undefined: expired expiry with a zero DTE floor", {
      code: "CALCULATION_FAILED",
      path,
    });
  }
  const power = secondsToExpiry <= THIRTY_DAYS_SEC ? p.shortTermPower : p.longTermPower;
  // exp(p ln x), as Derive's decPow computes the power.
  const g = Math.exp(power * Math.log(THIRTY_DAYS_SEC / floored));
  return { up: 1 + p.volRangeUp * g, down: Math.max(0, 1 - p.volRangeDown * g) };
}
