import { z } from "zod";
import type { MarginReport } from "../margin/report.js";
import { defaultMissingDepth } from "../margin/resolve/marketDepth.js";
import type { AnyMarginConfig } from "../margin/resolveConfig.js";
import type { MarketSnapshot } from "../schema/marketSnapshot.js";
import type { Portfolio } from "../schema/portfolio.js";
import { bridgePolicySchema } from "./bridgePolicy.js";
import { isLiquidatable } from "./evaluateMargin.js";
import { type AccountInput, parseAccountInput, parseParams } from "./inputs.js";
import { applyAction, type PlanItem, planItems, recordAction } from "./plan/actions.js";
import { candidateActions } from "./plan/candidates.js";
import { fullUnwind } from "./plan/fullUnwind.js";
import { inTransitOf } from "./plan/inTransit.js";
import { addsNoRisk } from "./plan/noAddedRisk.js";
import { defaultOptionExecution, startPlan } from "./plan/planStart.js";
import { type PlanState, writePortfolio } from "./plan/planState.js";
import { type Chosen, mergeSteps, type PlanStep, stepOf } from "./plan/planSteps.js";
import { defaultStressMovesRel } from "./plan/stressLosses.js";

export type { PlanStep } from "./plan/planSteps.js";

export const missingDepthSchema = z
  .object({
    dailyVolumeUsd: z.number().positive().default(defaultMissingDepth.dailyVolumeUsd),
    halfSpreadBps: z.number().min(0).default(defaultMissingDepth.halfSpreadBps),
    impactCoefficient: z.number().min(0).default(defaultMissingDepth.impactCoefficient),
  })
  .strict();

/** Liquidation plan parameters (plain JSON numbers, like a MarginConfig). */
export const liquidationPlanParamsSchema = z
  .object({
    /** Largest step, as a fraction of each item's size when the plan starts (0.1 = 10% at a time). */
    stepFraction: z.number().gt(0).max(1).default(0.1),
    /** Free collateral to restore, USD (0 = exactly back to initial margin). */
    targetFreeCollateralUsd: z.number().min(0).default(0),
    /** Most greedy steps before the plan gives up. */
    maxSteps: z.number().int().min(1).max(1000).default(200),
    /** Bisection steps sizing the last action to just reach the target (partial rather than full). */
    refineIterations: z.number().int().min(0).max(60).default(30),
    /** A step may not raise IM or MM by more than this, USD (numerical noise of simulation models). */
    riskToleranceUsd: z.number().min(0).default(0.01),
    bridge: bridgePolicySchema.prefault({}),
    /** Depth assumed for a market the snapshot has no liquidity entry for. */
    missingDepth: missingDepthSchema.prefault({}),
    /** Daily vol for impact when the snapshot has none for the underlying. */
    fallbackVolDaily: z.number().positive().max(1).default(0.05),
    /** Half spread of an option's premium when it is closed, relative (xmargin's assumption: 2% of the premium). */
    optionHalfSpreadRel: z.number().min(0).max(1).default(defaultOptionExecution.optionHalfSpreadRel),
    /** Implied-vol move an option close pushes against itself, absolute (0.01 = one vol point), paid on vega. */
    optionVolImpact: z.number().min(0).max(1).default(defaultOptionExecution.optionVolImpact),
    /**
     * A step may raise the loss of a stress move above the plan's start by at most this share of the start's worst
     * stress loss (or of 1% of the book's gross value, if larger; 0 = never): a hedged book can then be reduced leg by
     * leg instead of only unwound in full.
     */
    stressToleranceRel: z.number().min(0).max(1).default(0.05),
    /** Spot moves of the risk check: no step may raise the loss of any of them (each underlying alone, all together). */
    stressMovesRel: z
      .array(z.number().gt(-1).max(10))
      .max(20)
      .default([...defaultStressMovesRel]),
  })
  .strict();

export type LiquidationPlanParams = z.infer<typeof liquidationPlanParamsSchema>;

export type PlanStatus = "not-needed" | "restored" | "impossible";

export interface LiquidationPlan {
  accountId: string;
  model: string;
  status: PlanStatus;
  /** Plain-language outcome; says explicitly when initial margin cannot be restored. */
  message: string;
  belowMaintenance: boolean;
  steps: PlanStep[];
  totalCostUsd: number;
  /** Latest `readyAfterSec` of the steps (steps on different chains run in parallel). */
  completionSec: number;
  /** Whether the steps come from the greedy search only or end with a full unwind. */
  method: "greedy" | "greedy+full-unwind";
  before: MarginReport;
  after: MarginReport;
  /** The portfolio once every step is done. */
  portfolio: Portfolio;
}

/**
 * Plans the liquidation of validated documents: greedy, each step the action with the most free collateral gained
 * per USD of cost (square-root unwind cost from the snapshot's depth, bridge fees from its routes) among those that
 * add no risk (IM and MM do not rise, health does not fall); the step that reaches the target is cut down by
 * bisection so the liquidation is as partial as possible. When the greedy search stalls, a full unwind (close every
 * derivative, sell every volatile holding, bridge cash to chains left short) is tried; if even that cannot restore
 * the target, the plan says so.
 * @see docs/liquidation.md
 */
export function planLiquidationOf(
  portfolioDoc: Portfolio,
  snapshot: MarketSnapshot,
  config: AnyMarginConfig,
  params: LiquidationPlanParams,
): LiquidationPlan {
  const {
    state: start,
    before,
    ctx,
    startUnits,
    chains,
    evaluate,
    riskOfState,
  } = startPlan(
    portfolioDoc,
    snapshot,
    config,
    {
      missingDepth: params.missingDepth,
      fallbackVolDaily: params.fallbackVolDaily,
      bridge: params.bridge,
      optionHalfSpreadRel: params.optionHalfSpreadRel,
      optionVolImpact: params.optionVolImpact,
    },
    params.stressMovesRel,
  );
  const target = params.targetFreeCollateralUsd;
  const tol = params.riskToleranceUsd;
  const belowMaintenance = isLiquidatable(before);
  const base = {
    accountId: before.accountId,
    model: before.model,
    belowMaintenance,
    before,
  };
  if (before.freeCollateralUsd >= target) {
    return {
      ...base,
      status: "not-needed",
      message: `free collateral ${before.freeCollateralUsd.toFixed(2)} USD already meets the target ${target.toFixed(2)}`,
      steps: [],
      totalCostUsd: 0,
      completionSec: 0,
      method: "greedy",
      after: before,
      portfolio: writePortfolio(start),
    };
  }

  let state: PlanState = start;
  let report = before;
  const startStress = riskOfState(start, before).stressLossUsd!;
  // The tolerance scales with the start's worst stress loss, and with 1% of the book's gross value for a book so well
  // hedged that its worst loss is about 0 (else a bridge fee on it would count as added risk).
  const grossUsd = start.resolved.items.reduce((a, it) => a + Math.abs(it.valueUsd), 0);
  const stressTol = tol + params.stressToleranceRel * Math.max(0, 0.01 * grossUsd, ...startStress);
  const raw: PlanStep[] = [];
  for (let step = 0; step < params.maxSteps && report.freeCollateralUsd < target; step++) {
    const items = planItems(state);
    // IM, MM and health against the current state; stress losses against the start, within the stated tolerance.
    const risk = { ...riskOfState(state, report), stressLossUsd: startStress };
    let best: (Chosen & { pi: PlanItem; score: number }) | undefined;
    for (const { pi, action } of candidateActions(ctx, items, startUnits, params.stepFraction, chains)) {
      const applied = applyAction(ctx, state, pi, action);
      const r = evaluate(applied.state);
      const gain = r.freeCollateralUsd - report.freeCollateralUsd;
      if (!(gain > 1e-9 * Math.max(1, Math.abs(report.freeCollateralUsd)))) continue;
      if (!addsNoRisk(risk, riskOfState(applied.state, r), tol, stressTol)) continue;
      const score = gain / Math.max(applied.costUsd, 1e-6);
      if (!best || score > best.score) best = { action, applied, report: r, pi, score };
    }
    if (!best) break;
    if (best.report.freeCollateralUsd >= target && params.refineIterations > 0) {
      // Partial rather than full: the smallest size of this action that still reaches the target.
      let lo = 0;
      let hi = best.action.units;
      let chosen: Chosen = best;
      for (let k = 0; k < params.refineIterations; k++) {
        const mid = 0.5 * (lo + hi);
        const action = { ...best.action, units: mid };
        const applied = applyAction(ctx, state, best.pi, action);
        const r = evaluate(applied.state);
        if (r.freeCollateralUsd >= target && addsNoRisk(risk, riskOfState(applied.state, r), tol, stressTol)) {
          hi = mid;
          chosen = { action, applied, report: r };
        } else {
          lo = mid;
        }
      }
      best = { ...best, ...chosen };
    }
    recordAction(ctx, best.applied);
    const transit = best.applied.inTransit;
    const inTransit = transit ? inTransitOf(evaluate(transit), report, best.applied.readyAfterSec) : undefined;
    raw.push(stepOf(raw.length + 1, { ...best, ...(inTransit ? { inTransit } : {}) }, startUnits));
    state = best.applied.state;
    report = best.report;
  }

  let method: LiquidationPlan["method"] = "greedy";
  if (report.freeCollateralUsd < target) {
    const unwind = fullUnwind(ctx, state, evaluate, startUnits);
    if (
      unwind &&
      unwind.report.freeCollateralUsd >= target &&
      addsNoRisk(riskOfState(start, before), riskOfState(unwind.state, unwind.report), tol) &&
      unwind.report.freeCollateralUsd > report.freeCollateralUsd
    ) {
      raw.push(...unwind.steps.map((s, i) => ({ ...s, order: raw.length + i + 1 })));
      state = unwind.state;
      report = unwind.report;
      method = "greedy+full-unwind";
    }
  }
  const steps = mergeSteps(raw);
  const restored = report.freeCollateralUsd >= target;
  const totalCostUsd = steps.reduce((s, x) => s + x.costUsd, 0);
  return {
    ...base,
    status: restored ? "restored" : "impossible",
    message: restored
      ? `initial margin restored in ${steps.length} step(s) at a cost of ${totalCostUsd.toFixed(2)} USD: free collateral ${report.freeCollateralUsd.toFixed(2)} USD`
      : `restoring initial margin is impossible: the best reachable free collateral is ${report.freeCollateralUsd.toFixed(2)} USD ` +
        `(target ${target.toFixed(2)}) even after ${steps.length} step(s)` +
        (report.equityUsd < 0 ? `; equity is negative (${report.equityUsd.toFixed(2)} USD): bad debt` : ""),
    steps,
    totalCostUsd,
    completionSec: steps.reduce((m, s) => Math.max(m, s.readyAfterSec), 0),
    method,
    after: report,
    portfolio: writePortfolio(state),
  };
}

export interface LiquidationPlanInput extends AccountInput {
  /** Plan parameters (liquidationPlanParamsSchema); omitted fields take the defaults. */
  params?: unknown;
}

/**
 * Validates the documents and plans the cheapest partial liquidation that restores initial margin.
 * @example
 * const plan = planLiquidation({ portfolio, market, config: { model: "cross" } });
 * if (plan.status === "impossible") console.log(plan.message);
 * @see docs/liquidation.md
 */
export function planLiquidation(input: LiquidationPlanInput): LiquidationPlan {
  const docs = parseAccountInput(input);
  const params = parseParams(liquidationPlanParamsSchema, input.params, "LiquidationPlanParams");
  return planLiquidationOf(docs.portfolio, docs.market, docs.config, params);
}
