import { SECONDS_PER_YEAR } from "../../../core/time.js";
import type { Pmrm2Params } from "./params.js";

export interface SkewShape {
  /** Largest relative vol move of the rotation (may be negative; taken literally, spec 6.3). */
  cap: number;
  /** Log-moneyness at which the move reaches the cap. */
  kStar: number;
}

/**
 * Cap and k* of one expiry for the Linear or Abs skew scenario (spec 6.3), with q = sqrt(s / Y):
 * cap = c q + cap0, k* = max(kmin, q w_k (v0 + q v1)).
 */
export function skewShape(secondsToExpiry: number, p: Pmrm2Params["skewShock"], kind: "linear" | "abs"): SkewShape {
  const q = Math.sqrt(secondsToExpiry / SECONDS_PER_YEAR);
  const cap = kind === "linear" ? p.linearCBase * q + p.linearBaseCap : p.absCBase * q + p.absBaseCap;
  const kStar = Math.max(p.minKStar, q * p.widthScale * (p.volParamStatic + q * p.volParamScale));
  return { cap, kStar };
}

/**
 * Vol multiplier of one strike before the max(0, .) floor: 1 + min(cap, k cap / k*) for k >= 0, else
 * 1 + max(-cap, k cap / k*). For Abs, pass k = |ln(K / F)|.
 */
export function skewMultiplier(k: number, shape: SkewShape): number {
  const slope = (k * shape.cap) / shape.kStar;
  return 1 + (k >= 0 ? Math.min(shape.cap, slope) : Math.max(-shape.cap, slope));
}
