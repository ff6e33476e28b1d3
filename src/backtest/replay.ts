import { invalidInput } from "../core/errors.js";
import { runMarginModel } from "../margin/computeMargin.js";
import type { MarginReport } from "../margin/report.js";
import type { ResolvedMarket } from "../margin/resolve/resolvedMarket.js";
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
  /** Loss of the day's book over the horizon (positive = loss); null when the later close is not in the data. */
  lossUsd: number | null;
  exception: boolean | null;
  /** Warning or critical flags of the day's report. */
  warnings: number;
  /**
   * The model's own VaR for a VaR backtest: xchain's 1-day 99% VaR of the simulated P&L (`backtestVarUsd`, at current
   * vols, before floors, add-ons and the IM buffer); other models, their first component at its maintenance level.
   */
  riskComponentUsd: number;
}

export interface ReplayResult {
  accountId: string;
  model: string;
  /** Longest liquidation horizon the model reported (days; 1 for models without horizons). */
  modelHorizonDays: number;
  /** Horizon of the realised loss: the model's rounded to whole days, at least 1. */
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

/** The day's book (re-based to its close) and the model's report on it. */
export function marginOnDay(
  template: BookTemplate,
  day: MarketDay,
  config: AnyMarginConfig,
  carry: Readonly<Record<string, number>>,
): { book: Portfolio; report: MarginReport } {
  const book = bookAt(template, day.asOfSec, day.spotUsd, carry);
  const report = runMarginModel(resolvePortfolio(book, day.market), day.market, config);
  return { book, report };
}

function horizonOf(report: MarginReport): number {
  let h = 1;
  for (const row of report.byPosition) if (row.horizonDays !== undefined) h = Math.max(h, row.horizonDays);
  return h;
}

/**
 * Walks the timeline with one model: each day the book is re-based to the close (book.ts), the model computes its
 * margin from that day's snapshot (built from data up to that day only), and the realised loss is the change in the
 * same book's mark value from that close to the close `horizonDays` later. An exception is a loss above the margin
 * (IM + haircuts). The loss horizon is the model's longest liquidation horizon rounded to whole days (daily data),
 * at least 1; `horizonDays` overrides it.
 */
export function replayMargin(
  timeline: MarketTimeline,
  template: BookTemplate,
  config: AnyMarginConfig,
  options: { horizonDays?: number } = {},
  onProgress?: (done: number, total: number) => void,
): ReplayResult {
  const days = timeline.days;
  if (days.length === 0) throw invalidInput("$.timeline", "no day to replay");
  const rows: ReplayDay[] = [];
  const books: Portfolio[] = [];
  let modelHorizonDays = 1;
  let horizonDays = options.horizonDays ?? 0;
  days.forEach((day, t) => {
    const { book, report } = marginOnDay(template, day, config, timeline.carryAnnual);
    if (t === 0) {
      modelHorizonDays = horizonOf(report);
      if (!options.horizonDays) horizonDays = Math.max(1, Math.round(modelHorizonDays));
    }
    const equity = bookValueUsd(book, day.market);
    const haircut = report.equityUsd - report.collateralValueUsd;
    books.push(book);
    rows.push({
      date: day.date,
      dayNumber: day.dayNumber,
      equityUsd: equity,
      initialMarginUsd: report.initialMarginUsd,
      maintenanceMarginUsd: report.maintenanceMarginUsd,
      haircutUsd: haircut,
      marginUsd: report.initialMarginUsd + haircut,
      lossUsd: null,
      exception: null,
      warnings: report.flags.filter((f) => f.severity !== "info").length,
      riskComponentUsd: report.backtestVarUsd ?? report.components[0]?.maintenanceMarginUsd ?? 0,
    });
    onProgress?.(t + 1, days.length);
  });
  if (!(Number.isInteger(horizonDays) && horizonDays >= 1))
    throw invalidInput("$.horizonDays", "must be an integer >= 1");
  rows.forEach((row, t) => {
    const later = timeline.indexOfDay.get(row.dayNumber + horizonDays);
    if (later === undefined) return;
    const loss = row.equityUsd - bookValueUsd(books[t]!, days[later]!.market);
    row.lossUsd = loss;
    row.exception = loss > row.marginUsd;
  });
  return { accountId: template.accountId, model: config.model, modelHorizonDays, horizonDays, days: rows };
}
