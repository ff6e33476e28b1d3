import { parseIsoToSec, utcDayNumber } from "../../core/time.js";

/** Close time of a UTC day: the next midnight (the day's bar closes at 24:00 UTC), epoch seconds. */
export function closeTimeSec(date: string): number {
  return parseIsoToSec(date, "$.date") + 86_400;
}

/** ISO time without milliseconds. */
export function isoSec(epochSec: number): string {
  return new Date(Math.round(epochSec) * 1000).toISOString().replace(".000Z", "Z");
}

/** Days since 1970-01-01 of an ISO day. */
export const dayNumberOf = utcDayNumber;
