import { invalidInput } from "./errors.js";

export const SECONDS_PER_DAY = 86_400;
/** Act/365 year used for option time to expiry. */
export const SECONDS_PER_YEAR = 365 * SECONDS_PER_DAY;

/** Parses an ISO-8601 timestamp with an explicit zone (Z or +hh:mm) to epoch seconds. */
export function parseIsoToSec(value: string, path = "$"): number {
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value)) {
    throw invalidInput(path, `not an ISO-8601 time with zone: ${JSON.stringify(value)}`);
  }
  const ms = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
  if (!Number.isFinite(ms)) throw invalidInput(path, `not a valid date: ${value}`);
  return ms / 1000;
}

export function secToIso(epochSec: number): string {
  return new Date(epochSec * 1000).toISOString();
}

export function yearsBetween(fromSec: number, toSec: number): number {
  return (toSec - fromSec) / SECONDS_PER_YEAR;
}
