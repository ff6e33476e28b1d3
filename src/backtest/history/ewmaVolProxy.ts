import { lastIndexAtOrBefore } from "../../core/time.js";
import type { DailySeries } from "../../market/dailyPriceCsv.js";
import { EWMA_DEFAULT_INIT_WINDOW, ewmaVolSeries } from "../../risk/ewma.js";

const DAYS_PER_YEAR = 365;

/**
 * The realised-vol proxy of a replayed day (what the flat vol surfaces of the backtest and of the service's replay are
 * set to; NOT an implied vol): RiskMetrics EWMA of the series' own daily log-returns (src/risk/ewma.ts, seeded with
 * the mean square of the first 20 returns), annualised with sqrt(365) (crypto trades every day). Computed once per
 * series; `at(date)` only reads closes up to `date` (rows of the EWMA series after its seed window depend on earlier
 * returns only), and is undefined before 20 returns exist, so the seed never sees a later close.
 */
export class EwmaVolProxy {
  /** Row t = daily vol from returns 0..t-1 (ewmaVolSeries); undefined when the series has one close. */
  private readonly dailyVols: Float64Array | undefined;

  /**
   * @param series daily closes (> 0, ascending days).
   * @param lambda EWMA decay in (0, 1), e.g. 0.94.
   */
  constructor(
    readonly series: DailySeries,
    readonly lambda: number,
  ) {
    const closes = series.closes;
    const returns = new Float64Array(Math.max(0, closes.length - 1));
    for (let k = 1; k < closes.length; k++) returns[k - 1] = Math.log(closes[k]! / closes[k - 1]!);
    this.dailyVols =
      returns.length > 0 ? ewmaVolSeries(returns, { lambda, initWindow: EWMA_DEFAULT_INIT_WINDOW }) : undefined;
  }

  /**
   * The proxy as a daily series (annualised vol on each date from the 20th return on): the implied-vol history of the
   * backtest's surfaces, from which the risk factor `vol:<underlying>` is estimated like any other factor.
   */
  levels(): { dates: string[]; closes: Float64Array } {
    const first = EWMA_DEFAULT_INIT_WINDOW;
    const vols = this.dailyVols ?? new Float64Array(0);
    const dates = this.series.dates.slice(first, vols.length);
    return { dates, closes: Float64Array.from(dates, (_, k) => vols[first + k]! * Math.sqrt(DAYS_PER_YEAR)) };
  }

  /** Annualised vol with the closes up to and including `date`; undefined with fewer than 20 returns by then. */
  at(date: string): number | undefined {
    const end = lastIndexAtOrBefore(this.series.dates, date);
    if (!this.dailyVols || end < EWMA_DEFAULT_INIT_WINDOW) return undefined;
    return this.dailyVols[end]! * Math.sqrt(DAYS_PER_YEAR);
  }
}
