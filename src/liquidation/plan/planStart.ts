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
import { type RiskSnapshot, riskOf } from "./noAddedRisk.js";
import { evaluateState, type PlanState, planStateOf, unitsOf } from "./planState.js";
import { defaultStressMovesRel, stressLossesUsd, stressScenarios } from "./stressLosses.js";

/** How a plan trades: depth where the snapshot has none, vol fallback, bridge routes, option execution. */
export interface TradingAssumptions {
  missingDepth: MissingDepth;
  fallbackVolDaily: number;
  bridge: BridgePolicy;
  /** Half spread of an option's premium, relative (0.02 = 2% of the premium). */
  optionHalfSpreadRel: number;
  /** Implied-vol move a buy-back (sale) pushes against itself, absolute (0.01 = one vol point), paid on vega. */
  optionVolImpact: number;
}

/** xmargin's assumptions for closing options: 2% of the premium as half spread, one vol point against on vega. */
export const defaultOptionExecution = { optionHalfSpreadRel: 0.02, optionVolImpact: 0.01 } as const;

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
  /** The risk figures of a state and its report, with its stress losses (the plan's fixed scenarios). */
  riskOfState: (state: PlanState, report: MarginReport) => RiskSnapshot;
}

/** Resolves the market and the pinned portfolio once, margins it and sets up the plan's trading context. */
export function startPlan(
  portfolioDoc: Portfolio,
  snapshot: MarketSnapshot,
  config: AnyMarginConfig,
  trading: TradingAssumptions,
  stressMovesRel: readonly number[] = defaultStressMovesRel,
): PlanStart {
  const market = resolveMarket(snapshot);
  const state = planStateOf(pinPortfolio(portfolioDoc, market), market);
  const evaluate = (s: PlanState) => evaluateState(s, market, config);
  const ctx: ActionContext = { snapshot, market, ...trading, tradedUsd: new Map() };
  const items = state.resolved.items;
  const scenarios = stressScenarios(items, stressMovesRel);
  return {
    market,
    state,
    before: evaluate(state),
    ctx,
    startUnits: new Map(items.map((it) => [it.id, unitsOf(it)])),
    chains: [...new Set(items.map((it) => it.chain))].sort(),
    evaluate,
    riskOfState: (s, report) => riskOf(report, stressLossesUsd(s.resolved.items, market, scenarios)),
  };
}
