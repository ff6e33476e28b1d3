import { secToIso } from "../../core/time.js";
import type { MarketSnapshot, OracleQuote } from "../../schema/marketSnapshot.js";

/**
 * The market a live feed gives: the template's static parts (vol surfaces, rates, liquidity, bridges, risk factors)
 * and its quotes of feeds the live feed does not carry, plus the live quotes; `asOf` is the clock. Every template
 * quote of a feed that is followed live is dropped (an old copy must not dilute the live median), and so is every vol
 * smile whose expiry is not after `asOf` (a surface left without one is dropped: an option on it then has no vol and
 * is a MISSING_DATA error, never a number from a stale surface). Pure.
 * @example
 * const snapshot = liveMarketSnapshot(template, feed.quotes(), Math.floor(Date.now() / 1000));
 */
export function liveMarketSnapshot(
  template: MarketSnapshot,
  liveQuotes: readonly OracleQuote[],
  asOfSec: number,
): MarketSnapshot {
  const live = new Set(liveQuotes.map((q) => q.feed));
  const asOfMs = asOfSec * 1000;
  const future = (e: { expiry: string }) => Date.parse(e.expiry) > asOfMs;
  // Either surface kind keeps its own expiry type.
  const volSurfaces: MarketSnapshot["volSurfaces"] = template.volSurfaces
    .map((s) =>
      s.kind === "svi" ? { ...s, expiries: s.expiries.filter(future) } : { ...s, expiries: s.expiries.filter(future) },
    )
    .filter((s) => s.expiries.length > 0);
  return {
    ...template,
    asOf: secToIso(asOfSec),
    volSurfaces,
    quotes: [...template.quotes.filter((q) => !live.has(q.feed)), ...liveQuotes],
  };
}
