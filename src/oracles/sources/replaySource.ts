import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { DECIMAL_PATTERN, formatDecimal } from "../../core/decimal.js";
import { invalidInput } from "../../core/errors.js";
import { parseIsoToSec, SECONDS_PER_DAY, secToIso } from "../../core/time.js";
import { tokenRepresentations } from "../../market/tokenRegistry.js";
import type { ReplaySource } from "../sourcesConfig.js";
import type { SourceFailure, SourceResult } from "./sourceResult.js";

/** One daily close: the bar of `dateSec` (00:00Z) closes, and is published, at `dateSec + 86400`. */
export interface DailyClose {
  dateSec: number;
  /** Close in USD as a decimal string. */
  close: string;
}

/**
 * Parses a daily price CSV (`date,open,high,low,close[,volume]`, ascending ISO dates, as in ../shared/data). Rows
 * with an empty close are skipped; a malformed date, a close that is not a number, or dates out of order are
 * INVALID_INPUT naming `file:line`. A close <= 0 is kept (the replay source rejects it when it is asked for).
 */
export function parseDailyCloseCsv(text: string, file = "csv"): DailyClose[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = (lines[0] ?? "").split(",").map((h) => h.trim().toLowerCase());
  const dateCol = header.indexOf("date");
  const closeCol = header.indexOf("close");
  if (dateCol < 0 || closeCol < 0) throw invalidInput(`${file}:1`, "CSV header must name date and close columns");
  const rows: DailyClose[] = [];
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i]!.split(",");
    const date = (cells[dateCol] ?? "").trim();
    const raw = (cells[closeCol] ?? "").trim();
    if (raw === "") continue;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw invalidInput(`${file}:${i + 1}`, `bad date ${JSON.stringify(date)}`);
    const n = Number(raw);
    if (!Number.isFinite(n)) throw invalidInput(`${file}:${i + 1}`, `bad close ${JSON.stringify(raw)}`);
    const dateSec = parseIsoToSec(date, `${file}:${i + 1}`);
    const prev = rows[rows.length - 1];
    if (prev && dateSec <= prev.dateSec) throw invalidInput(`${file}:${i + 1}`, "dates must be strictly ascending");
    rows.push({ dateSec, close: DECIMAL_PATTERN.test(raw) ? raw : formatDecimal(n) });
  }
  return rows;
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
 * feed reads `<SYMBOL upper-case>-USD.csv`. A missing file or date is NOT_FOUND, a close <= 0 NON_POSITIVE_PRICE;
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
    if (!(Number(close.close) > 0)) {
      result.failures.push(failure(config, feed, "NON_POSITIVE_PRICE", `close ${close.close} is not > 0`, path));
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
