import { missingData } from "../core/errors.js";
import type { Flag } from "../core/flags.js";

/** A quote reduced to numbers, as the aggregator needs it. */
export interface QuoteReading {
  source: string;
  chain: string;
  priceUsd: number;
  /** Half-width of the source's confidence interval, USD (0 when the source gives none). */
  confidenceUsd: number;
  publishedAtSec: number;
  /**
   * This source's own staleness limit, seconds (a Chainlink feed's heartbeat). When absent the rules' `maxAgeSec`
   * applies. See docs/oracles.md, rule R2.
   */
  maxAgeSec?: number;
}

export interface AggregationRules {
  /** A quote older than this at snapshot time is stale (unless the quote carries its own `maxAgeSec`). */
  maxAgeSec: number;
  /** Largest allowed relative distance of any fresh quote from the median before the feed is flagged divergent. */
  maxDivergenceRel: number;
  /** Largest allowed confidence half-width relative to price before the feed is flagged uncertain. */
  maxConfidenceRel: number;
  /**
   * Largest allowed spread between the per-chain medians of one feed, relative to the price, before the feed is flagged
   * as diverging across chains. Default 0.01 (see `defaultAggregationRules`).
   */
  maxCrossChainDivergenceRel?: number;
  /** A quote published more than this many seconds after the snapshot time is ignored. Default 60. */
  maxFutureSec?: number;
  /**
   * Cap on a quote's own `maxAgeSec`, seconds: a source cannot declare itself fresh for longer (a quote's
   * `maxAgeSec: 1e9` would make a two-day-old price fresh). Default 86,400, the longest Chainlink heartbeat.
   */
  maxHeartbeatSec?: number;
  /**
   * Smallest band of a price that only one valid quote backs, relative to the price (rule R9). Default 0.005, the
   * 0.5% deviation threshold of Chainlink's major feeds: a lone push feed may lag the market by that much before it
   * updates, and no second source bounds it. 0 turns the rule off.
   */
  singleSourceBandRel?: number;
}

/**
 * Defaults: one hour staleness (Chainlink's common heartbeat), 2% divergence, 2% confidence, 1% across chains (twice
 * the 0.5% deviation threshold of Chainlink's ETH/USD feed: two honest copies of a feed can each lag by that much in
 * opposite directions), 60 s of clock skew, a 0.5% band for a price that one source alone backs (R9).
 */
export const defaultAggregationRules: Readonly<AggregationRules> = {
  maxAgeSec: 3_600,
  maxDivergenceRel: 0.02,
  maxConfidenceRel: 0.02,
  maxCrossChainDivergenceRel: 0.01,
  maxFutureSec: 60,
  maxHeartbeatSec: 86_400,
  singleSourceBandRel: 0.005,
};

export interface AggregatedPrice {
  feed: string;
  priceUsd: number;
  /**
   * Half-width of the band the true price plausibly lies in, USD: the largest of the sources' confidence, twice the
   * distance of the farthest used quote (and chain median) from the median, and what lost sources leave (R7). Only
   * ever widened by bad data, never narrowed.
   */
  uncertaintyUsd: number;
  freshSources: number;
  totalSources: number;
  flags: Flag[];
  /** Largest distance of one chain's median from the price, USD (0 when the quotes come from one chain). */
  crossChainSpreadUsd?: number;
  /** Readings dropped because their price was not a finite number > 0. */
  rejectedSources?: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const pct = (rel: number) => `${(100 * rel).toFixed(2)}%`;

/** Classes of a valid quote at the snapshot time. */
export type QuoteState = "fresh" | "stale" | "future";

/** The staleness limit of one quote, seconds: its own `maxAgeSec` (else the rules'), capped at `maxHeartbeatSec`. */
export function quoteMaxAgeSec(q: Pick<QuoteReading, "maxAgeSec">, rules: AggregationRules): number {
  return Math.min(q.maxAgeSec ?? rules.maxAgeSec, rules.maxHeartbeatSec ?? Number.POSITIVE_INFINITY);
}

/** Whether a quote is fresh, stale or future-dated at `asOfSec` (rule R2). */
export function quoteStateOf(q: QuoteReading, asOfSec: number, rules: AggregationRules): QuoteState {
  if (q.publishedAtSec - asOfSec > (rules.maxFutureSec ?? 60)) return "future";
  return asOfSec - q.publishedAtSec <= quoteMaxAgeSec(q, rules) ? "fresh" : "stale";
}

/** A source's confidence half-width, USD; a non-finite one counts as the whole price. */
function confidenceOf(q: QuoteReading, priceUsd: number): number {
  return Number.isFinite(q.confidenceUsd) ? Math.max(0, q.confidenceUsd) : priceUsd;
}

/**
 * Aggregates the quotes of one feed at `asOfSec`. Rules (fail-safe; numbered as in docs/oracles.md):
 * - R1. A reading whose price is not a finite number > 0 is rejected (warning ORACLE_UNCERTAIN); if none is left
 *   the call throws MISSING_DATA, so a bad price can never become the price.
 * - R2. Fresh quotes (age <= the quote's own `maxAgeSec` capped at `maxHeartbeatSec`, else the rules' `maxAgeSec`)
 *   are used; the price is their median. A quote published more than `maxFutureSec` after `asOfSec` is future-dated:
 *   never used while another quote is, and flagged ORACLE_FUTURE_DATED (its own flag, not "stale").
 * - R3. If no quote is fresh, the median of all valid quotes is used and a critical ORACLE_STALE flag is raised (the
 *   margin models then add their stale add-on). Some stale of several: ORACLE_STALE (warning; the band keeps their prices, R7).
 * - R4. The uncertainty is at least twice the distance of the farthest used quote from the median: a source that
 *   moves pulls the median by at most half its move, and the band grows by more than the pull, so a diverging source
 *   cannot move the price in an account's favour for free (scenario risk scales with the price, so a band that only
 *   matched the pull would not be enough). Beyond maxDivergenceRel the feed is flagged ORACLE_DIVERGENT (warning).
 * - R5. Per-chain medians of the used quotes that spread by more than maxCrossChainDivergenceRel of the price raise
 *   ORACLE_DIVERGENT (warning, "across chains"); the uncertainty is at least twice the farthest chain median's
 *   distance.
 * - R6. A confidence wider than maxConfidenceRel raises ORACLE_UNCERTAIN; the uncertainty is at least the widest
 *   confidence.
 * - R7. Losing a source never narrows the band: every valid quote that is not used (stale, future-dated) keeps
 *   twice its distance from the price plus its own confidence in the uncertainty. The price may move to the sources
 *   left, but the band grows by more than the move.
 * - R9. A price that at most one fresh quote backs (the others missing from the snapshot, rejected, stale or
 *   future-dated) has a band of at least `singleSourceBandRel` of the price: no second source bounds it, so the band
 *   widens rather than vanishing when the others are lost, and the margin models charge the side of it worse for the
 *   account.
 */
export function aggregateQuotes(
  feed: string,
  quotes: readonly QuoteReading[],
  asOfSec: number,
  rules: AggregationRules = defaultAggregationRules,
): AggregatedPrice {
  if (quotes.length === 0) throw missingData("$.quotes", `${feed}: no quotes`);
  const flags: Flag[] = [];
  const valid = quotes.filter((q) => Number.isFinite(q.priceUsd) && q.priceUsd > 0);
  if (valid.length === 0) throw missingData("$.quotes", `${feed}: no quote with a price > 0`);
  if (valid.length < quotes.length) {
    flags.push({
      code: "ORACLE_UNCERTAIN",
      severity: "warning",
      message: `${feed}: ${quotes.length - valid.length} of ${quotes.length} sources rejected (price not > 0)`,
    });
  }
  const states = valid.map((q) => quoteStateOf(q, asOfSec, rules));
  const fresh = valid.filter((_, i) => states[i] === "fresh");
  const future = valid.filter((_, i) => states[i] === "future");
  const used = fresh.length > 0 ? fresh : [...valid];
  const unused = fresh.length > 0 ? valid.filter((_, i) => states[i] !== "fresh") : [];
  if (future.length > 0) {
    flags.push({
      code: "ORACLE_FUTURE_DATED",
      severity: fresh.length === 0 ? "critical" : "warning",
      message: `${feed}: ${future.length} of ${valid.length} sources published more than ${rules.maxFutureSec ?? 60}s after the snapshot time`,
    });
  }
  if (fresh.length === 0) {
    const newest = Math.max(...valid.map((q) => q.publishedAtSec));
    const limits = [...new Set(valid.map((q) => q.maxAgeSec ?? rules.maxAgeSec))].join("/");
    flags.push({
      code: "ORACLE_STALE",
      severity: "critical",
      message: `${feed}: no quote newer than ${limits}s (newest is ${Math.round(asOfSec - newest)}s old)`,
    });
  } else if (fresh.length < valid.length - future.length) {
    flags.push({
      code: "ORACLE_STALE",
      severity: "warning",
      message: `${feed}: ${valid.length - future.length - fresh.length} of ${valid.length} sources stale; their last prices widen the band`,
    });
  }
  const priceUsd = median(used.map((q) => q.priceUsd));
  let spreadUsd = 0;
  let confidenceUsd = 0;
  const byChain = new Map<string, number[]>();
  for (const q of used) {
    spreadUsd = Math.max(spreadUsd, Math.abs(q.priceUsd - priceUsd));
    confidenceUsd = Math.max(confidenceUsd, confidenceOf(q, priceUsd));
    const list = byChain.get(q.chain);
    if (list) list.push(q.priceUsd);
    else byChain.set(q.chain, [q.priceUsd]);
  }
  const divergent = spreadUsd > rules.maxDivergenceRel * priceUsd;
  if (divergent) {
    flags.push({
      code: "ORACLE_DIVERGENT",
      severity: "warning",
      message: `${feed}: sources diverge by ${pct(spreadUsd / priceUsd)} from the median`,
    });
  }
  let lostUsd = 0;
  for (const q of unused) lostUsd = Math.max(lostUsd, 2 * Math.abs(q.priceUsd - priceUsd) + confidenceOf(q, priceUsd));
  let crossChainSpreadUsd = 0;
  if (byChain.size > 1) {
    const chainMedians = [...byChain].map(([chain, prices]) => ({ chain, priceUsd: median(prices) }));
    chainMedians.sort((a, b) => a.priceUsd - b.priceUsd);
    const low = chainMedians[0]!;
    const high = chainMedians[chainMedians.length - 1]!;
    for (const c of chainMedians) crossChainSpreadUsd = Math.max(crossChainSpreadUsd, Math.abs(c.priceUsd - priceUsd));
    const limitRel = rules.maxCrossChainDivergenceRel ?? defaultAggregationRules.maxCrossChainDivergenceRel!;
    if (high.priceUsd - low.priceUsd > limitRel * priceUsd) {
      flags.push({
        code: "ORACLE_DIVERGENT",
        severity: "warning",
        message: `${feed}: chains diverge by ${pct((high.priceUsd - low.priceUsd) / priceUsd)} (${low.chain} ${low.priceUsd}, ${high.chain} ${high.priceUsd}; limit ${pct(limitRel)})`,
      });
    }
  }
  if (confidenceUsd > rules.maxConfidenceRel * priceUsd) {
    flags.push({
      code: "ORACLE_UNCERTAIN",
      severity: "warning",
      message: `${feed}: confidence interval ${pct(confidenceUsd / priceUsd)} of price`,
    });
  }
  // R9 counts fresh sources: a stale one keeps its place in the band (R7) but no longer bounds the price.
  const singleSourceUsd =
    fresh.length <= 1 ? (rules.singleSourceBandRel ?? defaultAggregationRules.singleSourceBandRel!) * priceUsd : 0;
  return {
    feed,
    priceUsd,
    uncertaintyUsd: Math.max(2 * spreadUsd, confidenceUsd, 2 * crossChainSpreadUsd, lostUsd, singleSourceUsd),
    freshSources: fresh.length,
    totalSources: quotes.length,
    flags,
    crossChainSpreadUsd,
    rejectedSources: quotes.length - valid.length,
  };
}
