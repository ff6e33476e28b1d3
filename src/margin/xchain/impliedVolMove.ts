/**
 * The log change of an option's implied vol on each path: its own vol factor's move plus a response to the size of
 * the underlying's move, k (z^2 - 1) with z = the price log-move in its own standard deviations over the horizon.
 * Implied vol rises after large moves in either direction, which a linear spot-vol correlation cannot give (it lowers
 * vol on every up move). A RiskMetrics lambda = 0.94 1-day vol estimate answers a squared return to first order as
 * log(sigma_new / sigma) = log(lambda + (1 - lambda) z^2) / 2 ~ 0.03 (z^2 - 1); the default k = 0.015 is half that,
 * since implied vol prices the average variance to expiry (xchain config `impliedVol.moveResponse`).
 * The mean of z^2 - 1 is 0, so the response adds no drift to the vol.
 * @param volLog the vol factor's log-moves per path.
 * @param priceLog the underlying's log-moves per path (same horizon).
 * @param varianceAtHorizon variance of priceLog (daily variance x days), > 0.
 * @param k response per unit of z^2 - 1 (0 = none: `volLog` is returned as is).
 */
export function impliedVolMove(
  volLog: Float64Array,
  priceLog: Float64Array,
  varianceAtHorizon: number,
  k: number,
): Float64Array {
  if (!(k > 0) || !(varianceAtHorizon > 0)) return volLog;
  const out = new Float64Array(volLog.length);
  const scale = k / varianceAtHorizon;
  for (let s = 0; s < out.length; s++) out[s] = volLog[s]! + scale * priceLog[s]! * priceLog[s]! - k;
  return out;
}
