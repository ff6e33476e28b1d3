import type { DailySeries } from "../../market/dailyPriceCsv.js";
import type { History } from "./history.js";

/**
 * Series the data has no file for but the risk factors need, as the ratio of two USD closes on their common days.
 * WSTETH-ETH: wstETH's own basis against ETH. wstETH's USD closes are sampled at other times than ETH's (the
 * data shows one-day lags that reverse the next day, lag-1 autocorrelation -0.44), so its basis is not stETH's:
 * sharing STETH-ETH hid that noise from the 1-day VaR while the realised P&L contains it. The ratio also carries
 * the wrapper's staking accrual (~+0.01%/day, under 3% of its daily move), left in as in every log return.
 */
export const RATIO_SERIES: ReadonlyArray<{ name: string; numerator: string; denominator: string }> = [
  { name: "WSTETH-ETH", numerator: "WSTETH-USD", denominator: "ETH-USD" },
];

/** numerator / denominator on the days both have (no volumes: a ratio has no market of its own). */
export function ratioSeries(name: string, num: DailySeries, den: DailySeries): DailySeries {
  const denIndex = new Map(den.dates.map((d, i) => [d, i]));
  const dates: string[] = [];
  const closes: number[] = [];
  num.dates.forEach((d, i) => {
    const j = denIndex.get(d);
    if (j === undefined) return;
    dates.push(d);
    closes.push(num.closes[i]! / den.closes[j]!);
  });
  return {
    symbol: name,
    dates,
    closes: Float64Array.from(closes),
    volumes: new Float64Array(dates.length).fill(Number.NaN),
  };
}

/** The history plus every ratio series whose two legs it holds (a file of the same name wins). */
export function withRatioSeries(history: History): History {
  const out = new Map(history);
  for (const r of RATIO_SERIES) {
    const num = history.get(r.numerator);
    const den = history.get(r.denominator);
    if (num && den && !out.has(r.name)) out.set(r.name, ratioSeries(r.name, num, den));
  }
  return out;
}
