/**
 * The implied-vol factor's response to its underlying's move, fitted on their common days: the log change y_t of
 * the implied-vol level against w_t = z_t^2 - 1, z_t the underlying's return over its vol forecast the day before, by
 * least squares through the origin, y = k w + e (the news-impact shape of Engle and Ng 1993 in its symmetric form: vol
 * rises after a large move of either sign). The model simulates k w on each path from the simulated move
 * (margin/xchain/impliedVolMove.ts) and e as the vol factor's own random move, so e is what the factor's vol,
 * correlations and residual quantiles are estimated from; days without the underlying's residual keep y as e.
 * @param y the implied-vol factor's daily log changes (scaled to one day), ending on `yDays`.
 * @param yDays their end days (UTC day numbers), ascending.
 * @param z the underlying's standardised residuals, ending on `zDays` (ascending).
 * @returns k (0 with no common day) and e, the same length as y.
 */
export function fitMoveResponse(
  y: Float64Array,
  yDays: Int32Array,
  z: Float64Array,
  zDays: Int32Array,
): { k: number; residual: Float64Array } {
  const w = new Float64Array(y.length).fill(Number.NaN);
  let j = 0;
  for (let i = 0; i < y.length; i++) {
    while (j < zDays.length && zDays[j]! < yDays[i]!) j++;
    if (j < zDays.length && zDays[j] === yDays[i]) w[i] = z[j]! * z[j]! - 1;
  }
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < y.length; i++) {
    if (Number.isNaN(w[i]!)) continue;
    sxy += w[i]! * y[i]!;
    sxx += w[i]! * w[i]!;
  }
  const k = sxx > 0 ? sxy / sxx : 0;
  const residual = Float64Array.from(y, (v, i) => (Number.isNaN(w[i]!) ? v : v - k * w[i]!));
  return { k, residual };
}
