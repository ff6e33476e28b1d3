import { formatDecimal } from "../core/decimal.js";
import { runMarginModel } from "../margin/computeMargin.js";
import type { ResolvedMarket } from "../margin/resolve/resolvedMarket.js";
import { resolveMarket } from "../margin/resolve/resolveMarket.js";
import { resolvePortfolio } from "../margin/resolve/resolvePortfolio.js";
import { underlyingVolDaily } from "../margin/resolve/underlyingFacts.js";
import type { AnyMarginConfig } from "../margin/resolveConfig.js";
import { xchainDefaults } from "../margin/xchain/config.js";
import { missingDepthOf, unwindCost } from "../margin/xchain/liquidityAddOn.js";
import type { MarketSnapshot } from "../schema/marketSnapshot.js";
import type { Portfolio } from "../schema/portfolio.js";
import { type BookTemplate, bookAt } from "./book.js";
import { dayNumberOf } from "./history/dayTime.js";
import { type DayRange, HISTORY_RULES, type MarketDay, type MarketTimeline } from "./timeline.js";

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
  /**
   * Close rule only (a day whose feeds lack an open, high or low): days between the close that shows the breach and
   * the close at which the book is unwound (default 1).
   */
  delayDays?: number;
  /** Bisection steps that locate the breach on the day's path from the open to its low or high (default 8: 1/256 of the path). */
  breachSteps?: number;
}

/**
 * How the book was unwound: at the breach point of the day's path plus the unwind cost ("breach"); at the worst of
 * the day plus the cost when the open had already gapped past the breach ("gap"); `delayDays` after a breach seen
 * at a close, for days without a range ("next-close").
 */
export type ExecutionRule = "breach" | "gap" | "next-close";

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
  executionRule?: ExecutionRule;
  equityAtExecutionUsd?: number;
  unwindCostUsd?: number;
  /** max(0, -(equity at execution - unwind cost)): the loss beyond the account's collateral. */
  badDebtUsd?: number;
  /** Lowest equity seen (before any liquidation), USD. */
  minEquityUsd?: number;
}

/**
 * Cost to unwind a whole book at once at a market's depth and vols: the xchain liquidity add-on's own function
 * (margin/xchain/liquidityAddOn.ts), with the market's risk-factor vols and the model's thin-market defaults.
 */
export function unwindCostUsd(book: Portfolio, market: ResolvedMarket): number {
  const items = resolvePortfolio(book, market).items;
  const fallbackVolDaily = xchainDefaults.fallbackVolAnnual / Math.sqrt(365);
  const volDailyOf = (u: string) => underlyingVolDaily(market, u, fallbackVolDaily);
  return unwindCost(items, market, volDailyOf, missingDepthOf(xchainDefaults)).unwindUsd;
}

const isoDay = (dayNumber: number) => new Date(dayNumber * 86_400_000).toISOString().slice(0, 10);

/**
 * The days (day numbers) a window's replay reads: from the close the account opens at (the day before the start) to
 * the window's end plus the close rule's delay.
 */
export function windowDayNumbers(w: CrisisWindow, delayDays: number): { open: number; last: number } {
  return { open: dayNumberOf(w.start) - 1, last: dayNumberOf(w.end) + delayDays };
}

function coverageReason(timeline: MarketTimeline, w: CrisisWindow, delay: number): string | undefined {
  const { open, last } = windowDayNumbers(w, delay);
  const missing: string[] = [];
  for (let d = open; d <= last; d++) if (!timeline.indexOfDay.has(d)) missing.push(isoDay(d));
  if (missing.length === 0) return undefined;
  const first = timeline.runFirstDate;
  const lastDate = timeline.runLastDate;
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

/** A replayed day's market with its feeds at other prices (the previous close's risk factors, vols and depth). */
function marketAtPrices(base: MarketSnapshot, pricesUsd: ReadonlyMap<string, number>): ResolvedMarket {
  const quotes = base.quotes.map((q) => {
    const p = pricesUsd.get(q.feed.slice(0, q.feed.indexOf("/")));
    return p === undefined ? q : { ...q, price: formatDecimal(p, 12) };
  });
  return resolveMarket({ ...base, quotes }, HISTORY_RULES);
}

interface PointCheck {
  market: ResolvedMarket;
  equityUsd: number;
  breached: boolean;
}

/** Execution of one breach: the book's equity at the execution prices and the cost of unwinding it there. */
interface Execution {
  rule: ExecutionRule;
  equityUsd: number;
  costUsd: number;
}

/**
 * The intraday check of one day (every feed has an open, high and low): prices run in a straight line from the open
 * to the day's low (every feed at its low) and to its high; the day's close is checked too. A breach on a path is
 * located by bisection and the book unwound there at the square-root unwind cost; when the open itself is already
 * breached (a gap past the breach), at the worst of the day's low and high. Returns the worst execution, or
 * undefined when the day shows no breach; `seen` gets every equity checked.
 */
function intradayExecution(
  ranges: ReadonlyMap<string, DayRange>,
  previous: MarketDay,
  day: MarketDay,
  check: (market: ResolvedMarket) => PointCheck,
  costAt: (market: ResolvedMarket) => number,
  steps: number,
  seen: (equityUsd: number) => void,
): Execution | undefined {
  const pricesAt = (theta: number, end: "lowUsd" | "highUsd") =>
    new Map([...ranges].map(([sym, r]) => [sym, r.openUsd + theta * (r[end] - r.openUsd)]));
  const at = (theta: number, end: "lowUsd" | "highUsd") =>
    check(marketAtPrices(previous.snapshot, pricesAt(theta, end)));
  const corners = [at(1, "lowUsd"), at(1, "highUsd")];
  for (const c of corners) seen(c.equityUsd);
  const execute = (rule: ExecutionRule, p: PointCheck): Execution => ({
    rule,
    equityUsd: p.equityUsd,
    costUsd: costAt(p.market),
  });
  const executions: Execution[] = [];
  (["lowUsd", "highUsd"] as const).forEach((end, k) => {
    if (!corners[k]!.breached) return;
    if (at(0, end).breached) {
      executions.push(execute("gap", corners[0]!.equityUsd <= corners[1]!.equityUsd ? corners[0]! : corners[1]!));
      return;
    }
    let lo = 0;
    let hi = 1;
    let point = corners[k]!;
    for (let i = 0; i < steps; i++) {
      const mid = (lo + hi) / 2;
      const p = at(mid, end);
      if (p.breached) {
        hi = mid;
        point = p;
      } else lo = mid;
    }
    executions.push(execute("breach", point));
  });
  const close = check(day.market);
  seen(close.equityUsd);
  if (executions.length === 0 && close.breached) executions.push(execute("breach", close));
  let worst: Execution | undefined;
  for (const e of executions) if (!worst || e.equityUsd - e.costUsd < worst.equityUsd - worst.costUsd) worst = e;
  return worst;
}

/**
 * Liquidation replay through each crisis window. The account opens at the close of the day before the window with
 * the day's book (book.ts) and USD cash such that its collateral value equals the model's IM (an account funded
 * exactly at its initial margin). The book is then held unchanged and checked against MM within each day, on the
 * day's open/high/low of every feed (docs/backtesting.md): prices from the open to the day's low and to its high,
 * re-margined with the previous close's risk factors (no look-ahead), and at the close. On a breach the book is
 * unwound at the breach point plus the square-root unwind cost at that market's depth (the liquidation the MM is sized
 * for: breach to completed unwind within the model's liquidation horizon), or at the worst of the day when the open
 * had already gapped past the breach. A day without a full range falls back to the close rule: breach at a close,
 * unwound `delayDays` later at that close plus the cost. Bad debt = what the unwound account owes beyond its
 * collateral. Cross-margin pools are taken together (the cash is assumed to sit where it is needed).
 */
export function liquidationReplay(
  timeline: MarketTimeline,
  template: BookTemplate,
  config: AnyMarginConfig,
  windows: readonly CrisisWindow[] = CRISIS_WINDOWS,
  options: LiquidationOptions = {},
): WindowOutcome[] {
  const delay = options.delayDays ?? 1;
  const steps = options.breachSteps ?? 8;
  const dayAt = (dayNumber: number) => timeline.days[timeline.indexOfDay.get(dayNumber)!]!;
  return windows.map((window): WindowOutcome => {
    const reason = coverageReason(timeline, window, delay);
    if (reason) return { window, covered: false, reason };
    const openDay = dayAt(dayNumberOf(window.start) - 1);
    const book = bookAt(template, openDay.asOfSec, openDay.spotUsd, timeline.carryAnnual);
    const open = runMarginModel(resolvePortfolio(book, openDay.market), openDay.market, config);
    const cash = open.initialMarginUsd - open.collateralValueUsd;
    const funded = open.equityUsd + cash;
    const check = (market: ResolvedMarket): PointCheck => {
      const r = runMarginModel(resolvePortfolio(book, market), market, config);
      return {
        market,
        equityUsd: r.equityUsd + cash,
        breached: r.maintenanceCollateralValueUsd + cash < r.maintenanceMarginUsd,
      };
    };
    const costAt = (market: ResolvedMarket) => unwindCostUsd(book, market);
    let minEquity = funded;
    const seen = (equityUsd: number) => {
      minEquity = Math.min(minEquity, equityUsd);
    };
    const base = { window, covered: true, openDate: openDay.date, fundedEquityUsd: funded, cashUsd: cash };
    const endNumber = dayNumberOf(window.end);
    for (let d = openDay.dayNumber + 1; d <= endNumber; d++) {
      const day = dayAt(d);
      const previous = dayAt(d - 1);
      const feeds = previous.snapshot.quotes.map((q) => q.feed.slice(0, q.feed.indexOf("/")));
      const fullRange = feeds.every((f) => day.rangeUsd.has(f));
      let execution: Execution | undefined;
      let executionDate = day.date;
      if (fullRange) {
        execution = intradayExecution(day.rangeUsd, previous, day, check, costAt, steps, seen);
      } else {
        const close = check(day.market);
        seen(close.equityUsd);
        if (close.breached) {
          const exec = dayAt(d + delay);
          const equity = bookValueAt(book, exec.market) + cash;
          seen(equity);
          execution = { rule: "next-close", equityUsd: equity, costUsd: costAt(exec.market) };
          executionDate = exec.date;
        }
      }
      if (execution) {
        return {
          ...base,
          liquidated: true,
          triggerDate: day.date,
          executionDate,
          executionRule: execution.rule,
          equityAtExecutionUsd: execution.equityUsd,
          unwindCostUsd: execution.costUsd,
          badDebtUsd: Math.max(0, execution.costUsd - execution.equityUsd),
          minEquityUsd: minEquity,
        };
      }
    }
    return { ...base, liquidated: false, badDebtUsd: 0, minEquityUsd: minEquity };
  });
}

/** Mark value of a book in a market. */
function bookValueAt(book: Portfolio, market: ResolvedMarket): number {
  return resolvePortfolio(book, market).items.reduce((s, it) => s + it.valueUsd, 0);
}
