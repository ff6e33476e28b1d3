import type { MarginReport } from "../../margin/report.js";

/** Risk figures compared by the "never increases risk" rule. */
export interface RiskSnapshot {
  initialMarginUsd: number;
  maintenanceMarginUsd: number;
  healthRatio: number | null;
  /** Maintenance collateral - maintenance margin, USD. */
  maintenanceExcessUsd: number;
  freeCollateralUsd: number;
}

export function riskOf(r: MarginReport): RiskSnapshot {
  return {
    initialMarginUsd: r.initialMarginUsd,
    maintenanceMarginUsd: r.maintenanceMarginUsd,
    healthRatio: r.healthRatio,
    maintenanceExcessUsd: r.maintenanceCollateralValueUsd - r.maintenanceMarginUsd,
    freeCollateralUsd: r.freeCollateralUsd,
  };
}

/**
 * True when `after` adds no risk to `before`: initial and maintenance margin do not rise (beyond `toleranceUsd`) and
 * the health ratio does not fall. Where a health ratio is negative (collateral below zero, where the ratio means
 * nothing) the maintenance excess (collateral - MM) must not fall instead.
 */
export function addsNoRisk(before: RiskSnapshot, after: RiskSnapshot, toleranceUsd: number): boolean {
  if (after.initialMarginUsd > before.initialMarginUsd + toleranceUsd) return false;
  if (after.maintenanceMarginUsd > before.maintenanceMarginUsd + toleranceUsd) return false;
  const hb = before.healthRatio;
  const ha = after.healthRatio;
  if (hb !== null && ha !== null && hb >= 0 && ha >= 0) return ha >= hb - 1e-9;
  return after.maintenanceExcessUsd >= before.maintenanceExcessUsd - toleranceUsd;
}
