/**
 * The work of a backtest comparison as independent tasks, so a runner can spread it evenly over cores: each
 * portfolio's replayable days cut into parts (every model replayed on a part's days, which are built from the data up
 * to each day alone, so a part gives the days of the whole run), plus one task per portfolio for the crisis-window
 * liquidation replays; and the order in which to start them (costliest first, so the last to finish is a short one).
 */
import type { Portfolio } from "../schema/portfolio.js";

/** Every model replayed on the replayable days [first, end) of one portfolio. */
export interface ReplayPartTask {
  kind: "replay";
  /** Position in the task list (results are put back by it, whatever order they finish in). */
  index: number;
  /** Index of the portfolio in the comparison's list. */
  portfolio: number;
  /** Part number within the portfolio (0 first). */
  part: number;
  first: number;
  end: number;
}

/** Every model's liquidation replay through the crisis windows, for one portfolio. */
export interface LiquidationTask {
  kind: "liquidation";
  index: number;
  portfolio: number;
}

export type CompareTask = ReplayPartTask | LiquidationTask;

/**
 * Cost of a replay part in `dayWeight` units (days x items): about 2 s of one core for the example books (the
 * costliest, 15 items, replays ~10 ms per day under the five models). A part pays a fixed ~0.1 s (its first day's
 * catch-up of the risk-factor recursions, the days after it built for the losses), so parts are as long as an even
 * split of a ~30 s run over two cores allows.
 */
export const PART_COST = 3000;

/** A portfolio's relative cost per replayed day: its items (xchain's daily Monte Carlo grows with them), plus one. */
export function dayWeight(portfolio: Portfolio): number {
  return 1 + portfolio.positions.length + portfolio.holdings.length;
}

/**
 * The tasks, portfolio by portfolio: its replay parts in day order, then its liquidation task.
 * @param dayCounts replayable days of each portfolio (`replayableDays`), each > 0
 * @param weights each portfolio's `dayWeight`
 * @param partCost cost of a part (`PART_COST`); parts are equal in days within a portfolio
 */
export function compareTasks(
  dayCounts: readonly number[],
  weights: readonly number[],
  partCost: number = PART_COST,
): CompareTask[] {
  const tasks: CompareTask[] = [];
  dayCounts.forEach((days, portfolio) => {
    // Equal parts (within one day), so no part is a short remainder.
    const parts = Math.max(1, Math.round((days * weights[portfolio]!) / partCost));
    for (let part = 0; part < parts; part++) {
      const first = Math.round((part * days) / parts);
      const end = Math.round(((part + 1) * days) / parts);
      tasks.push({ kind: "replay", index: tasks.length, portfolio, part, first, end });
    }
    tasks.push({ kind: "liquidation", index: tasks.length, portfolio });
  });
  return tasks;
}

/**
 * A rough relative cost of a task, only for ordering: its days times the book's `dayWeight`; a liquidation task
 * replays ~60 window days with ~10 re-margins each.
 */
export function expectedCost(task: CompareTask, portfolios: readonly Portfolio[]): number {
  const p = portfolios[task.portfolio];
  return (task.kind === "replay" ? task.end - task.first : 60) * (p ? dayWeight(p) : 1);
}

/** The tasks in the order a pool of workers should take them: costliest first (ties keep the list's order). */
export function longestFirst(tasks: readonly CompareTask[], portfolios: readonly Portfolio[]): CompareTask[] {
  return [...tasks].sort((a, b) => expectedCost(b, portfolios) - expectedCost(a, portfolios) || a.index - b.index);
}
