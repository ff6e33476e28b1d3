import { missingData } from "../../core/errors.js";
import { impliedVol } from "../../pricing/volSurface.js";
import type { ResolvedMarket, ResolvedUnderlying } from "./resolvedMarket.js";

/** The resolved state of an underlying; an underlying without a price is an error naming `path`, never spot 0. */
export function underlyingStateOf(market: ResolvedMarket, symbol: string, path = "$"): ResolvedUnderlying {
  const state = market.underlyings.get(symbol);
  if (!state)
    throw missingData(path, `no price for underlying ${symbol}`, `the snapshot needs a quote for feed ${symbol}/USD`);
  return state;
}

/** Spot price of an underlying, USD (see underlyingStateOf for a missing price). */
export function spotUsdOf(market: ResolvedMarket, symbol: string, path = "$"): number {
  return underlyingStateOf(market, symbol, path).spotUsd;
}

/**
 * Daily vol of an underlying's log-price: the snapshot's risk-factor vol when it has one, else the 30-day
 * at-the-money implied vol / sqrt(365), else `fallbackDaily` (a stated assumption, never 0). USD has none.
 */
export function underlyingVolDaily(market: ResolvedMarket, underlying: string, fallbackDaily: number): number {
  if (underlying === "USD") return 0;
  const rf = market.riskFactors;
  const f = rf ? rf.names.indexOf(underlying) : -1;
  const fromFactors = rf && f >= 0 ? rf.volsDaily[f] : undefined;
  if (fromFactors !== undefined) return fromFactors;
  const surface = market.volSurfaces.get(underlying);
  const spot = market.underlyings.get(underlying)?.spotUsd;
  if (surface && spot !== undefined) return impliedVol(surface, 30 / 365, spot) / Math.sqrt(365);
  return fallbackDaily;
}
