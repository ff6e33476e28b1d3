import type { MarginReport } from "../../margin/report.js";
import type { MissingDepth } from "../../margin/resolve/marketDepth.js";
import type { ResolvedMarket } from "../../margin/resolve/resolvedMarket.js";
import { resolveMarket } from "../../margin/resolve/resolveMarket.js";
import type { AnyMarginConfig } from "../../margin/resolveConfig.js";
import type { MarketSnapshot } from "../../schema/marketSnapshot.js";
import type { Portfolio } from "../../schema/portfolio.js";
import type { BridgePolicy } from "../bridgePolicy.js";
import { pinPortfolio } from "../portfolioEdits.js";
import type { ActionContext } from "./actions.js";
import { evaluateState, type PlanState, planStateOf, unitsOf } from "./planState.js";

/** Where every plan (liquidation or rebalancing) starts from. */
export interface PlanStart {
  market: ResolvedMarket;
  /** The portfolio with entry prices pinned, resolved once: every edit works on its items. */
  state: PlanState;
  before: MarginReport;
  ctx: ActionContext;
  /** Units of each item at the start, by item id: steps are sized as fractions of these. */
  startUnits: Map<string, number>;
  /** The chains the account is on, sorted: the candidate bridge destinations. */
  chains: string[];
  /** The configured model on a state, at the plan's fixed market. */
  evaluate: (state: PlanState) => MarginReport;
}

/** Resolves the market and the pinned portfolio once, margins it and sets up the plan's trading context. */
export function startPlan(
  portfolioDoc: Portfolio,
  snapshot: MarketSnapshot,
  config: AnyMarginConfig,
  trading: { missingDepth: MissingDepth; fallbackVolDaily: number; bridge: BridgePolicy },
): PlanStart {
  const market = resolveMarket(snapshot);
  const state = planStateOf(pinPortfolio(portfolioDoc, market), market);
  const evaluate = (s: PlanState) => evaluateState(s, market, config);
  const ctx: ActionContext = { snapshot, market, ...trading, tradedUsd: new Map() };
  const items = state.resolved.items;
  return {
    market,
    state,
    before: evaluate(state),
    ctx,
    startUnits: new Map(items.map((it) => [it.id, unitsOf(it)])),
    chains: [...new Set(items.map((it) => it.chain))].sort(),
    evaluate,
  };
}
