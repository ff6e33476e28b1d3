import { invalidInput, missingData } from "../core/errors.js";

/** One daily price series as read from a CSV: ascending unique UTC days, positive closes, optional volumes. */
export interface DailySeries {
  /** Series name, usually the file stem: `BTC-USD`, `STETH-ETH`. */
  symbol: string;
  /** ISO `YYYY-MM-DD`, strictly ascending; a missing day is a gap, never filled in. */
  dates: string[];
  /** Close of each day in the quote unit of the file (USD, or the ratio for `*-ETH`/`*-BTC`), always > 0. */
  closes: Float64Array;
  /** Provider's volume of each day (USD for `*-USD`); NaN where the file has no volume column or an empty cell. */
  volumes: Float64Array;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function isCalendarDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/**
 * Parses a daily price CSV, the one set of rules for every reader of `../shared/data`-style files (backtest, service
 * replay, oracle replay source, `xmargin risk`):
 * - the header names the columns (case-insensitive, any order); `date` and `close` are required, `volume` optional,
 *   other columns (open, high, low) are ignored;
 * - every row has the header's number of fields; blank lines, CRLF and a UTF-8 BOM are accepted;
 * - dates are calendar ISO days, strictly ascending (a gap of missing days is allowed and kept as a gap);
 * - a close must be a finite decimal > 0 (an empty, zero or negative close is rejected: a price of 0 would
 *   silently lower margin);
 * - a volume is empty (NaN) or a finite decimal >= 0.
 * Errors are INVALID_INPUT with path `file:line` (1-based). Pure: the caller reads the file.
 * @param text whole file content.
 * @param symbol series name, e.g. `BTC-USD`.
 * @param file name shown in errors (default `<symbol>.csv`).
 * @example
 * const btc = parseDailyPriceCsv("date,close\n2024-01-01,42000\n", "BTC-USD"); // btc.closes[0] === 42000
 */
export function parseDailyPriceCsv(text: string, symbol: string, file = `${symbol}.csv`): DailySeries {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const header = (lines[0] ?? "").split(",").map((h) => h.trim().toLowerCase());
  const dateCol = header.indexOf("date");
  const closeCol = header.indexOf("close");
  const volumeCol = header.indexOf("volume");
  if (dateCol < 0 || closeCol < 0) {
    throw invalidInput(
      `${file}:1`,
      "CSV header must name a date and a close column",
      `got "${lines[0]?.slice(0, 80)}"`,
    );
  }
  const dates: string[] = [];
  const closes: number[] = [];
  const volumes: number[] = [];
  for (let k = 1; k < lines.length; k++) {
    const raw = (lines[k] ?? "").trim();
    if (raw === "") continue;
    const where = `${file}:${k + 1}`;
    const fields = raw.split(",");
    if (fields.length !== header.length) {
      throw invalidInput(where, `expected ${header.length} fields, got ${fields.length}`, raw.slice(0, 80));
    }
    const date = (fields[dateCol] ?? "").trim();
    if (!isCalendarDate(date)) throw invalidInput(where, `bad date "${date}" (want YYYY-MM-DD)`);
    const prev = dates[dates.length - 1];
    if (prev !== undefined && date <= prev) {
      throw invalidInput(
        where,
        `date ${date} is not after the previous date ${prev}: dates must be strictly ascending`,
      );
    }
    const closeText = (fields[closeCol] ?? "").trim();
    const close = Number(closeText);
    if (!DECIMAL.test(closeText) || !(close > 0) || !Number.isFinite(close)) {
      throw invalidInput(where, "close must be a positive number", `got "${closeText}"`);
    }
    const volumeText = volumeCol < 0 ? "" : (fields[volumeCol] ?? "").trim();
    const volume = volumeText === "" ? Number.NaN : Number(volumeText);
    if (volumeText !== "" && (!DECIMAL.test(volumeText) || !(volume >= 0) || !Number.isFinite(volume))) {
      throw invalidInput(where, "volume must be empty or a number >= 0", `got "${volumeText}"`);
    }
    dates.push(date);
    closes.push(close);
    volumes.push(volume);
  }
  if (dates.length === 0) throw missingData(`${file}:2`, `${symbol}: no data rows`);
  return { symbol, dates, closes: Float64Array.from(closes), volumes: Float64Array.from(volumes) };
}
