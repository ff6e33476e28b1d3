import type { DailySeries } from "../../market/dailyPriceCsv.js";

/**
 * Mean of the last `window` finite positive volumes dated up to `date`: the market depth of a replayed day. Walked
 * forward, so `at` must be called with non-decreasing dates.
 */
export class TrailingVolume {
  private pos = -1;
  constructor(
    private readonly series: DailySeries,
    private readonly window: number,
  ) {}

  /** USD volume per day (0 when no volume is known: the day then publishes no liquidity entry, never a made-up one). */
  at(date: string): number {
    const s = this.series;
    while (this.pos + 1 < s.dates.length && s.dates[this.pos + 1]! <= date) this.pos++;
    let sum = 0;
    let count = 0;
    for (let k = this.pos; k >= 0 && k > this.pos - this.window; k--) {
      const v = s.volumes[k]!;
      if (Number.isFinite(v) && v > 0) {
        sum += v;
        count++;
      }
    }
    return count > 0 ? sum / count : 0;
  }
}
