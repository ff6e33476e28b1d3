import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { formatDecimal } from "../../core/decimal.js";
import { parseIsoToSec, SECONDS_PER_DAY, secToIso } from "../../core/time.js";
import { parseDailyPriceCsv } from "../../market/dailyPriceCsv.js";
import { tokenRepresentations } from "../../market/tokenRegistry.js";
import type { ReplaySource } from "../sourcesConfig.js";
import type { SourceFailure, SourceResult } from "./sourceResult.js";

/** Significant digits of a replayed close: every decimal of up to 15 digits reads back as written. */
const CLOSE_DIGITS = 15;

/** One daily close: the bar of `dateSec` (00:00Z) closes, and is published, at `dateSec + 86400`. */
export interface DailyClose {
  dateSec: number;
  /** Close in USD as a decimal string. */
  close: string;
}

/**
 * The closes of a daily price CSV as timed rows, by the one set of rules of `parseDailyPriceCsv` (src/market): header
 * naming date and close, strictly ascending ISO dates, every close > 0; a bad row is INVALID_INPUT naming
 * `file:line`. Closes are re-printed from the parsed number in canonical form (35.0 -> "35"); up to 15 significant digits round-trip exactly.
 */
export function parseDailyCloseCsv(text: string, file = "csv"): DailyClose[] {
  const series = parseDailyPriceCsv(text, basename(file, ".csv"), file);
  return series.dates.map((date, k) => ({
    dateSec: parseIsoToSec(date, `${file}:${k + 2}`),
    close: formatDecimal(series.closes[k]!, CLOSE_DIGITS),
  }));
}

/**
 * The timed feed: the newest close already published at `atSec` (bar date + 1 day <= atSec), or undefined before the
 * first one. Pure; binary search over ascending rows.
 */
export function replayCloseAt(
  rows: readonly DailyClose[],
  atSec: number,
): (DailyClose & { publishedAtSec: number }) | undefined {
  let lo = 0;
  let hi = rows.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid]!.dateSec + SECONDS_PER_DAY <= atSec) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0) return undefined;
  const row = rows[found]!;
  return { ...row, publishedAtSec: row.dateSec + SECONDS_PER_DAY };
}

/** Feed symbol of a file symbol: the registry's spelling when one token matches ignoring case (STETH -> stETH). */
function feedSymbolOf(fileSymbol: string): string {
  const match = tokenRepresentations.find((t) => t.symbol.toUpperCase() === fileSymbol && t.symbol !== fileSymbol);
  return match ? match.symbol : fileSymbol;
}

/** The replay instant of a config: the end of `date` (its close), epoch seconds. */
export function replayTimeSec(config: ReplaySource): number {
  return parseIsoToSec(config.date, "$.replay.date") + SECONDS_PER_DAY;
}

/**
 * Replays the closes of `config.date` from `dir` as quotes published at the end of that day (next day 00:00Z). Each
 * feed reads `<SYMBOL upper-case>-USD.csv`. A missing file or date is NOT_FOUND, a bad file (e.g. a close <= 0) BAD_RESPONSE;
 * when the day itself has no row the newest earlier close is used with its own (older) publication time, so the
 * aggregator sees its real age.
 */
export async function readReplayQuotes(config: ReplaySource, dir: string): Promise<SourceResult> {
  const result: SourceResult = { quotes: [], failures: [] };
  let feeds = config.feeds;
  if (!feeds) {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (cause) {
      const code = cause instanceof Error && "code" in cause ? String(cause.code) : "unreadable";
      result.failures.push(failure(config, "*", "NOT_FOUND", `cannot list ${dir} (${code})`, "$.replay.dir"));
      return result;
    }
    feeds = names
      .map((n) => /^([A-Z0-9_.]+)-USD\.csv$/.exec(n)?.[1])
      .filter((s): s is string => s !== undefined)
      .sort()
      .map((s) => `${feedSymbolOf(s)}/USD`);
  }
  const atSec = replayTimeSec(config);
  for (const [i, feed] of feeds.entries()) {
    const path = config.feeds ? `$.replay.feeds[${i}]` : "$.replay.dir";
    const file = join(dir, `${feed.slice(0, -"/USD".length).toUpperCase()}-USD.csv`);
    let rows: DailyClose[];
    try {
      rows = parseDailyCloseCsv(await readFile(file, "utf8"), file);
    } catch (cause) {
      const reason =
        cause instanceof Error && "code" in cause && cause.code === "ENOENT" ? "NOT_FOUND" : "BAD_RESPONSE";
      result.failures.push(failure(config, feed, reason, cause instanceof Error ? cause.message : String(cause), path));
      continue;
    }
    const close = replayCloseAt(rows, atSec);
    if (!close) {
      result.failures.push(failure(config, feed, "NOT_FOUND", `no close on or before ${config.date} in ${file}`, path));
      continue;
    }
    result.quotes.push({
      quote: {
        source: config.source,
        chain: config.chain,
        feed,
        price: close.close,
        publishedAt: secToIso(close.publishedAtSec),
      },
      maxAgeSec: config.maxAgeSec,
      path,
    });
  }
  return result;
}

function failure(
  config: ReplaySource,
  feed: string,
  reason: SourceFailure["reason"],
  message: string,
  path: string,
): SourceFailure {
  return { source: config.source, chain: config.chain, feed, reason, message, path };
}
