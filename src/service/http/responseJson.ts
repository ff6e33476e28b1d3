import { formatDecimal, formatUsd } from "../../core/decimal.js";
import { reportToJson } from "../../margin/reportJson.js";
import type { MarginSnapshotRow, PlanRow } from "../../store/marginStore.js";
import type { GroupChange, WhatIfOutcome } from "../engines.js";
import type { LiveAccount } from "../liveAccount.js";

/** Row mapping of the HTTP answers: domain objects to the JSON documented in OpenAPI (decimals as strings). */

function groupChangeJson(g: GroupChange) {
  return {
    key: g.key,
    initialMarginBefore: formatUsd(g.initialMarginBeforeUsd),
    initialMarginAfter: formatUsd(g.initialMarginAfterUsd),
    initialMarginChange: formatUsd(g.initialMarginChangeUsd),
    equityChange: formatUsd(g.equityChangeUsd),
  };
}

export function whatIfJson(out: WhatIfOutcome) {
  return {
    before: reportToJson(out.before),
    after: reportToJson(out.after),
    diff: {
      equity: formatUsd(out.diff.equityUsd),
      initialMargin: formatUsd(out.diff.initialMarginUsd),
      maintenanceMargin: formatUsd(out.diff.maintenanceMarginUsd),
      freeCollateral: formatUsd(out.diff.freeCollateralUsd),
      healthRatio: out.diff.healthRatio === null ? null : formatDecimal(out.diff.healthRatio, 6),
      byChain: out.diff.byChain.map(groupChangeJson),
      byUnderlying: out.diff.byUnderlying.map(groupChangeJson),
    },
    portfolio: out.portfolio,
  };
}

export function accountSummaryJson(acc: LiveAccount) {
  const r = acc.reportJson;
  const f = r ? undefined : acc.figures;
  const count = (sev: string) => r?.flags.filter((f) => f.severity === sev).length ?? 0;
  return {
    accountId: acc.accountId,
    version: acc.version,
    updatedAt: acc.updatedAt,
    model: acc.config.model,
    ...(acc.portfolio.description ? { description: acc.portfolio.description } : {}),
    seq: acc.reportSeq ?? null,
    // Figures mode: a worker's figures until the report is computed on request.
    asOf: r?.asOf ?? f?.asOf ?? null,
    equity: r?.equity ?? f?.equity ?? null,
    initialMargin: r?.initialMargin ?? f?.initialMargin ?? null,
    maintenanceMargin: r?.maintenanceMargin ?? f?.maintenanceMargin ?? null,
    freeCollateral: r?.freeCollateral ?? f?.freeCollateral ?? null,
    healthRatio: r ? r.healthRatio : (f?.healthRatio ?? null),
    band: acc.policy ? (acc.band ?? null) : null,
    flags: { critical: count("critical"), warning: count("warning"), info: count("info") },
    error: acc.error ? acc.error.toJSON() : null,
  };
}

export function accountJson(acc: LiveAccount) {
  return {
    accountId: acc.accountId,
    version: acc.version,
    updatedAt: acc.updatedAt,
    portfolio: acc.portfolio,
    config: acc.configDoc,
    policy: acc.policy,
    band: acc.band ?? null,
  };
}

export function marginHistoryJson(r: MarginSnapshotRow) {
  return {
    seq: r.seq,
    asOf: r.asOf,
    model: r.model,
    accountVersion: r.accountVersion,
    reason: r.reason,
    equity: formatUsd(r.equityUsd),
    initialMargin: formatUsd(r.initialMarginUsd),
    maintenanceMargin: formatUsd(r.maintenanceMarginUsd),
    freeCollateral: formatUsd(r.freeCollateralUsd),
    healthRatio: r.healthRatio === null ? null : formatDecimal(r.healthRatio, 6),
  };
}

export function planJson(p: PlanRow) {
  return {
    id: p.id,
    createdAt: p.createdAt,
    seq: p.seq,
    asOf: p.asOf,
    kind: p.kind,
    status: p.status,
    delivery: p.delivery,
    record: p.record,
  };
}
