import { invalidInput, missingData } from "../../core/errors.js";
import { lastIndexAtOrBefore } from "../../core/time.js";
import type { DailySeries } from "../../market/dailyPriceCsv.js";

/** The daily history a backtest or the service's replay reads, by series name (file stem, e.g. `BTC-USD`). */
export type History = ReadonlyMap<string, DailySeries>;

/** Builds a History map from series (distinct symbols). */
export function historyOf(series: readonly DailySeries[]): History {
  const map = new Map<string, DailySeries>();
  for (const s of series) {
    if (map.has(s.symbol)) throw invalidInput("$.history", `duplicate series ${s.symbol}`);
    map.set(s.symbol, s);
  }
  return map;
}

/** Looks a series up or fails with MISSING_DATA naming it. */
export function seriesOf(history: History, symbol: string, why: string): DailySeries {
  const s = history.get(symbol);
  if (!s) throw missingData("$.history", `no ${symbol} series in the history (needed for ${why})`);
  return s;
}

/** The history cut after `end` (inclusive): nothing later can leak into a snapshot or a realised loss. */
export function historyUpTo(history: History, end: string): History {
  const out = new Map<string, DailySeries>();
  for (const [k, s] of history) {
    const n = lastIndexAtOrBefore(s.dates, end) + 1;
    out.set(
      k,
      n === s.dates.length
        ? s
        : {
            symbol: s.symbol,
            dates: s.dates.slice(0, n),
            closes: s.closes.slice(0, n),
            volumes: s.volumes.slice(0, n),
            ...(s.opens ? { opens: s.opens.slice(0, n) } : {}),
            ...(s.highs ? { highs: s.highs.slice(0, n) } : {}),
            ...(s.lows ? { lows: s.lows.slice(0, n) } : {}),
          },
    );
  }
  return out;
}
