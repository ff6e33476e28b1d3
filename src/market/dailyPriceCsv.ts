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
  /**
   * The day's open, high and low in the close's unit, present when the header names the column; NaN for an empty
   * cell (the day's range is then unknown, and readers fall back to the close).
   */
  opens?: Float64Array;
  highs?: Float64Array;
  lows?: Float64Array;
}

/** Reads an optional price cell: empty = NaN (unknown), else a finite decimal > 0. */
function optionalPrice(text: string, where: string, column: string): number {
  if (text === "") return Number.NaN;
  const x = Number(text);
  if (!DECIMAL.test(text) || !(x > 0) || !Number.isFinite(x)) {
    throw invalidInput(where, `${column} must be empty or a positive number`, `got "${text}"`);
  }
  return x;
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
 * - the header names the columns (case-insensitive, any order); `date` and `close` are required, `volume`, `open`,
 *   `high` and `low` optional, other columns are ignored;
 * - every row has the header's number of fields; blank lines, CRLF and a UTF-8 BOM are accepted;
 * - dates are calendar ISO days, strictly ascending (a gap of missing days is allowed and kept as a gap);
 * - a close must be a finite decimal > 0 (an empty, zero or negative close is rejected: a price of 0 would
 *   silently lower margin);
 * - a volume is empty (NaN) or a finite decimal >= 0;
 * - an open, high or low is empty (NaN) or a finite decimal > 0, and a day's range holds its prices:
 *   low <= open, close <= high (a low above the close would hide the day's worst price from the liquidation replay).
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
  const rangeCols = { open: header.indexOf("open"), high: header.indexOf("high"), low: header.indexOf("low") };
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
  const range = { open: [] as number[], high: [] as number[], low: [] as number[] };
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
    const cell = (col: number) => (col < 0 ? "" : (fields[col] ?? "").trim());
    const open = optionalPrice(cell(rangeCols.open), where, "open");
    const high = optionalPrice(cell(rangeCols.high), where, "high");
    const low = optionalPrice(cell(rangeCols.low), where, "low");
    // NaN compares false: an unknown side of the range is not checked.
    if (high < Math.max(close, Number.isNaN(open) ? close : open) || high < low) {
      throw invalidInput(where, "high must be >= open, close and low", `got high ${high}`);
    }
    if (low > Math.min(close, Number.isNaN(open) ? close : open)) {
      throw invalidInput(where, "low must be <= open and close", `got low ${low}`);
    }
    dates.push(date);
    closes.push(close);
    volumes.push(volume);
    range.open.push(open);
    range.high.push(high);
    range.low.push(low);
  }
  if (dates.length === 0) throw missingData(`${file}:2`, `${symbol}: no data rows`);
  return {
    symbol,
    dates,
    closes: Float64Array.from(closes),
    volumes: Float64Array.from(volumes),
    ...(rangeCols.open >= 0 ? { opens: Float64Array.from(range.open) } : {}),
    ...(rangeCols.high >= 0 ? { highs: Float64Array.from(range.high) } : {}),
    ...(rangeCols.low >= 0 ? { lows: Float64Array.from(range.low) } : {}),
  };
}
