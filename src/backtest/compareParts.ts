/**
 * Runs one task of a backtest comparison (compareTasks.ts) and joins the tasks' results into each model's backtest,
 * equal to `backtestNamedModel` on the whole timeline: every day is built from the data up to it alone, and every
 * model's report on a day depends on that day's market only, so a part of the run gives the whole run's days.
 */
import type { Portfolio } from "../schema/portfolio.js";
import { type BacktestRunOptions, backtestConfig, type ModelBacktest, modelBacktestOf } from "./compare.js";
import type { CompareTask, ReplayPartTask } from "./compareTasks.js";
import { dayNumberOf } from "./history/dayTime.js";
import type { History } from "./history/history.js";
import { CRISIS_WINDOWS, liquidationReplay, type WindowOutcome, windowDayNumbers } from "./liquidation.js";
import { DayBooks, type ReplayResult, replayPart, templateFor } from "./replay.js";
import { buildMarketTimeline } from "./timeline.js";

/**
 * Calendar days built after a part's last day for its losses: the example books' longest item horizon is 8 days;
 * when one reaches further, the part is built again reaching far enough.
 */
export const PART_LOOKAHEAD_DAYS = 10;

/** What a task gives, per model in the comparison's order. */
export type CompareTaskResult =
  | { kind: "replay"; replays: ReplayResult[] }
  | { kind: "liquidation"; outcomes: WindowOutcome[][] };

export interface PortfolioEntry {
  name: string;
  portfolio: Portfolio;
}

/**
 * @param lookaheadDays calendar days built after a replay part's last day at first (tests make it short so that a
 *   horizon reaches past it)
 */
export function runCompareTask(
  history: History,
  entry: PortfolioEntry,
  models: readonly string[],
  options: BacktestRunOptions,
  task: CompareTask,
  lookaheadDays: number = PART_LOOKAHEAD_DAYS,
): CompareTaskResult {
  if (task.kind === "liquidation")
    return { kind: "liquidation", outcomes: liquidationPart(history, entry, models, options) };
  return { kind: "replay", replays: replayPartTask(history, entry, models, options, task, lookaheadDays) };
}

/**
 * Every model on the part's days. The days after the part are built only as far as the losses look (each item's
 * horizon); when a horizon reaches past them, the part is built again reaching far enough.
 */
function replayPartTask(
  history: History,
  entry: PortfolioEntry,
  models: readonly string[],
  options: BacktestRunOptions,
  task: ReplayPartTask,
  lookaheadDays: number,
): ReplayResult[] {
  const template = templateFor(history, entry.portfolio, options.referenceDate);
  let lookahead = lookaheadDays;
  for (;;) {
    let lastNumber = Number.POSITIVE_INFINITY;
    const timeline = buildMarketTimeline(history, entry.portfolio, options, undefined, (date, k) => {
      if (k === task.end - 1) lastNumber = dayNumberOf(date) + lookahead;
      return k >= task.first && (k < task.end || dayNumberOf(date) <= lastNumber);
    });
    const runLast = dayNumberOf(timeline.runLastDate);
    const replays: ReplayResult[] = [];
    // The days' books and their values at later closes are the same for every model: resolved once.
    const books = new DayBooks(timeline, template);
    let reach = 0;
    for (const model of models) {
      const config = backtestConfig(model, options.paths, options.volMethod);
      const r = replayPart(timeline, template, config, { first: 0, end: task.end - task.first, books });
      replays.push(r.replay);
      reach = Math.max(reach, r.lastDayNumberRead);
      if (reach > lastNumber && lastNumber < runLast) break;
    }
    if (reach <= lastNumber || lastNumber >= runLast) return replays;
    lookahead += reach - lastNumber;
  }
}

/** Every model's crisis-window replays, on the days the windows read only. */
function liquidationPart(
  history: History,
  entry: PortfolioEntry,
  models: readonly string[],
  options: BacktestRunOptions,
): WindowOutcome[][] {
  const windows = options.windows ?? CRISIS_WINDOWS;
  const spans = windows.map((w) => windowDayNumbers(w, options.liquidation?.delayDays ?? 1));
  const timeline = buildMarketTimeline(history, entry.portfolio, options, undefined, (date) => {
    const d = dayNumberOf(date);
    return spans.some((s) => d >= s.open && d <= s.last);
  });
  const template = templateFor(history, entry.portfolio, options.referenceDate);
  return models.map((model) =>
    liquidationReplay(
      timeline,
      template,
      backtestConfig(model, options.paths, options.volMethod),
      windows,
      options.liquidation,
    ),
  );
}

/** One replay from its parts in day order: the first part's first-day horizon, the longest realised horizon. */
export function joinReplayParts(parts: readonly ReplayResult[]): ReplayResult {
  const first = parts[0]!;
  return {
    accountId: first.accountId,
    model: first.model,
    modelHorizonDays: first.modelHorizonDays,
    horizonDays: Math.max(...parts.map((p) => p.horizonDays)),
    days: parts.flatMap((p) => p.days),
  };
}

/**
 * Each model's backtest of one portfolio from its tasks' results.
 * @param parts the portfolio's replay results in part order, each per model
 * @param outcomes its liquidation task's outcomes per model
 */
export function joinPortfolio(
  name: string,
  models: readonly string[],
  options: BacktestRunOptions,
  parts: readonly ReplayResult[][],
  outcomes: readonly WindowOutcome[][],
): ModelBacktest[] {
  return models.map((model, m) =>
    modelBacktestOf(
      name,
      backtestConfig(model, options.paths, options.volMethod),
      joinReplayParts(parts.map((p) => p[m]!)),
      outcomes[m]!,
      options,
    ),
  );
}
