import { invalidInput, missingData } from "../core/errors.js";

/** Daily close series of one symbol, ascending unique ISO dates (UTC days). */
export interface PriceSeries {
  symbol: string;
  /** ISO `YYYY-MM-DD`, strictly ascending. */
  dates: string[];
  /** Close price per date, in the quote unit of the file (USD, or the ratio for `*-ETH`/`*-BTC`). */
  closes: Float64Array;
}

/** Several series restricted to their common dates. */
export interface AlignedPrices {
  symbols: string[];
  /** Common dates (intersection), ascending. */
  dates: string[];
  /** Closes, row-major [date][symbol]: `closes[t * symbols.length + i]`. */
  closes: Float64Array;
}

/** Daily log-returns of N factors, row-major [day][factor]. */
export interface ReturnsMatrix {
  factorNames: string[];
  /** End date of each return (the date of the later close), length nObs. */
  dates: string[];
  nObs: number;
  nFactors: number;
  /** `data[t * nFactors + i]` = ln(close_{t+1} / close_t) of factor i. */
  data: Float64Array;
}

/**
 * Restricts series to the dates present in all of them (intersection), so every row is a joint observation.
 * @param series at least one series, distinct symbols.
 */
export function alignSeries(series: readonly PriceSeries[]): AlignedPrices {
  if (series.length === 0) throw invalidInput("$.series", "needs at least one series");
  const symbols = series.map((s) => s.symbol);
  if (new Set(symbols).size !== symbols.length) throw invalidInput("$.series", "symbols must be distinct");
  const count = new Map<string, number>();
  for (const s of series) for (const d of s.dates) count.set(d, (count.get(d) ?? 0) + 1);
  const dates = [...count].filter(([, c]) => c === series.length).map(([d]) => d);
  dates.sort();
  if (dates.length === 0) throw missingData("$.series", `no common date across ${symbols.join(", ")}`);
  const row = new Map<string, number>(dates.map((d, t) => [d, t]));
  const n = series.length;
  const closes = new Float64Array(dates.length * n);
  series.forEach((s, i) => {
    s.dates.forEach((d, k) => {
      const t = row.get(d);
      if (t !== undefined) closes[t * n + i] = s.closes[k] ?? Number.NaN;
    });
  });
  return { symbols, dates, closes };
}

/**
 * Log-returns ln(close_{t+1} / close_t) between consecutive aligned dates (T dates -> T-1 returns). A gap in the
 * common dates (e.g. AVAX misses 2020-07-15..09-21) yields one multi-day return; callers who need strictly daily
 * returns should check `dates`.
 * @param prices aligned closes, at least 2 dates, all positive.
 */
export function logReturns(prices: AlignedPrices): ReturnsMatrix {
  const n = prices.symbols.length;
  const nDates = prices.dates.length;
  if (nDates < 2) throw missingData("$.dates", "need at least 2 common dates for a return");
  const nObs = nDates - 1;
  const data = new Float64Array(nObs * n);
  for (let t = 0; t < nObs; t++) {
    for (let i = 0; i < n; i++) {
      const a = prices.closes[t * n + i] ?? Number.NaN;
      const b = prices.closes[(t + 1) * n + i] ?? Number.NaN;
      if (!(a > 0 && b > 0)) {
        throw invalidInput(`$.closes[${t}]`, `non-positive close for ${prices.symbols[i]} near ${prices.dates[t]}`);
      }
      data[t * n + i] = Math.log(b / a);
    }
  }
  return { factorNames: [...prices.symbols], dates: prices.dates.slice(1), nObs, nFactors: n, data };
}
