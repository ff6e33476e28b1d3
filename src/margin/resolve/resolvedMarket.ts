import type { Flag } from "../../core/flags.js";
import type { ChainProfile } from "../../market/chainProfile.js";
import type { AggregatedPrice } from "../../oracles/aggregateQuotes.js";
import type { UnderlyingState } from "../../pricing/types.js";
import type { VolSurface } from "../../pricing/volSurface.js";

export interface ResolvedUnderlying extends UnderlyingState {
  symbol: string;
  /** Aggregated oracle price; undefined for the numeraire (USD). */
  price?: AggregatedPrice;
}

export interface ResolvedBridgeRoute {
  from: string;
  to: string;
  latencySec: number;
  costBps: number;
}

export interface ResolvedLiquidity {
  chain: string;
  asset: string;
  dailyVolumeUsd: number;
  halfSpreadBps: number;
  impactCoefficient: number;
}

/** Risk-factor vols and correlations from the snapshot (absent when the snapshot has none). */
export interface ResolvedRiskFactors {
  source: string;
  names: string[];
  volsDaily: Float64Array;
  /** Current daily vols before the anti-procyclicality floor (backtesting only); volsDaily where the snapshot has none. */
  backtestVolsDaily: Float64Array;
  /** Per factor, its standardised-residual quantiles (schema `residualQuantiles`), or undefined. */
  residualQuantiles: (Float64Array | undefined)[];
  /** Per factor, an implied-vol factor's estimated move response (schema `moveResponse`), NaN where absent. */
  moveResponse: Float64Array;
  /** Row-major correlation matrix, names.length squared. */
  correlation: Float64Array;
}

/** A market snapshot turned into numbers once per report: prices aggregated, surfaces parsed, profiles merged. */
export interface ResolvedMarket {
  asOfSec: number;
  asOf: string;
  underlyings: Map<string, ResolvedUnderlying>;
  /** Aggregated token feeds by feed symbol and chain: key `${chain}:${symbol}`; `*:${symbol}` is all chains. */
  tokenPrices: Map<string, AggregatedPrice>;
  volSurfaces: Map<string, VolSurface>;
  chains: Map<string, ChainProfile>;
  bridges: ResolvedBridgeRoute[];
  liquidity: ResolvedLiquidity[];
  riskFactors?: ResolvedRiskFactors;
  flags: Flag[];
}
