import { runMarginModel } from "../margin/computeMargin.js";
import { resolvePortfolio } from "../margin/resolve/resolvePortfolio.js";
import { underlyingVolDaily } from "../margin/resolve/underlyingFacts.js";
import type { AnyMarginConfig } from "../margin/resolveConfig.js";
import { xchainDefaults } from "../margin/xchain/config.js";
import { missingDepthOf, unwindCost } from "../margin/xchain/liquidityAddOn.js";
import type { Portfolio } from "../schema/portfolio.js";
import { type BookTemplate, bookAt } from "./book.js";
import { dayNumberOf } from "./history/dayTime.js";
import type { MarketDay, MarketTimeline } from "./timeline.js";

/** A crisis the backtests must cover (../shared/design/MODELS.md), with the days replayed around it. */
export interface CrisisWindow {
  id: string;
  label: string;
  /** First and last day (inclusive) of the replay; the account opens at the close of the day before `start`. */
  start: string;
  end: string;
}

export const CRISIS_WINDOWS: readonly CrisisWindow[] = [
  { id: "2020-03", label: "March 2020 (Black Thursday)", start: "2020-03-09", end: "2020-03-16" },
  { id: "2021-05", label: "May 2021 crash", start: "2021-05-12", end: "2021-05-23" },
  { id: "2022-05", label: "May 2022 UST/LUNA", start: "2022-05-05", end: "2022-05-16" },
  { id: "2022-06", label: "June 2022 stETH / Celsius / 3AC", start: "2022-06-10", end: "2022-06-20" },
  { id: "2022-11", label: "Nov 2022 FTX", start: "2022-11-06", end: "2022-11-14" },
  { id: "2023-03", label: "Mar 2023 USDC / SVB", start: "2023-03-09", end: "2023-03-15" },
];

export interface LiquidationOptions {
  /** Days between the close that shows the breach and the close at which the book is unwound (default 1). */
  delayDays?: number;
}

export interface WindowOutcome {
  window: CrisisWindow;
  covered: boolean;
  /** Why the data cannot cover the window (covered = false). */
  reason?: string;
  openDate?: string;
  /** Equity the account opens with: IM + haircuts of the book at the open. */
  fundedEquityUsd?: number;
  /** Cash (USD, weight 1; negative = borrowed) added so that collateral value = IM at the open. */
  cashUsd?: number;
  liquidated?: boolean;
  triggerDate?: string;
  executionDate?: string;
  equityAtExecutionUsd?: number;
  unwindCostUsd?: number;
  /** max(0, -(equity at execution - unwind cost)): the loss beyond the account's collateral. */
  badDebtUsd?: number;
  /** Lowest equity seen (before any liquidation), USD. */
  minEquityUsd?: number;
}

/**
 * Cost to unwind a whole book at once at a day's depth and vols: the xchain liquidity add-on's own function
 * (margin/xchain/liquidityAddOn.ts), with the day's risk-factor vols and the model's thin-market defaults.
 */
export function unwindCostUsd(book: Portfolio, day: MarketDay): number {
  const items = resolvePortfolio(book, day.market).items;
  const fallbackVolDaily = xchainDefaults.fallbackVolAnnual / Math.sqrt(365);
  const volDailyOf = (u: string) => underlyingVolDaily(day.market, u, fallbackVolDaily);
  return unwindCost(items, day.market, volDailyOf, missingDepthOf(xchainDefaults)).unwindUsd;
}

const isoDay = (dayNumber: number) => new Date(dayNumber * 86_400_000).toISOString().slice(0, 10);

function coverageReason(timeline: MarketTimeline, w: CrisisWindow, delay: number): string | undefined {
  const open = dayNumberOf(w.start) - 1;
  const last = dayNumberOf(w.end) + delay;
  const missing: string[] = [];
  for (let d = open; d <= last; d++) if (!timeline.indexOfDay.has(d)) missing.push(isoDay(d));
  if (missing.length === 0) return undefined;
  const first = timeline.days[0]?.date ?? "";
  const lastDate = timeline.days.at(-1)?.date ?? "";
  if (isoDay(last) < first) {
    const late = timeline.ranges.filter((r) => r.firstDate > isoDay(open - timeline.warmupDays));
    const why = late.length
      ? `${late.map((r) => `${r.symbol} starts ${r.firstDate}`).join(", ")}`
      : "the replay range starts later";
    return `replay starts ${first} (${why}; ${timeline.warmupDays}-day warm-up)`;
  }
  if (isoDay(open) > lastDate) {
    const early = timeline.ranges.filter((r) => r.lastDate < isoDay(last));
    const why = early.length
      ? early.map((r) => `${r.symbol} ends ${r.lastDate}`).join(", ")
      : "the replay range ends earlier";
    return `replay ends ${lastDate} (${why})`;
  }
  return `no common close on ${missing.slice(0, 3).join(", ")}${missing.length > 3 ? ", ..." : ""}`;
}

/**
 * Liquidation replay through each crisis window. The account opens at the close of the day before the window with
 * the day's book (book.ts) and USD cash such that its collateral value equals the model's IM (an account funded
 * exactly at its initial margin). The book is then held unchanged. At each close the model re-margins it; when
 * maintenance collateral (+ cash) falls below MM, the book is unwound `delayDays` later at that close, paying the
 * square-root unwind cost at that day's depth. Bad debt = what the unwound account owes beyond its collateral.
 * Cross-margin pools are taken together (the cash is assumed to sit where it is needed).
 */
export function liquidationReplay(
  timeline: MarketTimeline,
  template: BookTemplate,
  config: AnyMarginConfig,
  windows: readonly CrisisWindow[] = CRISIS_WINDOWS,
  options: LiquidationOptions = {},
): WindowOutcome[] {
  const delay = options.delayDays ?? 1;
  const dayAt = (dayNumber: number) => timeline.days[timeline.indexOfDay.get(dayNumber)!]!;
  return windows.map((window): WindowOutcome => {
    const reason = coverageReason(timeline, window, delay);
    if (reason) return { window, covered: false, reason };
    const openDay = dayAt(dayNumberOf(window.start) - 1);
    const book = bookAt(template, openDay.asOfSec, openDay.spotUsd, timeline.carryAnnual);
    const margin = (day: MarketDay) => runMarginModel(resolvePortfolio(book, day.market), day.market, config);
    const open = margin(openDay);
    const cash = open.initialMarginUsd - open.collateralValueUsd;
    const funded = open.equityUsd + cash;
    let minEquity = funded;
    const endNumber = dayNumberOf(window.end);
    for (let d = openDay.dayNumber + 1; d <= endNumber; d++) {
      const day = dayAt(d);
      const r = margin(day);
      minEquity = Math.min(minEquity, r.equityUsd + cash);
      if (r.maintenanceCollateralValueUsd + cash < r.maintenanceMarginUsd) {
        const exec = dayAt(d + delay);
        const equity = resolvePortfolio(book, exec.market).items.reduce((s, it) => s + it.valueUsd, 0) + cash;
        const cost = unwindCostUsd(book, exec);
        minEquity = Math.min(minEquity, equity);
        return {
          window,
          covered: true,
          openDate: openDay.date,
          fundedEquityUsd: funded,
          cashUsd: cash,
          liquidated: true,
          triggerDate: day.date,
          executionDate: exec.date,
          equityAtExecutionUsd: equity,
          unwindCostUsd: cost,
          badDebtUsd: Math.max(0, cost - equity),
          minEquityUsd: minEquity,
        };
      }
    }
    return {
      window,
      covered: true,
      openDate: openDay.date,
      fundedEquityUsd: funded,
      cashUsd: cash,
      liquidated: false,
      badDebtUsd: 0,
      minEquityUsd: minEquity,
    };
  });
}
