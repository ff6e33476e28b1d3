import type { MarginReport } from "../margin/report.js";
import type { ResolvedMarket } from "../margin/resolve/resolvedMarket.js";
import { resolveMarket } from "../margin/resolve/resolveMarket.js";
import type { AnyMarginConfig } from "../margin/resolveConfig.js";
import type { MarketSnapshot } from "../schema/marketSnapshot.js";
import type { Portfolio } from "../schema/portfolio.js";
import { type ActionContext, planItems } from "./actions.js";
import type { BridgePolicy } from "./bridgePolicy.js";
import { evaluateMargin } from "./evaluateMargin.js";
import type { MissingDepth } from "./marketData.js";
import { pinPortfolio } from "./portfolioEdits.js";

/** Where every plan (liquidation or rebalancing) starts from. */
export interface PlanStart {
  market: ResolvedMarket;
  /** The portfolio with entry prices pinned, so that edits value consistently. */
  start: Portfolio;
  before: MarginReport;
  ctx: ActionContext;
  /** Units of each item at the start, by item id: steps are sized as fractions of these. */
  startUnits: Map<string, number>;
  /** The chains the account is on, sorted: the candidate bridge destinations. */
  chains: string[];
}

/** Resolves the market once, pins the portfolio, margins it and sets up the plan's trading context. */
export function startPlan(
  portfolioDoc: Portfolio,
  snapshot: MarketSnapshot,
  config: AnyMarginConfig,
  trading: { missingDepth: MissingDepth; fallbackVolDaily: number; bridge: BridgePolicy },
): PlanStart {
  const market = resolveMarket(snapshot);
  const start = pinPortfolio(portfolioDoc, market);
  const before = evaluateMargin(start, snapshot, config);
  const ctx: ActionContext = { snapshot, market, ...trading, tradedUsd: new Map() };
  const startItems = planItems(start, market);
  return {
    market,
    start,
    before,
    ctx,
    startUnits: new Map(startItems.map((pi) => [pi.item.id, pi.units])),
    chains: [...new Set(startItems.map((pi) => pi.item.chain))].sort(),
  };
}
