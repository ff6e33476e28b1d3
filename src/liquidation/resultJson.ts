import { formatDecimal, formatUsd } from "../core/decimal.js";
import { type MarginReportJson, reportToJson } from "../margin/reportJson.js";
import type { CascadeResult } from "./cascade/runCascade.js";
import type { HealthResult, LiquidationLevel } from "./health.js";
import type { LiquidationPlan } from "./liquidationPlan.js";
import type { InTransit } from "./plan/inTransit.js";
import type { RebalancePlan } from "./rebalancePlan.js";
import type { GroupDiff, WhatIfResult } from "./whatIf.js";

/** Ratios, shocks and sizes: up to 6 significant digits; infinity as null. */
const ratio = (x: number | null) => (x === null || !Number.isFinite(x) ? null : formatDecimal(x, 6));
const units = (x: number) => formatDecimal(x, 10);
const usdRecord = (r: Record<string, number>) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, formatUsd(v)]));

function levelJson(l: LiquidationLevel | null) {
  return l === null
    ? null
    : {
        price: formatUsd(l.priceUsd),
        spotMult: ratio(l.spotMult),
        move: ratio(l.moveRel),
        healthAtPrice: ratio(l.healthAtPrice),
        probabilityWithin: l.probabilityWithin.map((p) => ({ days: ratio(p.days), probability: ratio(p.probability) })),
        medianDays: ratio(l.medianDays),
      };
}

const inTransitJson = (t: InTransit) => ({
  seconds: ratio(t.seconds),
  freeCollateral: formatUsd(t.freeCollateralUsd),
  healthRatio: ratio(t.healthRatio),
  worseInTransit: t.worseInTransit,
});

/** JSON form of a health result (USD as 2-decimal strings, ratios as decimal strings, as `reportToJson`). */
export function healthToJson(h: HealthResult) {
  return {
    accountId: h.accountId,
    model: h.model,
    asOf: h.asOf,
    currency: "USD",
    equity: formatUsd(h.equityUsd),
    initialMargin: formatUsd(h.initialMarginUsd),
    maintenanceMargin: formatUsd(h.maintenanceMarginUsd),
    freeCollateral: formatUsd(h.freeCollateralUsd),
    healthRatio: ratio(h.healthRatio),
    liquidatableNow: h.liquidatableNow,
    underlyings: h.underlyings.map((u) => ({
      underlying: u.underlying,
      spot: formatUsd(u.spotUsd),
      volDaily: ratio(u.volDaily),
      down: levelJson(u.down),
      up: levelJson(u.up),
      medianDaysToLiquidation: ratio(u.medianDaysToLiquidation),
      exitProbabilityWithin:
        u.exitProbabilityWithin?.map((p) => ({ days: ratio(p.days), probability: ratio(p.probability) })) ?? null,
    })),
  };
}

function summary(r: MarginReportJson) {
  return {
    equity: r.equity,
    initialMargin: r.initialMargin,
    maintenanceMargin: r.maintenanceMargin,
    freeCollateral: r.freeCollateral,
    healthRatio: r.healthRatio,
  };
}

export function liquidationPlanToJson(p: LiquidationPlan) {
  return {
    accountId: p.accountId,
    model: p.model,
    status: p.status,
    message: p.message,
    belowMaintenance: p.belowMaintenance,
    method: p.method,
    totalCost: formatUsd(p.totalCostUsd),
    completionSec: ratio(p.completionSec),
    before: summary(reportToJson(p.before)),
    steps: p.steps.map((s) => ({
      order: s.order,
      action: s.action,
      itemId: s.itemId,
      label: s.label,
      chain: s.chain,
      ...(s.toChain ? { toChain: s.toChain } : {}),
      underlying: s.underlying,
      ...(s.token ? { token: s.token } : {}),
      units: units(s.units),
      fractionOfItem: ratio(s.fractionOfItem),
      notional: formatUsd(s.notionalUsd),
      cost: formatUsd(s.costUsd),
      ...(s.route
        ? {
            route: {
              name: s.route.name ?? null,
              latencySec: ratio(s.route.latencySec),
              costBps: ratio(s.route.costBps),
            },
          }
        : {}),
      readyAfterSec: ratio(s.readyAfterSec),
      freeCollateralAfter: formatUsd(s.freeCollateralAfterUsd),
      initialMarginAfter: formatUsd(s.initialMarginAfterUsd),
      healthAfter: ratio(s.healthAfter),
      ...(s.inTransit ? { inTransit: inTransitJson(s.inTransit) } : {}),
    })),
    after: reportToJson(p.after),
    portfolio: p.portfolio,
  };
}

export function rebalancePlanToJson(p: RebalancePlan) {
  return {
    accountId: p.accountId,
    model: p.model,
    totalMoved: formatUsd(p.totalMovedUsd),
    totalFees: formatUsd(p.totalFeesUsd),
    initialMarginReduction: formatUsd(p.initialMarginReductionUsd),
    completionSec: ratio(p.completionSec),
    before: summary(reportToJson(p.before)),
    moves: p.moves.map((m) => ({
      order: m.order,
      itemId: m.itemId,
      token: m.token,
      fromChain: m.fromChain,
      toChain: m.toChain,
      units: units(m.units),
      notional: formatUsd(m.notionalUsd),
      fee: formatUsd(m.feeUsd),
      route: { name: m.route.name ?? null, latencySec: ratio(m.route.latencySec), costBps: ratio(m.route.costBps) },
      gainPerUsd: ratio(m.gainPerUsd),
      initialMarginAfter: formatUsd(m.initialMarginAfterUsd),
      freeCollateralAfter: formatUsd(m.freeCollateralAfterUsd),
      healthAfter: ratio(m.healthAfter),
      inTransit: inTransitJson(m.inTransit),
    })),
    after: summary(reportToJson(p.after)),
    portfolio: p.portfolio,
  };
}

const groupJson = (g: GroupDiff) => ({
  key: g.key,
  initialMarginBefore: formatUsd(g.initialMarginBeforeUsd),
  initialMarginAfter: formatUsd(g.initialMarginAfterUsd),
  initialMarginChange: formatUsd(g.initialMarginChangeUsd),
  equityChange: formatUsd(g.equityChangeUsd),
});

export function whatIfToJson(w: WhatIfResult) {
  return {
    accountId: w.before.accountId,
    model: w.before.model,
    diff: {
      equity: formatUsd(w.diff.equityUsd),
      initialMargin: formatUsd(w.diff.initialMarginUsd),
      maintenanceMargin: formatUsd(w.diff.maintenanceMarginUsd),
      freeCollateral: formatUsd(w.diff.freeCollateralUsd),
      healthRatio: ratio(w.diff.healthRatio),
      byChain: w.diff.byChain.map(groupJson),
      byUnderlying: w.diff.byUnderlying.map(groupJson),
    },
    before: reportToJson(w.before),
    after: reportToJson(w.after),
    portfolio: w.portfolio,
  };
}

export function cascadeToJson(c: CascadeResult) {
  return {
    asOf: c.asOf,
    accounts: c.accounts,
    shocks: c.shocks.map((s) => ({ underlying: s.underlying, spotShock: ratio(s.spotShockRel) })),
    depthMultiplier: c.depthMultiplier === null ? "unlimited" : ratio(c.depthMultiplier),
    models: c.models.map((m) => ({
      model: m.model,
      accounts: m.accounts,
      failures: m.failures,
      liquidatableBeforeShock: m.liquidatableBeforeShock,
      liquidatedAccounts: m.liquidatedAccounts,
      liquidatedByRound: m.liquidatedByRound,
      rounds: m.rounds,
      truncated: m.truncated,
      volume: formatUsd(m.volumeUsd),
      volumeByChain: usdRecord(m.volumeByChainUsd),
      finalPrices: usdRecord(m.finalPricesUsd),
      priceChange: Object.fromEntries(Object.entries(m.priceChangeRel).map(([k, v]) => [k, ratio(v)])),
      badDebt: formatUsd(m.badDebtUsd),
      badDebtByChain: usdRecord(m.badDebtByChainUsd),
      durationSec: ratio(m.durationSec),
      trades: m.trades.map((t) => ({
        timeSec: ratio(t.timeSec),
        round: t.round,
        chain: t.chain,
        underlying: t.underlying,
        asset: t.asset,
        grossNotional: formatUsd(t.grossNotionalUsd),
        netNotional: formatUsd(t.netNotionalUsd),
        impact: ratio(t.impactRel),
        priceAfter: formatUsd(t.priceAfterUsd),
      })),
    })),
  };
}
