import { formatDecimal, parseDecimal } from "../core/decimal.js";
import { quoteReadingOf } from "../oracles/aggregateFeeds.js";
import { defaultAggregationRules, quoteMaxAgeSec, quoteStateOf } from "../oracles/aggregateQuotes.js";
import { allChainsFeedKey } from "../oracles/feedKey.js";
import { impliedVol } from "../pricing/volSurface.js";
import type { MarketOraclesJson, VolSurfacesJson } from "./dashboardSchemas.js";
import type { MarketTick } from "./liveMarket.js";

/** Strikes of a sampled smile, as multiples of spot: 50% to 160% in 2.5% steps. */
const SMILE_MIN_MULT = 0.5;
const SMILE_STEP_MULT = 0.025;
const SMILE_POINTS = 45;

/**
 * Every quote of a tick's snapshot beside its feed's aggregated all-chain price: age, staleness limit and state by
 * the aggregator's own rule (R2, the service's default rules), and the relative deviation from the aggregate.
 */
export function oraclesView(tick: MarketTick): MarketOraclesJson {
  const asOfSec = tick.market.asOfSec;
  const rules = defaultAggregationRules;
  const bySymbol = new Map<string, MarketOraclesJson["feeds"][number]["quotes"]>();
  tick.snapshot.quotes.forEach((q, i) => {
    const symbol = q.feed.slice(0, -"/USD".length);
    const path = `$.quotes[${i}]`;
    const maxAgeSec = q.maxAgeSec === undefined ? undefined : parseDecimal(q.maxAgeSec, `${path}.maxAgeSec`);
    const reading = quoteReadingOf(q, path, maxAgeSec);
    const priceUsd = reading.priceUsd;
    const agg = tick.market.tokenPrices.get(allChainsFeedKey(symbol));
    const list = bySymbol.get(symbol) ?? [];
    list.push({
      source: q.source,
      chain: q.chain,
      price: q.price,
      confidence: q.confidence ?? null,
      publishedAt: q.publishedAt,
      ageSeconds: asOfSec - reading.publishedAtSec,
      maxAgeSeconds: quoteMaxAgeSec(reading, rules),
      state: quoteStateOf(reading, asOfSec, rules),
      deviationRel: agg ? formatDecimal((priceUsd - agg.priceUsd) / agg.priceUsd, 8) : null,
    });
    bySymbol.set(symbol, list);
  });
  const feeds = [...bySymbol]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([symbol, quotes]) => {
      const agg = tick.market.tokenPrices.get(allChainsFeedKey(symbol));
      return {
        symbol,
        price: agg ? formatDecimal(agg.priceUsd, 10) : null,
        uncertainty: agg ? formatDecimal(agg.uncertaintyUsd, 6) : null,
        crossChainSpread: agg?.crossChainSpreadUsd === undefined ? null : formatDecimal(agg.crossChainSpreadUsd, 6),
        quotes: quotes.sort((a, b) => a.chain.localeCompare(b.chain) || a.source.localeCompare(b.source)),
        flags: agg?.flags ?? [],
      };
    });
  return { seq: tick.seq, asOf: tick.asOf, feeds };
}

/** Each vol surface of a tick, its smiles sampled by the pricing engine's own `impliedVol` on one strike grid. */
export function volSurfacesView(tick: MarketTick): VolSurfacesJson {
  const surfaces = [...tick.market.volSurfaces]
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([underlying, surface]) => {
      const spotUsd = tick.market.underlyings.get(underlying)?.spotUsd;
      // A surface without a live spot has no strike grid to sample; the page lists no chart rather than a wrong one.
      if (spotUsd === undefined) return [];
      const strikesUsd = Array.from(
        { length: SMILE_POINTS },
        (_, i) => spotUsd * (SMILE_MIN_MULT + i * SMILE_STEP_MULT),
      );
      return [
        {
          underlying,
          kind: surface.kind === "svi" ? ("svi" as const) : ("grid" as const),
          spot: formatDecimal(spotUsd, 10),
          strikes: strikesUsd.map((k) => formatDecimal(k, 6)),
          smiles: surface.expiries.map((e) => ({
            expiry: e.expiryIso ?? null,
            years: formatDecimal(e.years, 8),
            vols: strikesUsd.map((k) => formatDecimal(impliedVol(surface, e.years, k), 8)),
          })),
        },
      ];
    });
  return { seq: tick.seq, asOf: tick.asOf, surfaces };
}
