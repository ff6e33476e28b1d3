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
import type { MarketTimeline } from "./timeline.js";

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

/**
 * What replaying a timeline's days needs that no model changes: each day's book (re-based to its close) resolved in
 * the day's market with its items' mark values, and the same book's item values at later closes. Computed on first
 * use and kept, so every model replayed on the same days (a part of a comparison) shares them.
 */
export class DayBooks {
  private readonly resolved: Array<{ book: Portfolio; resolved: ResolvedPortfolio; valuesUsd: Float64Array }> = [];
  private readonly later = new Map<number, Float64Array | null>();

  constructor(
    readonly timeline: MarketTimeline,
    readonly template: BookTemplate,
  ) {}

  /** Day t's book, resolved in its market, and its items' mark values. */
  at(t: number): { book: Portfolio; resolved: ResolvedPortfolio; valuesUsd: Float64Array } {
    let hit = this.resolved[t];
    if (!hit) {
      const day = this.timeline.days[t]!;
      const book = bookAt(this.template, day.asOfSec, day.spotUsd, this.timeline.carryAnnual);
      const resolved = resolvePortfolio(book, day.market);
      hit = { book, resolved, valuesUsd: valuesOf(resolved) };
      this.resolved[t] = hit;
    }
    return hit;
  }

  /** Item values of day t's book at the close `k` days later; null when that close is not in the timeline. */
  valuesAfter(t: number, k: number): Float64Array | null {
    // t < 2^21 days and k < 2^31: one exact number per (t, k).
    const key = k * 2 ** 21 + t;
    let v = this.later.get(key);
    if (v === undefined) {
      const idx = this.timeline.indexOfDay.get(this.timeline.days[t]!.dayNumber + k);
      v = idx === undefined ? null : itemValues(this.at(t).book, this.timeline.days[idx]!.market);
      this.later.set(key, v);
    }
    return v;
  }
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
  options: { horizonDays?: number; first?: number; end?: number; books?: DayBooks } = {},
  onProgress?: (done: number, total: number) => void,
): { replay: ReplayResult; lastDayNumberRead: number } {
  const all = timeline.days;
  const first = options.first ?? 0;
  const days = all.slice(first, options.end ?? all.length);
  const shared = options.books ?? new DayBooks(timeline, template);
  if (shared.timeline !== timeline || shared.template !== template) {
    throw invalidInput("$.books", "the shared day books belong to another timeline or book");
  }
  if (days.length === 0) throw invalidInput("$.timeline", "no day to replay");
  const fixed = options.horizonDays;
  if (fixed !== undefined && !(Number.isInteger(fixed) && fixed >= 1)) {
    throw invalidInput("$.horizonDays", "must be an integer >= 1");
  }
  const rows: ReplayDay[] = [];
  const horizons: Int32Array[] = [];
  let modelHorizonDays = 1;
  let horizonDays = 1;
  days.forEach((day, t) => {
    const { resolved, valuesUsd: v } = shared.at(first + t);
    const report = runMarginModel(resolved, day.market, config);
    if (t === 0) modelHorizonDays = horizonOf(report);
    const h = itemHorizons(report, v.length, fixed);
    for (const x of h) horizonDays = Math.max(horizonDays, x);
    const haircut = report.equityUsd - report.collateralValueUsd;
    horizons.push(h);
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
    const valuesAfter = (k: number): Float64Array | null => {
      lastDayNumberRead = Math.max(lastDayNumberRead, row.dayNumber + k);
      return shared.valuesAfter(first + t, k);
    };
    const next = valuesAfter(1);
    if (next) row.oneDayLossUsd = row.equityUsd - next.reduce((a, x) => a + x, 0);
    let loss = 0;
    const h = horizons[t]!;
    const values = shared.at(first + t).valuesUsd;
    for (let i = 0; i < h.length; i++) {
      const v = valuesAfter(h[i]!);
      if (!v) return;
      loss += values[i]! - v[i]!;
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
