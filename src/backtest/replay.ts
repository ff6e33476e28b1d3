import { invalidInput } from "../core/errors.js";
import { runMarginModel } from "../margin/computeMargin.js";
import type { MarginReport } from "../margin/report.js";
import type { ResolvedMarket } from "../margin/resolve/resolvedMarket.js";
import type { ResolvedPortfolio } from "../margin/resolve/resolvedPortfolio.js";
import { resolvePortfolio } from "../margin/resolve/resolvePortfolio.js";
import type { AnyMarginConfig } from "../margin/resolveConfig.js";
import type { Portfolio } from "../schema/portfolio.js";
import { type BookTemplate, bookAt, createBookTemplate, DEFAULT_REFERENCE_DATE } from "./book.js";
import type { History } from "./history/history.js";
import { UNDERLYING_SERIES } from "./history/seriesMap.js";
import type { MarketDay, MarketTimeline } from "./timeline.js";

/** One replayed day of one model. */
export interface ReplayDay {
  date: string;
  dayNumber: number;
  /** Mark value of the day's book at its close. */
  equityUsd: number;
  initialMarginUsd: number;
  maintenanceMarginUsd: number;
  /** equity - collateral value: what the model's collateral weights/haircuts hold back. */
  haircutUsd: number;
  /**
   * The requirement compared with the loss: IM + haircuts, i.e. the least equity the account may hold (an account
   * exactly at its initial requirement has collateralValue = IM, so equity = IM + haircut).
   */
  marginUsd: number;
  /**
   * Loss of the day's book over the liquidation horizons (positive = loss): each item's loss to the close its own
   * horizon later (the day's report's horizon rounded to whole days, at least 1), as the model measures it; null when
   * a later close is not in the data.
   */
  lossUsd: number | null;
  /** Loss of the day's book to the next day's close: what a 1-day VaR is backtested on; null without that close. */
  oneDayLossUsd: number | null;
  exception: boolean | null;
  /** Warning or critical flags of the day's report. */
  warnings: number;
  /**
   * The model's own VaR for a VaR backtest: xchain's 1-day 99% VaR of the simulated P&L (`backtestVarUsd`, at current
   * vols, before floors, add-ons and the IM buffer); other models, their first component at its maintenance level.
   */
  riskComponentUsd: number;
  /** The report's token-event charge (xchain `jumps` component, IM level; 0 for models without one). */
  eventChargeUsd: number;
}

export interface ReplayResult {
  accountId: string;
  model: string;
  /** Longest liquidation horizon the model reported on the first replayed day (days; 1 for models without horizons). */
  modelHorizonDays: number;
  /** Longest item horizon of the realised losses over the run: the model's rounded to whole days, at least 1. */
  horizonDays: number;
  days: ReplayDay[];
}

/** Sum of the items' mark values of a book in a market. */
export function bookValueUsd(book: Portfolio, market: ResolvedMarket): number {
  return resolvePortfolio(book, market).items.reduce((s, it) => s + it.valueUsd, 0);
}

/** The portfolio as a book template against the reference date's closes of its option underlyings. */
export function templateFor(
  history: History,
  portfolio: Portfolio,
  referenceDate: string = DEFAULT_REFERENCE_DATE,
): BookTemplate {
  const spots = new Map<string, number>();
  for (const p of portfolio.positions) {
    if (p.kind !== "option" || spots.has(p.underlying)) continue;
    const s = history.get(UNDERLYING_SERIES[p.underlying] ?? "");
    const k = s?.dates.indexOf(referenceDate) ?? -1;
    if (s && k >= 0) spots.set(p.underlying, s.closes[k]!);
  }
  return createBookTemplate(portfolio, spots, referenceDate);
}

/** The day's book (re-based to its close), the model's report on it and its items' mark values (resolved once). */
export function marginOnDay(
  template: BookTemplate,
  day: MarketDay,
  config: AnyMarginConfig,
  carry: Readonly<Record<string, number>>,
): { book: Portfolio; report: MarginReport; valuesUsd: Float64Array } {
  const book = bookAt(template, day.asOfSec, day.spotUsd, carry);
  const resolved = resolvePortfolio(book, day.market);
  const report = runMarginModel(resolved, day.market, config);
  return { book, report, valuesUsd: valuesOf(resolved) };
}

/**
 * Each item's loss horizon in whole days (at least 1): the report's, rounded, or `fixed` when given; the report's
 * longest for every item when its rows do not match the book's items one to one.
 */
function itemHorizons(report: MarginReport, nItems: number, fixed: number | undefined): Int32Array {
  const whole = (d: number | undefined) => fixed ?? Math.max(1, Math.round(d ?? 1));
  if (report.byPosition.length !== nItems) return new Int32Array(nItems).fill(whole(horizonOf(report)));
  return Int32Array.from(report.byPosition, (row) => whole(row.horizonDays));
}

function horizonOf(report: MarginReport): number {
  let h = 1;
  for (const row of report.byPosition) if (row.horizonDays !== undefined) h = Math.max(h, row.horizonDays);
  return h;
}

/**
 * Walks the timeline with one model: each day the book is re-based to the close (book.ts), the model computes its
 * margin from that day's snapshot (built from data up to that day only), and the realised loss is the change in the
 * same book's mark value from that close, each item to the close of its own liquidation horizon in that day's report
 * (rounded to whole days, at least 1): a collateral holding the model measures at 8 days (bridged to the risk chain)
 * is measured over 8 days, a perp on the risk chain over 1. Horizons are read every day, so a book whose risk chain
 * changes with prices is measured as the model measured it that day (a fixed horizon from the first day made the
 * backtest depend on its start day). An exception is a loss above the margin (IM + haircuts); `horizonDays` fixes
 * every item's horizon instead.
 */
export function replayMargin(
  timeline: MarketTimeline,
  template: BookTemplate,
  config: AnyMarginConfig,
  options: { horizonDays?: number } = {},
  onProgress?: (done: number, total: number) => void,
): ReplayResult {
  return replayPart(timeline, template, config, options, onProgress).replay;
}

/**
 * `replayMargin` on the timeline's days [first, end) only (a part of a run): later days are read for the losses
 * alone. `lastDayNumberRead` is the latest day a loss looked for, so a caller that built only a part of the run's
 * days can tell whether they reached far enough.
 */
export function replayPart(
  timeline: MarketTimeline,
  template: BookTemplate,
  config: AnyMarginConfig,
  options: { horizonDays?: number; first?: number; end?: number } = {},
  onProgress?: (done: number, total: number) => void,
): { replay: ReplayResult; lastDayNumberRead: number } {
  const all = timeline.days;
  const days = all.slice(options.first ?? 0, options.end ?? all.length);
  if (days.length === 0) throw invalidInput("$.timeline", "no day to replay");
  const fixed = options.horizonDays;
  if (fixed !== undefined && !(Number.isInteger(fixed) && fixed >= 1)) {
    throw invalidInput("$.horizonDays", "must be an integer >= 1");
  }
  const rows: ReplayDay[] = [];
  const books: Portfolio[] = [];
  const horizons: Int32Array[] = [];
  const values: Float64Array[] = [];
  let modelHorizonDays = 1;
  let horizonDays = 1;
  days.forEach((day, t) => {
    const { book, report, valuesUsd: v } = marginOnDay(template, day, config, timeline.carryAnnual);
    if (t === 0) modelHorizonDays = horizonOf(report);
    const h = itemHorizons(report, v.length, fixed);
    for (const x of h) horizonDays = Math.max(horizonDays, x);
    const haircut = report.equityUsd - report.collateralValueUsd;
    books.push(book);
    horizons.push(h);
    values.push(v);
    rows.push({
      date: day.date,
      dayNumber: day.dayNumber,
      equityUsd: v.reduce((a, x) => a + x, 0),
      initialMarginUsd: report.initialMarginUsd,
      maintenanceMarginUsd: report.maintenanceMarginUsd,
      haircutUsd: haircut,
      marginUsd: report.initialMarginUsd + haircut,
      lossUsd: null,
      oneDayLossUsd: null,
      exception: null,
      warnings: report.flags.filter((f) => f.severity !== "info").length,
      riskComponentUsd: report.backtestVarUsd ?? report.components[0]?.maintenanceMarginUsd ?? 0,
      eventChargeUsd: report.components.find((c) => c.id === "jumps")?.initialMarginUsd ?? 0,
    });
    onProgress?.(t + 1, days.length);
  });
  let lastDayNumberRead = 0;
  rows.forEach((row, t) => {
    const later = new Map<number, Float64Array | null>();
    const valuesAfter = (k: number): Float64Array | null => {
      if (!later.has(k)) {
        const idx = timeline.indexOfDay.get(row.dayNumber + k);
        lastDayNumberRead = Math.max(lastDayNumberRead, row.dayNumber + k);
        later.set(k, idx === undefined ? null : itemValues(books[t]!, all[idx]!.market));
      }
      return later.get(k)!;
    };
    const next = valuesAfter(1);
    if (next) row.oneDayLossUsd = row.equityUsd - next.reduce((a, x) => a + x, 0);
    let loss = 0;
    const h = horizons[t]!;
    for (let i = 0; i < h.length; i++) {
      const v = valuesAfter(h[i]!);
      if (!v) return;
      loss += values[t]![i]! - v[i]!;
    }
    row.lossUsd = loss;
    row.exception = loss > row.marginUsd;
  });
  return {
    replay: { accountId: template.accountId, model: config.model, modelHorizonDays, horizonDays, days: rows },
    lastDayNumberRead,
  };
}

/** Mark value of each item of a book in a market, in the portfolio's item order (holdings, then positions). */
function itemValues(book: Portfolio, market: ResolvedMarket): Float64Array {
  return valuesOf(resolvePortfolio(book, market));
}

function valuesOf(resolved: ResolvedPortfolio): Float64Array {
  return Float64Array.from(resolved.items, (it) => it.valueUsd);
}
