import type { ResolvedMarket } from "../margin/resolve/resolvedMarket.js";
import { findToken, tokenRepresentations } from "../market/tokenRegistry.js";
import { underlyings } from "../market/underlyings.js";
import type { AggregatedPrice } from "../oracles/aggregateQuotes.js";
import { scaleVolSurfaceDoc } from "../pricing/scaleVolSurfaceDoc.js";
import type { MarketSnapshot } from "../schema/marketSnapshot.js";
import { toDecimalString } from "./portfolioEdits.js";

/** Multipliers per underlying: `spotMult` 0.7 = spot -30%; `volMult` 1.2 = every implied vol x 1.2. */
export interface MarketMoves {
  spotMult?: Readonly<Record<string, number>>;
  volMult?: Readonly<Record<string, number>>;
}

/**
 * The underlying a quote feed follows: the symbol itself when it is an underlying ("ETH/USD"), else the underlying
 * of the token representation with that symbol ("stETH/USD" -> ETH), else undefined.
 */
export function feedUnderlying(feed: string, chain: string): string | undefined {
  const symbol = feed.slice(0, -"/USD".length);
  if (underlyings.has(symbol)) return symbol;
  return (findToken(chain, symbol) ?? tokenRepresentations.find((t) => t.symbol === symbol))?.underlying;
}

/**
 * Applies spot and vol moves to a validated snapshot, giving a new snapshot:
 * - spot: every quote of the underlying's feed, and of every token feed that follows it (stETH, wstETH, WBTC...), is
 *   multiplied, so token/underlying ratios are kept; confidences scale with the price. USD never moves.
 * - vol: every implied vol of the underlying's surface (sticky strike: strikes stay) and the underlying's daily vol in
 *   `riskFactors` (when present) are multiplied.
 * Quote times, rates, liquidity, chains and bridges are unchanged.
 */
export function applyMarketMoves(snapshot: MarketSnapshot, moves: MarketMoves): MarketSnapshot {
  const spot = moves.spotMult ?? {};
  const vol = moves.volMult ?? {};
  const quotes = snapshot.quotes.map((q) => {
    const u = feedUnderlying(q.feed, q.chain);
    const m = u === undefined || u === "USD" ? undefined : spot[u];
    if (m === undefined || m === 1) return q;
    return {
      ...q,
      price: toDecimalString(Number(q.price) * m),
      ...(q.confidence !== undefined ? { confidence: toDecimalString(Number(q.confidence) * m) } : {}),
    };
  });
  const volSurfaces = snapshot.volSurfaces.map((s) => {
    const m = vol[s.underlying];
    if (m === undefined || m === 1) return s;
    return scaleVolSurfaceDoc(s, m, toDecimalString);
  });
  const rf = snapshot.riskFactors;
  const riskFactors =
    rf === undefined
      ? undefined
      : {
          ...rf,
          factors: rf.factors.map((f) => {
            const m = vol[f.name];
            return m === undefined || m === 1 ? f : { ...f, volDaily: toDecimalString(Number(f.volDaily) * m) };
          }),
        };
  return { ...snapshot, quotes, volSurfaces, ...(riskFactors ? { riskFactors } : {}) };
}

/**
 * The spot moves of `applyMarketMoves` applied to an already resolved market, without a document round trip: the
 * underlying's spot and every aggregated token feed that follows it (price, uncertainty band, cross-chain spread)
 * scale by the multiplier. Aggregation commutes with a common scale (medians, bands and relative divergences scale
 * with the quotes), so this equals resolving the moved snapshot up to rounding. Vol surfaces are sticky strike and
 * rates, chains, bridges and depth do not move.
 */
export function moveResolvedMarket(market: ResolvedMarket, spotMult: Readonly<Record<string, number>>): ResolvedMarket {
  const underlyingStates = new Map(market.underlyings);
  for (const [u, m] of Object.entries(spotMult)) {
    const state = underlyingStates.get(u);
    if (!state || u === "USD" || m === 1) continue;
    underlyingStates.set(u, {
      ...state,
      spotUsd: state.spotUsd * m,
      ...(state.price ? { price: scaled(state.price, m) } : {}),
    });
  }
  const tokenPrices = new Map(market.tokenPrices);
  for (const [key, price] of market.tokenPrices) {
    const sep = key.indexOf(":");
    const chain = key.slice(0, sep);
    const u = feedUnderlying(`${key.slice(sep + 1)}/USD`, chain === "*" ? "" : chain);
    const m = u === undefined || u === "USD" ? undefined : spotMult[u];
    if (m !== undefined && m !== 1) tokenPrices.set(key, scaled(price, m));
  }
  return { ...market, underlyings: underlyingStates, tokenPrices };
}

function scaled(p: AggregatedPrice, m: number): AggregatedPrice {
  return {
    ...p,
    priceUsd: p.priceUsd * m,
    uncertaintyUsd: p.uncertaintyUsd * m,
    ...(p.crossChainSpreadUsd !== undefined ? { crossChainSpreadUsd: p.crossChainSpreadUsd * m } : {}),
  };
}
