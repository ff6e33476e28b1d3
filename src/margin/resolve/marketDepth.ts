import type { ResolvedLiquidity, ResolvedMarket } from "./resolvedMarket.js";

/** Depth assumed where the snapshot has none for a market (a thin market: only ever more cost). */
export interface MissingDepth {
  dailyVolumeUsd: number;
  halfSpreadBps: number;
  impactCoefficient: number;
}

/** The xchain model's thin-market defaults (docs/models/xchain.md), also the plans' and the cascade's. */
export const defaultMissingDepth: MissingDepth = { dailyVolumeUsd: 1_000_000, halfSpreadBps: 30, impactCoefficient: 1 };

/** A market's square-root impact parameters, resolved. */
export interface Depth {
  dailyVolumeUsd: number;
  halfSpreadRel: number;
  impactCoefficient: number;
  /** Daily log-return vol of what is traded (0 for USD). */
  volDaily: number;
  /** True when the snapshot had no entry and `MissingDepth` was used. */
  assumed: boolean;
}

/**
 * The snapshot's depth entry for trading `asset` (a token symbol, or an underlying for derivatives) on `chain`: the
 * exact (chain, asset) entry, else the (chain, underlying) entry. Never another token's depth: an LST is not as
 * liquid as the wrapped native token of its chain.
 */
export function findDepth(
  market: ResolvedMarket,
  chain: string,
  asset: string,
  underlying: string,
): ResolvedLiquidity | undefined {
  return (
    market.liquidity.find((l) => l.chain === chain && l.asset === asset) ??
    market.liquidity.find((l) => l.chain === chain && l.asset === underlying)
  );
}

/** Depth of a (chain, asset) market with `volDaily` as its vol; `missing` where the snapshot has no entry. */
export function depthFor(
  market: ResolvedMarket,
  chain: string,
  asset: string,
  underlying: string,
  missing: MissingDepth,
  volDaily: number,
): Depth {
  const d = findDepth(market, chain, asset, underlying);
  return {
    dailyVolumeUsd: d?.dailyVolumeUsd ?? missing.dailyVolumeUsd,
    halfSpreadRel: (d?.halfSpreadBps ?? missing.halfSpreadBps) / 10_000,
    impactCoefficient: d?.impactCoefficient ?? missing.impactCoefficient,
    volDaily: underlying === "USD" ? 0 : volDaily,
    assumed: d === undefined,
  };
}

/** Relative price impact of trading `notionalUsd` at once: k x sigma_daily x sqrt(Q / V). */
export function sqrtImpactRel(notionalUsd: number, depth: Depth): number {
  return depth.impactCoefficient * depth.volDaily * Math.sqrt(Math.abs(notionalUsd) / depth.dailyVolumeUsd);
}

/**
 * Cost of one fill against mid, USD: `signedNotionalUsd` (negative = sale) filled at the price after a log move of
 * `priceMoveLog`, less (sale) or plus (purchase) the half spread: Q x ((1 + sign(Q) h) exp(move) - 1). A sale into a
 * falling price costs at most what is sold (proceeds never below zero); a purchase against a falling price can gain.
 */
export function fillCostUsd(signedNotionalUsd: number, priceMoveLog: number, halfSpreadRel: number): number {
  if (signedNotionalUsd === 0) return 0;
  return signedNotionalUsd * ((1 + Math.sign(signedNotionalUsd) * halfSpreadRel) * Math.exp(priceMoveLog) - 1);
}

/**
 * Largest log price move one execution is taken to cause (a 4.9e8-fold rise for a purchase). It only keeps the
 * cost of absurd sizes finite (exp overflows past ~709): the capped cost is still many times the book's value, so
 * the cap never lowers margin below what any real market would charge.
 */
export const MAX_IMPACT_LOG = 20;

/**
 * Cost of executing a signed notional at once against mid, USD, the one execution-cost formula of the engine (xchain
 * liquidity add-on, plans, rebalancing, cascade, backtest). Square-root impact I = k x sigma_daily x sqrt(|Q| / V)
 * moves the price by exp(-I) for a sale (exp(+I) for a purchase); the whole order fills at that moved price (fillCostUsd):
 * - sale (Q < 0): cost = |Q| x (1 - (1 - h) exp(-I)), always in [0, |Q|]: proceeds never go below zero;
 * - purchase (Q > 0): cost = Q x ((1 + h) exp(I) - 1), unbounded like the price of what is bought back.
 * For small I both are Q x (h + I), the textbook square-root cost.
 */
export function executionCostUsd(signedNotionalUsd: number, depth: Depth): number {
  const move = Math.sign(signedNotionalUsd) * Math.min(sqrtImpactRel(signedNotionalUsd, depth), MAX_IMPACT_LOG);
  return fillCostUsd(signedNotionalUsd, move, depth.halfSpreadRel);
}
