import type { MarginReport } from "../../margin/report.js";

/** Risk figures compared by the "never increases risk" rule. */
export interface RiskSnapshot {
  initialMarginUsd: number;
  maintenanceMarginUsd: number;
  healthRatio: number | null;
  /** Maintenance collateral - maintenance margin, USD. */
  maintenanceExcessUsd: number;
  freeCollateralUsd: number;
  /** Loss in each of the plan's stress scenarios, USD (stressLosses.ts); absent = not checked. */
  stressLossUsd?: Float64Array;
}

export function riskOf(r: MarginReport, stressLossUsd?: Float64Array): RiskSnapshot {
  return {
    ...(stressLossUsd ? { stressLossUsd } : {}),
    initialMarginUsd: r.initialMarginUsd,
    maintenanceMarginUsd: r.maintenanceMarginUsd,
    healthRatio: r.healthRatio,
    maintenanceExcessUsd: r.maintenanceCollateralValueUsd - r.maintenanceMarginUsd,
    freeCollateralUsd: r.freeCollateralUsd,
  };
}

/**
 * True when `after` adds no risk to `before`: initial and maintenance margin do not rise (beyond `toleranceUsd`), no
 * stress scenario loses more (beyond `stressToleranceUsd`), and the health ratio does not fall. Where a health ratio is
 * negative (collateral below zero, where the ratio means nothing) the maintenance excess (collateral - MM) must not
 * fall instead.
 */
export function addsNoRisk(
  before: RiskSnapshot,
  after: RiskSnapshot,
  toleranceUsd: number,
  stressToleranceUsd = toleranceUsd,
): boolean {
  if (after.initialMarginUsd > before.initialMarginUsd + toleranceUsd) return false;
  // No stress scenario may lose more than before (a smaller gain is no added risk): selling the hedge of a short
  // option raises IM-neutral tail losses that margin alone does not see.
  const sb = before.stressLossUsd;
  const sa = after.stressLossUsd;
  if (sb && sa) {
    for (let s = 0; s < sa.length; s++) {
      if (Math.max(0, sa[s]!) > Math.max(0, sb[s]!) + stressToleranceUsd) return false;
    }
  }
  if (after.maintenanceMarginUsd > before.maintenanceMarginUsd + toleranceUsd) return false;
  const hb = before.healthRatio;
  const ha = after.healthRatio;
  if (hb !== null && ha !== null && hb >= 0 && ha >= 0) return ha >= hb - 1e-9;
  return after.maintenanceExcessUsd >= before.maintenanceExcessUsd - toleranceUsd;
}
