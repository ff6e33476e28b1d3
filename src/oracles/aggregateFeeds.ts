import { parseDecimal } from "../core/decimal.js";
import type { Flag } from "../core/flags.js";
import { parseIsoToSec } from "../core/time.js";
import type { OracleQuote } from "../schema/marketSnapshot.js";
import {
  type AggregatedPrice,
  type AggregationRules,
  aggregateQuotes,
  defaultAggregationRules,
  type QuoteReading,
} from "./aggregateQuotes.js";
import { allChainsFeedKey, chainFeedKey, parseFeedKey } from "./feedKey.js";

/** A quote with the source's own staleness limit, which a MarketSnapshot document does not carry. */
export interface TimedQuote {
  quote: OracleQuote;
  maxAgeSec?: number;
}

export interface AggregatedFeeds {
  /** By key: `*:${symbol}` over all chains (per underlying or token feed), `${chain}:${symbol}` per chain. */
  prices: Map<string, AggregatedPrice>;
  /** Flags of every all-chain feed, and of per-chain feeds that have more than one source. */
  flags: Flag[];
}

/**
 * A chain's own feed may be a single source that the other chains' sources contradict; its band is at least twice
 * its distance from the all-chain price plus the all-chain band (rule R8), so valuing items at the chain's price can
 * never gain an account more than the band charges.
 */
function withinAllChains(own: AggregatedPrice, all: AggregatedPrice): AggregatedPrice {
  const floorUsd = 2 * Math.abs(own.priceUsd - all.priceUsd) + all.uncertaintyUsd;
  return floorUsd > own.uncertaintyUsd ? { ...own, uncertaintyUsd: floorUsd } : own;
}

/** A quote document as numbers (errors at `path`); `maxAgeSec` is the source's own staleness limit, if any. */
export function quoteReadingOf(q: OracleQuote, path: string, maxAgeSec?: number): QuoteReading {
  return {
    source: q.source,
    chain: q.chain,
    priceUsd: parseDecimal(q.price, `${path}.price`),
    confidenceUsd: q.confidence === undefined ? 0 : parseDecimal(q.confidence, `${path}.confidence`),
    publishedAtSec: parseIsoToSec(q.publishedAt, `${path}.publishedAt`),
    ...(maxAgeSec !== undefined ? { maxAgeSec } : {}),
  };
}

/**
 * Aggregates quotes per feed symbol over all chains and per (chain, symbol) (what `resolveMarket` uses), honouring
 * each quote's own `maxAgeSec` (rule R2). Pure: time comes in as `asOfSec`.
 * @example
 * const { prices } = aggregateFeeds(quotes, asOfSec);
 * prices.get(allChainsFeedKey("ETH"))?.priceUsd;
 * @see docs/oracles.md
 */
export function aggregateFeeds(
  quotes: readonly TimedQuote[],
  asOfSec: number,
  rules: AggregationRules = defaultAggregationRules,
): AggregatedFeeds {
  const groups = new Map<string, QuoteReading[]>();
  const push = (key: string, r: QuoteReading) => {
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  };
  quotes.forEach(({ quote: q, maxAgeSec }, i) => {
    const reading = quoteReadingOf(q, `$.quotes[${i}]`, maxAgeSec);
    const symbol = q.feed.slice(0, -"/USD".length);
    push(allChainsFeedKey(symbol), reading);
    push(chainFeedKey(q.chain, symbol), reading);
  });
  const prices = new Map<string, AggregatedPrice>();
  const flags: Flag[] = [];
  const perChainRules: AggregationRules = { ...rules, singleSourceBandRel: 0 };
  // All-chain keys sort first ("*" < letters), so each chain's feed can be held to its all-chain aggregate.
  for (const [key, readings] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const { chain, symbol } = parseFeedKey(key);
    const label = chain === undefined ? `${symbol}/USD` : `${symbol}/USD on ${chain}`;
    // R9 (one source alone) is a rule of the whole feed: a chain's own copy is bounded by the others (R8).
    const own = aggregateQuotes(label, readings, asOfSec, chain === undefined ? rules : perChainRules);
    const all = chain === undefined ? undefined : prices.get(allChainsFeedKey(symbol));
    const agg = all ? withinAllChains(own, all) : own;
    prices.set(key, agg);
    if (chain === undefined || readings.length > 1) for (const f of agg.flags) flags.push({ ...f, feed: symbol });
  }
  return { prices, flags };
}
