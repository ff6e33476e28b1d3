import type { Flag } from "../core/flags.js";

/** A quote reduced to numbers, as the aggregator needs it. */
export interface QuoteReading {
  source: string;
  chain: string;
  priceUsd: number;
  /** Half-width of the source's confidence interval, USD (0 when the source gives none). */
  confidenceUsd: number;
  publishedAtSec: number;
}

export interface AggregationRules {
  /** A quote older than this at snapshot time is stale. */
  maxAgeSec: number;
  /** Largest allowed relative distance of any fresh quote from the median before the feed is flagged divergent. */
  maxDivergenceRel: number;
  /** Largest allowed confidence half-width relative to price before the feed is flagged uncertain. */
  maxConfidenceRel: number;
}

/** Defaults: one hour staleness (Chainlink's common heartbeat), 2% divergence, 2% confidence. */
export const defaultAggregationRules: Readonly<AggregationRules> = {
  maxAgeSec: 3_600,
  maxDivergenceRel: 0.02,
  maxConfidenceRel: 0.02,
};

export interface AggregatedPrice {
  feed: string;
  priceUsd: number;
  /**
   * Half-width of the band the true price plausibly lies in, USD: the largest of the sources' confidence and the
   * distance of the farthest fresh quote from the median. Only ever widened by bad data, never narrowed.
   */
  uncertaintyUsd: number;
  freshSources: number;
  totalSources: number;
  flags: Flag[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Aggregates the quotes of one feed at `asOfSec`. Rules (fail-safe):
 * 1. Fresh quotes (age <= maxAgeSec, not from the future beyond 60 s) are used; the price is their median.
 * 2. If no quote is fresh, the median of all quotes is used and a critical ORACLE_STALE flag is raised.
 * 3. Any fresh quote farther than maxDivergenceRel from the median raises ORACLE_DIVERGENT (warning) and widens the
 *    uncertainty to that distance.
 * 4. A confidence wider than maxConfidenceRel raises ORACLE_UNCERTAIN.
 */
export function aggregateQuotes(
  feed: string,
  quotes: readonly QuoteReading[],
  asOfSec: number,
  rules: AggregationRules = defaultAggregationRules,
): AggregatedPrice {
  if (quotes.length === 0) throw new RangeError(`aggregateQuotes(${feed}): no quotes`);
  const flags: Flag[] = [];
  const fresh = quotes.filter((q) => asOfSec - q.publishedAtSec <= rules.maxAgeSec && q.publishedAtSec - asOfSec <= 60);
  const used = fresh.length > 0 ? fresh : [...quotes];
  if (fresh.length === 0) {
    const newest = Math.max(...quotes.map((q) => q.publishedAtSec));
    flags.push({
      code: "ORACLE_STALE",
      severity: "critical",
      message: `${feed}: no quote newer than ${rules.maxAgeSec}s (newest is ${Math.round(asOfSec - newest)}s old)`,
    });
  } else if (fresh.length < quotes.length) {
    flags.push({
      code: "ORACLE_STALE",
      severity: "info",
      message: `${feed}: ${quotes.length - fresh.length} of ${quotes.length} sources stale and ignored`,
    });
  }
  const priceUsd = median(used.map((q) => q.priceUsd));
  let spreadUsd = 0;
  let confidenceUsd = 0;
  for (const q of used) {
    spreadUsd = Math.max(spreadUsd, Math.abs(q.priceUsd - priceUsd));
    confidenceUsd = Math.max(confidenceUsd, q.confidenceUsd);
  }
  if (spreadUsd > rules.maxDivergenceRel * priceUsd) {
    flags.push({
      code: "ORACLE_DIVERGENT",
      severity: "warning",
      message: `${feed}: sources diverge by ${((100 * spreadUsd) / priceUsd).toFixed(2)}% from the median`,
    });
  }
  if (confidenceUsd > rules.maxConfidenceRel * priceUsd) {
    flags.push({
      code: "ORACLE_UNCERTAIN",
      severity: "warning",
      message: `${feed}: confidence interval ${((100 * confidenceUsd) / priceUsd).toFixed(2)}% of price`,
    });
  }
  return {
    feed,
    priceUsd,
    uncertaintyUsd: Math.max(spreadUsd, confidenceUsd),
    freshSources: fresh.length,
    totalSources: quotes.length,
    flags,
  };
}
