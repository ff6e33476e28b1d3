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

/** Memo of `utcDayNumber`: day strings repeat (a backtest re-reads the same history every day), Date.parse is slow. */
const dayNumbers = new Map<string, number>();
/** Bound on the memo; past it the memo restarts (one entry per distinct day string, so rarely reached). */
const DAY_NUMBER_MEMO_MAX = 100_000;

/**
 * Days since 1970-01-01 (UTC) of an ISO day `YYYY-MM-DD`, rounded; NaN when the string is not a date, as
 * `Date.parse` gives. Memoised.
 */
export function utcDayNumber(date: string): number {
  const known = dayNumbers.get(date);
  if (known !== undefined) return known;
  const day = Math.round(Date.parse(`${date}T00:00:00Z`) / (SECONDS_PER_DAY * 1000));
  if (dayNumbers.size >= DAY_NUMBER_MEMO_MAX) dayNumbers.clear();
  dayNumbers.set(date, day);
  return day;
}

/** Index of the last date <= `date` in ascending `dates`, -1 when none (binary search). */
export function lastIndexAtOrBefore(dates: readonly string[], date: string): number {
  let lo = 0;
  let hi = dates.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (dates[mid]! <= date) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
