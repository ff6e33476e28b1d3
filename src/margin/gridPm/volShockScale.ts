import type { GridPmConfig } from "./config.js";

const DAYS_PER_YEAR = 365;

/**
 * Scale of the grid's vol shocks for a position expiring in `expiryYears`: (referenceDays / max(floorDays, days to
 * expiry)) ^ power, so short-dated vols move more than long-dated ones (Deribit's sqrt(30 / DTE) by default).
 */
export function volShockScale(tenor: GridPmConfig["volShockTenor"], expiryYears: number): number {
  const days = Math.max(tenor.floorDays, expiryYears * DAYS_PER_YEAR);
  return (tenor.referenceDays / days) ** tenor.power;
}
