import type { z } from "zod";
import type { MarginReport } from "../margin/report.js";
import type { AnyMarginConfig } from "../margin/resolveConfig.js";
import type { MarketSnapshot } from "../schema/marketSnapshot.js";
import type { Portfolio } from "../schema/portfolio.js";

/** Change of one chain's or underlying's figures, after - before. */
export interface GroupChange {
  key: string;
  initialMarginBeforeUsd: number;
  initialMarginAfterUsd: number;
  initialMarginChangeUsd: number;
  equityChangeUsd: number;
}

/** after - before of two reports of one account. */
export interface ReportDiff {
  equityUsd: number;
  initialMarginUsd: number;
  maintenanceMarginUsd: number;
  freeCollateralUsd: number;
  /** null when either report has no health ratio. */
  healthRatio: number | null;
  byChain: GroupChange[];
  byUnderlying: GroupChange[];
}

export interface WhatIfOutcome {
  before: MarginReport;
  after: MarginReport;
  diff: ReportDiff;
  /** The portfolio after the changes. */
  portfolio: Portfolio;
}

/**
 * Simulates hypothetical trades, deposits, withdrawals and price moves on a portfolio. The service binds it to
 * src/liquidation's `whatIfOf` (src/service/liquidationEngines.ts); any other implementation can be bound instead.
 */
export interface WhatIfEngine {
  /** Schema of the what-if document (`whatIf` in `POST /v1/whatif`); also published in the OpenAPI document. */
  readonly whatIfSchema: z.ZodType;
  /** Applies a what-if document already validated by `whatIfSchema`. Throws XmarginError with a path in it. */
  simulate(portfolio: Portfolio, snapshot: MarketSnapshot, config: AnyMarginConfig, whatIf: unknown): WhatIfOutcome;
}

/** Which bridge routes a plan may use. */
export interface BridgeLimits {
  maxLatencySec: number;
  /** Route names (the snapshot's `bridges[].name`) that must not be used. */
  excludeRoutes: string[];
}

/** A proposed plan, engine-neutral: what to do and where it leaves the account. */
export interface PlanProposal {
  kind: "rebalance" | "liquidation";
  /** Engine outcome, e.g. "proposed", "no-action", "restored", "impossible", "not-needed". */
  status: string;
  message: string;
  /** The steps in order, as JSON-able objects (moves, reductions, sales, bridges). */
  steps: Array<Record<string, unknown>>;
  /** Sum of the steps' fees and unwind costs, USD. */
  totalCostUsd: number;
  /** Seconds until every step is final. */
  completionSec: number;
  after: MarginReport;
  /** The portfolio once every step is done. */
  portfolio: Portfolio;
}

/**
 * Computes rebalancing and liquidation plans. Bound to src/liquidation's `planRebalanceOf` and `planLiquidationOf`
 * (src/service/liquidationEngines.ts).
 */
export interface PlanEngine {
  rebalance(
    portfolio: Portfolio,
    snapshot: MarketSnapshot,
    config: AnyMarginConfig,
    bridge: BridgeLimits,
  ): PlanProposal;
  liquidate(
    portfolio: Portfolio,
    snapshot: MarketSnapshot,
    config: AnyMarginConfig,
    bridge: BridgeLimits,
  ): PlanProposal;
}
