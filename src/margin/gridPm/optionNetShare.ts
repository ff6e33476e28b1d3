import type { ResolvedItem } from "../resolve/resolvedPortfolio.js";

/**
 * For each option item, |net size| / gross size of its contract (chain, venue, underlying, expiry, strike, type)
 * within the portfolio: +10 and -10 of the same put is no position, so a per-contract charge scales to 0. NaN for
 * items that are not options.
 */
export function optionNetShares(items: readonly ResolvedItem[]): Float64Array {
  const key = (item: ResolvedItem) => {
    const p = item.priced;
    return `${item.chain}|${item.venue}|${item.underlying}|${p.expiryYears}|${p.strikeUsd}|${p.isCall}`;
  };
  const contracts = new Map<string, { net: number; gross: number }>();
  for (const item of items) {
    if (item.priced.kind !== "option") continue;
    const c = contracts.get(key(item)) ?? { net: 0, gross: 0 };
    c.net += item.priced.size;
    c.gross += Math.abs(item.priced.size);
    contracts.set(key(item), c);
  }
  return Float64Array.from(items, (item) => {
    if (item.priced.kind !== "option") return Number.NaN;
    const c = contracts.get(key(item))!;
    return c.gross > 0 ? Math.abs(c.net) / c.gross : 1;
  });
}
