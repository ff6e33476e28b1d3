import { invalidInput } from "../core/errors.js";
import { parseIsoToSec } from "../core/time.js";
import { defaultAggregationRules } from "../oracles/aggregateQuotes.js";
import type { MarketSnapshot, OracleQuote } from "../schema/marketSnapshot.js";

const quoteKey = (q: OracleQuote) => `${q.source}|${q.chain}|${q.feed}`;

/**
 * Sanity of a quote push against the live market, before anything is applied (errors name the field of the push):
 * - the market clock never goes back (`$.asOf`);
 * - no quote is published after the market time plus the allowed clock skew (`$.quotes[i].publishedAt`);
 * - no quote replaces a newer quote of the same source, chain and feed (`$.quotes[i].publishedAt`);
 * - a quote's own staleness limit is within the configured cap (`$.quotes[i].maxAgeSec`): a source cannot declare
 *   itself fresh for years.
 */
export function checkQuotesPush(
  current: MarketSnapshot,
  push: { quotes: readonly OracleQuote[]; asOf?: string | undefined },
  rules = defaultAggregationRules,
): void {
  const nowSec = parseIsoToSec(current.asOf, "$.asOf");
  const asOfSec = push.asOf === undefined ? nowSec : parseIsoToSec(push.asOf, "$.asOf");
  if (asOfSec < nowSec) {
    throw invalidInput(
      "$.asOf",
      `must not be before the market time ${current.asOf}`,
      "the market clock never goes back",
    );
  }
  const existing = new Map(current.quotes.map((q) => [quoteKey(q), q]));
  const maxFutureSec = rules.maxFutureSec ?? 60;
  const capSec = rules.maxHeartbeatSec ?? Number.POSITIVE_INFINITY;
  push.quotes.forEach((q, i) => {
    const path = `$.quotes[${i}]`;
    const publishedSec = parseIsoToSec(q.publishedAt, `${path}.publishedAt`);
    if (publishedSec - asOfSec > maxFutureSec) {
      throw invalidInput(
        `${path}.publishedAt`,
        `is ${Math.round(publishedSec - asOfSec)} s after the market time`,
        `at most ${maxFutureSec} s of clock skew`,
      );
    }
    const before = existing.get(quoteKey(q));
    if (before && publishedSec < parseIsoToSec(before.publishedAt, "$.publishedAt")) {
      throw invalidInput(`${path}.publishedAt`, `is older than the quote it replaces (${before.publishedAt})`);
    }
    if (q.maxAgeSec !== undefined && Number(q.maxAgeSec) > capSec) {
      throw invalidInput(`${path}.maxAgeSec`, `is ${q.maxAgeSec} s; at most ${capSec} s`, "the heartbeat cap");
    }
  });
}
