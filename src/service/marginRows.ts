import type { MarginReport } from "../margin/report.js";
import type { MarginReportJson } from "../margin/reportJson.js";
import type { MarginSnapshotWrite } from "../store/marginStore.js";
import type { LiveAccount } from "./liveAccount.js";
import type { MarketTick } from "./liveMarket.js";
import type { ReportReason } from "./serviceEvents.js";

/** The store row of one computed report: headline figures plus the report JSON. */
export function marginSnapshotRow(
  acc: LiveAccount,
  tick: MarketTick,
  report: MarginReport,
  json: MarginReportJson,
  reason: ReportReason,
): MarginSnapshotWrite {
  return {
    accountId: acc.accountId,
    seq: tick.seq,
    asOf: tick.asOf,
    model: report.model,
    accountVersion: acc.version,
    equityUsd: report.equityUsd,
    initialMarginUsd: report.initialMarginUsd,
    maintenanceMarginUsd: report.maintenanceMarginUsd,
    freeCollateralUsd: report.freeCollateralUsd,
    healthRatio: report.healthRatio,
    reason,
    report: json,
  };
}
