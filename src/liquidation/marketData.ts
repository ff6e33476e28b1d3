import type { ResolvedLiquidity, ResolvedMarket } from "../margin/resolve/resolvedMarket.js";
import { tokenRepresentations } from "../market/tokenRegistry.js";
import { impliedVol } from "../pricing/volSurface.js";

/** Depth used where the snapshot has none for a market (the xchain model's thin-market defaults). */
export interface MissingDepth {
  dailyVolumeUsd: number;
  halfSpreadBps: number;
  impactCoefficient: number;
}

export const defaultMissingDepth: MissingDepth = { dailyVolumeUsd: 1_000_000, halfSpreadBps: 30, impactCoefficient: 1 };

/**
 * Daily vol of an underlying's log-price: the snapshot's risk-factor vol when it has one, else the 30-day
 * at-the-money implied vol / sqrt(365), else `fallbackDaily`.
 */
export function underlyingVolDaily(market: ResolvedMarket, underlying: string, fallbackDaily: number): number {
  const rf = market.riskFactors;
  const f = rf ? rf.names.indexOf(underlying) : -1;
  if (rf && f >= 0) return rf.volsDaily[f] ?? fallbackDaily;
  const surface = market.volSurfaces.get(underlying);
  const spot = market.underlyings.get(underlying)?.spotUsd;
  if (surface && spot !== undefined) return impliedVol(surface, 30 / 365, spot) / Math.sqrt(365);
  return fallbackDaily;
}

/**
 * Market depth for trading `asset` (a token symbol or an underlying) on `chain`: the exact entry, else the
 * underlying's entry, else the deepest entry of any token of that underlying on the chain (ETH -> WETH).
 */
export function findDepth(
  market: ResolvedMarket,
  chain: string,
  asset: string,
  underlying: string,
): ResolvedLiquidity | undefined {
  const exact = market.liquidity.find((l) => l.chain === chain && l.asset === asset);
  if (exact) return exact;
  const byUnderlying = market.liquidity.find((l) => l.chain === chain && l.asset === underlying);
  if (byUnderlying) return byUnderlying;
  const symbols = new Set(
    tokenRepresentations.filter((t) => t.chain === chain && t.underlying === underlying).map((t) => t.symbol),
  );
  const candidates = market.liquidity.filter((l) => l.chain === chain && symbols.has(l.asset));
  return candidates.sort((a, b) => b.dailyVolumeUsd - a.dailyVolumeUsd)[0];
}

/** A market's square-root impact parameters, resolved. */
export interface Depth {
  dailyVolumeUsd: number;
  halfSpreadRel: number;
  impactCoefficient: number;
  volDaily: number;
  /** True when the snapshot had no entry and `MissingDepth` was used. */
  assumed: boolean;
}

export function depthFor(
  market: ResolvedMarket,
  chain: string,
  asset: string,
  underlying: string,
  missing: MissingDepth,
  fallbackVolDaily: number,
): Depth {
  const d = findDepth(market, chain, asset, underlying);
  return {
    dailyVolumeUsd: d?.dailyVolumeUsd ?? missing.dailyVolumeUsd,
    halfSpreadRel: (d?.halfSpreadBps ?? missing.halfSpreadBps) / 10_000,
    impactCoefficient: d?.impactCoefficient ?? missing.impactCoefficient,
    volDaily: underlying === "USD" ? 0 : underlyingVolDaily(market, underlying, fallbackVolDaily),
    assumed: d === undefined,
  };
}

/**
 * Cost of trading `notionalUsd` at once, square-root model (as the xchain liquidity add-on):
 * cost = Q x (half spread + k x sigma_daily x sqrt(Q / V)).
 */
export function sqrtImpactCostUsd(notionalUsd: number, depth: Depth): number {
  const q = Math.abs(notionalUsd);
  if (q === 0) return 0;
  return q * (depth.halfSpreadRel + depth.impactCoefficient * depth.volDaily * Math.sqrt(q / depth.dailyVolumeUsd));
}

/** Relative price impact of trading `notionalUsd`: k x sigma_daily x sqrt(Q / V). */
export function sqrtImpactRel(notionalUsd: number, depth: Depth): number {
  return depth.impactCoefficient * depth.volDaily * Math.sqrt(Math.abs(notionalUsd) / depth.dailyVolumeUsd);
}
