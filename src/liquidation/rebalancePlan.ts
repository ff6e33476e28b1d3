import { z } from "zod";
import type { MarginReport } from "../margin/report.js";
import { chainFinalitySec } from "../margin/resolve/chainFacts.js";
import { defaultMissingDepth } from "../margin/resolve/marketDepth.js";
import type { AnyMarginConfig } from "../margin/resolveConfig.js";
import type { MarketSnapshot } from "../schema/marketSnapshot.js";
import type { Portfolio } from "../schema/portfolio.js";
import { bridgePolicySchema } from "./bridgePolicy.js";
import { type AccountInput, parseAccountInput, parseParams } from "./inputs.js";
import { applyAction, bridgeActions, planItems } from "./plan/actions.js";
import { type InTransit, inTransitOf } from "./plan/inTransit.js";
import { addsNoRisk, riskOf } from "./plan/noAddedRisk.js";
import { defaultOptionExecution, startPlan } from "./plan/planStart.js";
import { type PlanState, writePortfolio } from "./plan/planState.js";

/** Rebalancing parameters (plain JSON numbers, like a MarginConfig). */
export const rebalanceParamsSchema = z
  .object({
    /** Size of each move, as a fraction of the holding at the start (0.1 = 10% at a time). */
    stepFraction: z.number().gt(0).max(1).default(0.1),
    /** Most moves. */
    maxMoves: z.number().int().min(1).max(1000).default(50),
    /** A move must gain at least this much free collateral per USD moved (after its fee). */
    minGainPerUsd: z.number().min(0).default(0.0005),
    /** A move may not raise IM or MM by more than this, USD. */
    riskToleranceUsd: z.number().min(0).default(0.01),
    bridge: bridgePolicySchema.prefault({}),
  })
  .strict();

export type RebalanceParams = z.infer<typeof rebalanceParamsSchema>;

export interface RebalanceMove {
  order: number;
  itemId: string;
  label: string;
  token: string;
  fromChain: string;
  toChain: string;
  units: number;
  notionalUsd: number;
  feeUsd: number;
  route: { name: string | undefined; latencySec: number; costBps: number };
  /** Free collateral gained per USD moved (net of the fee). */
  gainPerUsd: number;
  initialMarginAfterUsd: number;
  freeCollateralAfterUsd: number;
  healthAfter: number | null;
  /**
   * The account while the funds are in transit (for `route.latencySec` + the destination's finality): neither chain
   * has them. `worseInTransit` says the move leaves the account worse off than before it during that time.
   */
  inTransit: InTransit;
}

export interface RebalancePlan {
  accountId: string;
  model: string;
  moves: RebalanceMove[];
  totalMovedUsd: number;
  totalFeesUsd: number;
  /** IM before - IM after, USD. */
  initialMarginReductionUsd: number;
  /** Latest bridge completion (latency + destination finality) of the moves, seconds. */
  completionSec: number;
  before: MarginReport;
  after: MarginReport;
  portfolio: Portfolio;
}

/**
 * Proactive rebalancing of validated documents: greedy collateral moves between the account's chains over the
 * policy's bridge routes. Each move is the one that gains the most free collateral per USD moved (for the xchain
 * model: the fall of the cross-chain requirement net of the bridge fee; for cross: the pool deficit covered); moves
 * that raise IM or MM or lower health are not taken. It stops when no move gains `minGainPerUsd`.
 * @see docs/liquidation.md
 */
export function planRebalanceOf(
  portfolioDoc: Portfolio,
  snapshot: MarketSnapshot,
  config: AnyMarginConfig,
  params: RebalanceParams,
): RebalancePlan {
  const {
    market,
    state: start,
    before,
    ctx,
    startUnits,
    chains,
    evaluate,
  } = startPlan(portfolioDoc, snapshot, config, {
    missingDepth: defaultMissingDepth,
    fallbackVolDaily: 0.05,
    bridge: params.bridge,
    ...defaultOptionExecution,
  });
  let state: PlanState = start;
  let report = before;
  const moves: RebalanceMove[] = [];
  for (let k = 0; k < params.maxMoves; k++) {
    let best: { move: RebalanceMove; state: PlanState; report: MarginReport } | undefined;
    for (const pi of planItems(state)) {
      if (pi.item.source !== "holding" || pi.units <= 1e-12) continue;
      const chunk = Math.min(pi.units, params.stepFraction * (startUnits.get(pi.item.id) ?? pi.units));
      for (const action of bridgeActions(ctx, pi, chains, chunk)) {
        const applied = applyAction(ctx, state, pi, action);
        const r = evaluate(applied.state);
        if (!addsNoRisk(riskOf(report), riskOf(r), params.riskToleranceUsd)) continue;
        const gainPerUsd = (r.freeCollateralUsd - report.freeCollateralUsd) / applied.notionalUsd;
        if (!(gainPerUsd > params.minGainPerUsd)) continue;
        if (best && gainPerUsd <= best.move.gainPerUsd) continue;
        const route = action.route!;
        best = {
          state: applied.state,
          report: r,
          move: {
            order: moves.length + 1,
            itemId: action.itemId,
            label: action.label,
            token: action.token ?? "",
            fromChain: action.chain,
            toChain: route.to,
            units: action.units,
            notionalUsd: applied.notionalUsd,
            feeUsd: applied.costUsd,
            route: { name: route.name, latencySec: route.latencySec, costBps: route.costBps },
            gainPerUsd,
            initialMarginAfterUsd: r.initialMarginUsd,
            freeCollateralAfterUsd: r.freeCollateralUsd,
            healthAfter: r.healthRatio,
            inTransit: inTransitOf(evaluate(applied.inTransit!), report, applied.readyAfterSec),
          },
        };
      }
    }
    if (!best) break;
    moves.push(best.move);
    state = best.state;
    report = best.report;
  }
  return {
    accountId: before.accountId,
    model: before.model,
    moves,
    totalMovedUsd: moves.reduce((s, m) => s + m.notionalUsd, 0),
    totalFeesUsd: moves.reduce((s, m) => s + m.feeUsd, 0),
    initialMarginReductionUsd: before.initialMarginUsd - report.initialMarginUsd,
    completionSec: moves.reduce((t, m) => Math.max(t, m.route.latencySec + chainFinalitySec(market, m.toChain)), 0),
    before,
    after: report,
    portfolio: writePortfolio(state),
  };
}

export interface RebalanceInput extends AccountInput {
  /** Rebalancing parameters (rebalanceParamsSchema); omitted fields take the defaults. */
  params?: unknown;
}

/**
 * Validates the documents and plans collateral moves between chains. The default model is `xchain`, the one whose
 * requirement depends on where collateral sits.
 * @example
 * const plan = planRebalance({ portfolio, market });
 * for (const m of plan.moves) console.log(m.fromChain, "->", m.toChain, m.notionalUsd, m.initialMarginAfterUsd);
 * @see docs/liquidation.md
 */
export function planRebalance(input: RebalanceInput): RebalancePlan {
  const docs = parseAccountInput(input, "xchain");
  const params = parseParams(rebalanceParamsSchema, input.params, "RebalanceParams");
  return planRebalanceOf(docs.portfolio, docs.market, docs.config, params);
}
