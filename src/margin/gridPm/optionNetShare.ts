import type { ResolvedItem } from "../resolve/resolvedPortfolio.js";

/** The contract an option position is in: same chain, venue, underlying, expiry, strike and type. */
export function optionContractKey(
  chain: string,
  venue: string | undefined,
  underlying: string,
  expiryYears: number,
  strikeUsd: number,
  isCall: boolean,
): string {
  return `${chain}|${venue}|${underlying}|${expiryYears}|${strikeUsd}|${isCall}`;
}

/**
 * For each option item, |net size| / gross size of its contract (`optionContractKey`) within the portfolio: +10 and
 * -10 of the same put is no position, so a per-contract charge scales to 0. NaN for items that are not options.
 */
export function optionNetShares(items: readonly ResolvedItem[]): Float64Array {
  return optionNetSharesOf(
    items.length,
    (i) => {
      const item = items[i]!;
      const p = item.priced;
      return p.kind !== "option"
        ? undefined
        : optionContractKey(item.chain, item.venue, item.underlying, p.expiryYears, p.strikeUsd, p.isCall);
    },
    (i) => items[i]!.priced.size,
  );
}

/**
 * `optionNetShares` over any item layout: item i's contract key (undefined when not an option) and signed size.
 * @param out where to write (length >= n), a new array by default
 */
export function optionNetSharesOf(
  n: number,
  contractOf: (i: number) => string | undefined,
  sizeOf: (i: number) => number,
  out: Float64Array = new Float64Array(n),
): Float64Array {
  const contracts = new Map<string, { net: number; gross: number }>();
  const keys: Array<string | undefined> = [];
  for (let i = 0; i < n; i++) {
    const key = contractOf(i);
    keys.push(key);
    if (key === undefined) continue;
    const c = contracts.get(key) ?? { net: 0, gross: 0 };
    c.net += sizeOf(i);
    c.gross += Math.abs(sizeOf(i));
    contracts.set(key, c);
  }
  for (let i = 0; i < n; i++) {
    const key = keys[i];
    if (key === undefined) {
      out[i] = Number.NaN;
      continue;
    }
    const c = contracts.get(key)!;
    out[i] = c.gross > 0 ? Math.abs(c.net) / c.gross : 1;
  }
  return out;
}
