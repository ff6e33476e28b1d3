import { z } from "zod";
import type { MarginReport } from "../margin/report.js";
import type { AnyMarginConfig } from "../margin/resolveConfig.js";
import type { MarketSnapshot } from "../schema/marketSnapshot.js";
import type { Portfolio } from "../schema/portfolio.js";
import {
  type Action,
  type ActionContext,
  type ActionKind,
  type AppliedAction,
  addsNoRisk,
  applyAction,
  bridgeActions,
  type PlanItem,
  planItems,
  recordAction,
  riskOf,
} from "./actions.js";
import { bridgePolicySchema } from "./bridgePolicy.js";
import { evaluateMargin, isLiquidatable } from "./evaluateMargin.js";
import { type AccountInput, parseAccountInput, parseParams } from "./inputs.js";
import { defaultMissingDepth } from "./marketData.js";
import { startPlan } from "./planStart.js";

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
  })
  .strict();

export type LiquidationPlanParams = z.infer<typeof liquidationPlanParamsSchema>;

/** One step of a plan: what to do, where, how much, at what cost, and the margin after it. */
export interface PlanStep {
  order: number;
  action: ActionKind;
  itemId: string;
  label: string;
  chain: string;
  /** Destination chain of a bridge. */
  toChain?: string;
  underlying: string;
  token?: string;
  /** Units closed, sold or moved (underlying units for positions, token units for holdings). */
  units: number;
  /** Share of the item's size at the start of the plan. */
  fractionOfItem: number;
  notionalUsd: number;
  /** Square-root unwind cost or bridge fee, USD. */
  costUsd: number;
  route?: { name: string | undefined; latencySec: number; costBps: number };
  /** Seconds after the plan starts until this step is final (chain finality; bridge latency + finality). */
  readyAfterSec: number;
  freeCollateralAfterUsd: number;
  initialMarginAfterUsd: number;
  healthAfter: number | null;
}

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

interface Chosen {
  action: Action;
  applied: AppliedAction;
  report: MarginReport;
}

function stepOf(order: number, c: Chosen, startUnits: Map<string, number>): PlanStep {
  const a = c.action;
  const start = startUnits.get(a.itemId) ?? a.units;
  return {
    order,
    action: a.kind,
    itemId: a.itemId,
    label: a.label,
    chain: a.chain,
    ...(a.toChain ? { toChain: a.toChain } : {}),
    underlying: a.underlying,
    ...(a.token ? { token: a.token } : {}),
    units: a.units,
    fractionOfItem: start > 0 ? a.units / start : 0,
    notionalUsd: c.applied.notionalUsd,
    costUsd: c.applied.costUsd,
    ...(a.route ? { route: { name: a.route.name, latencySec: a.route.latencySec, costBps: a.route.costBps } } : {}),
    readyAfterSec: c.applied.readyAfterSec,
    freeCollateralAfterUsd: c.report.freeCollateralUsd,
    initialMarginAfterUsd: c.report.initialMarginUsd,
    healthAfter: c.report.healthRatio,
  };
}

/** Merges consecutive steps on the same item, action and destination into one. */
function mergeSteps(steps: PlanStep[]): PlanStep[] {
  const out: PlanStep[] = [];
  for (const s of steps) {
    const last = out[out.length - 1];
    if (last && last.action === s.action && last.itemId === s.itemId && last.toChain === s.toChain) {
      last.units += s.units;
      last.fractionOfItem += s.fractionOfItem;
      last.notionalUsd += s.notionalUsd;
      last.costUsd += s.costUsd;
      last.readyAfterSec = Math.max(last.readyAfterSec, s.readyAfterSec);
      last.freeCollateralAfterUsd = s.freeCollateralAfterUsd;
      last.initialMarginAfterUsd = s.initialMarginAfterUsd;
      last.healthAfter = s.healthAfter;
    } else {
      out.push({ ...s, order: out.length + 1 });
    }
  }
  return out;
}

/** Candidate actions of the current state, each at most `stepFraction` of the item's starting size. */
function candidates(
  ctx: ActionContext,
  items: PlanItem[],
  startUnits: Map<string, number>,
  stepFraction: number,
  chains: readonly string[],
): Array<{ pi: PlanItem; action: Action }> {
  const out: Array<{ pi: PlanItem; action: Action }> = [];
  for (const pi of items) {
    const { item } = pi;
    if (pi.units <= 1e-12) continue;
    const chunk = Math.min(pi.units, stepFraction * (startUnits.get(item.id) ?? pi.units));
    if (item.source === "position") {
      out.push({
        pi,
        action: {
          kind: "reduce-position",
          itemId: item.id,
          label: item.label,
          chain: item.chain,
          underlying: item.underlying,
          units: chunk,
        },
      });
      continue;
    }
    if (item.valueUsd <= 0) continue;
    if (item.underlying !== "USD") {
      out.push({
        pi,
        action: {
          kind: "sell-collateral",
          itemId: item.id,
          label: item.label,
          chain: item.chain,
          underlying: item.underlying,
          token: item.token?.symbol ?? item.underlying,
          units: chunk,
        },
      });
    }
    for (const action of bridgeActions(ctx, pi, chains, chunk)) out.push({ pi, action });
  }
  return out;
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
  const { market, start, before, ctx, startUnits, chains } = startPlan(portfolioDoc, snapshot, config, {
    missingDepth: params.missingDepth,
    fallbackVolDaily: params.fallbackVolDaily,
    bridge: params.bridge,
  });
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
      portfolio: start,
    };
  }

  let portfolio = start;
  let report = before;
  const raw: PlanStep[] = [];
  const evaluate = (p: Portfolio) => evaluateMargin(p, snapshot, config);
  for (let step = 0; step < params.maxSteps && report.freeCollateralUsd < target; step++) {
    const items = planItems(portfolio, market);
    let best: (Chosen & { pi: PlanItem; score: number }) | undefined;
    for (const { pi, action } of candidates(ctx, items, startUnits, params.stepFraction, chains)) {
      const applied = applyAction(ctx, portfolio, pi, action);
      const r = evaluate(applied.portfolio);
      const gain = r.freeCollateralUsd - report.freeCollateralUsd;
      if (!(gain > 1e-9 * Math.max(1, Math.abs(report.freeCollateralUsd)))) continue;
      if (!addsNoRisk(riskOf(report), riskOf(r), tol)) continue;
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
        const applied = applyAction(ctx, portfolio, best.pi, action);
        const r = evaluate(applied.portfolio);
        if (r.freeCollateralUsd >= target && addsNoRisk(riskOf(report), riskOf(r), tol)) {
          hi = mid;
          chosen = { action, applied, report: r };
        } else {
          lo = mid;
        }
      }
      best = { ...best, ...chosen };
    }
    recordAction(ctx, best.applied);
    raw.push(stepOf(raw.length + 1, best, startUnits));
    portfolio = best.applied.portfolio;
    report = best.report;
  }

  let method: LiquidationPlan["method"] = "greedy";
  if (report.freeCollateralUsd < target) {
    const unwind = fullUnwind(ctx, portfolio, evaluate, startUnits);
    if (
      unwind &&
      unwind.report.freeCollateralUsd >= target &&
      addsNoRisk(riskOf(before), riskOf(unwind.report), tol) &&
      unwind.report.freeCollateralUsd > report.freeCollateralUsd
    ) {
      raw.push(...unwind.steps.map((s, i) => ({ ...s, order: raw.length + i + 1 })));
      portfolio = unwind.portfolio;
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
    portfolio,
  };
}

/**
 * Close every derivative, sell every volatile holding, then cover each chain left with a cash borrow by bridging cash
 * from the chain holding the most. Returns the steps and the resulting portfolio and report.
 */
function fullUnwind(
  ctx: ActionContext,
  portfolio: Portfolio,
  evaluate: (p: Portfolio) => MarginReport,
  startUnits: Map<string, number>,
): { steps: PlanStep[]; portfolio: Portfolio; report: MarginReport } | undefined {
  const steps: PlanStep[] = [];
  const take = (pi: PlanItem, action: Action) => {
    const applied = applyAction(ctx, portfolio, pi, action);
    recordAction(ctx, applied);
    portfolio = applied.portfolio;
    const report = evaluate(portfolio);
    steps.push(stepOf(steps.length + 1, { action, applied, report }, startUnits));
  };
  for (const id of planItems(portfolio, ctx.market).map((pi) => pi.item.id)) {
    const pi = planItems(portfolio, ctx.market).find((x) => x.item.id === id);
    if (!pi || pi.units <= 1e-12) continue;
    const { item } = pi;
    if (item.source === "position") {
      take(pi, {
        kind: "reduce-position",
        itemId: id,
        label: item.label,
        chain: item.chain,
        underlying: item.underlying,
        units: pi.units,
      });
    } else if (item.underlying !== "USD" && item.valueUsd > 0) {
      take(pi, {
        kind: "sell-collateral",
        itemId: id,
        label: item.label,
        chain: item.chain,
        underlying: item.underlying,
        token: item.token?.symbol ?? item.underlying,
        units: pi.units,
      });
    }
  }
  // Cover cash borrows left on a chain with cash from other chains.
  for (let guard = 0; guard < 20; guard++) {
    const items = planItems(portfolio, ctx.market);
    const short = items.find((pi) => pi.item.source === "holding" && pi.item.valueUsd < -1e-6);
    if (!short) break;
    const need = -short.item.valueUsd;
    const donors = items
      .filter((pi) => pi.item.underlying === "USD" && pi.item.valueUsd > 0 && pi.item.chain !== short.item.chain)
      .sort((a, b) => b.item.valueUsd - a.item.valueUsd);
    let moved = false;
    for (const donor of donors) {
      const price = donor.item.valueUsd / donor.units;
      const units = Math.min(donor.units, (need * 1.002) / price);
      const [action] = bridgeActions(ctx, donor, [short.item.chain], units).filter(
        (a) => a.toChain === short.item.chain,
      );
      if (!action) continue;
      take(donor, action);
      moved = true;
      break;
    }
    if (!moved) break;
  }
  if (steps.length === 0) return undefined;
  return { steps, portfolio, report: evaluate(portfolio) };
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
