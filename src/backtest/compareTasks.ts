/**
 * The runs of a backtest comparison as independent tasks, so a runner can spread them over cores: one task per
 * (portfolio, model), in the report's order (portfolio by portfolio, models in the given order), plus the order in
 * which to start them (longest first, so the last task to finish is a short one).
 */
import type { Portfolio } from "../schema/portfolio.js";

/** One (portfolio, model) run of the comparison. */
export interface CompareTask {
  /** Position in the report: results are put back in this order whatever order they finish in. */
  index: number;
  /** Index of the portfolio in the comparison's list. */
  portfolio: number;
  model: string;
}

/** Every (portfolio, model) pair in the report's order. */
export function compareTasks(nPortfolios: number, models: readonly string[]): CompareTask[] {
  const tasks: CompareTask[] = [];
  for (let p = 0; p < nPortfolios; p++) {
    for (const model of models) tasks.push({ index: tasks.length, portfolio: p, model });
  }
  return tasks;
}

/**
 * A rough relative cost of a run, only for ordering: xchain's daily Monte Carlo dwarfs the closed-form models (17 of
 * multichain-fund's 21 s in the 2026-11-30 report), and a run's cost grows with the book's positions.
 */
export function expectedCost(task: CompareTask, portfolios: readonly Portfolio[]): number {
  const positions = portfolios[task.portfolio]?.positions.length ?? 0;
  const items = positions + (portfolios[task.portfolio]?.holdings.length ?? 0);
  return (task.model === "xchain" ? 100 : 1) * (1 + items);
}

/**
 * The tasks in the order a pool of workers should take them: portfolios with the costliest runs first, and within a
 * portfolio its costliest run first (ties keep the report's order).
 */
export function longestFirst(tasks: readonly CompareTask[], portfolios: readonly Portfolio[]): CompareTask[] {
  const portfolioCost = new Map<number, number>();
  for (const t of tasks)
    portfolioCost.set(t.portfolio, (portfolioCost.get(t.portfolio) ?? 0) + expectedCost(t, portfolios));
  return [...tasks].sort(
    (a, b) =>
      portfolioCost.get(b.portfolio)! - portfolioCost.get(a.portfolio)! ||
      a.portfolio - b.portfolio ||
      expectedCost(b, portfolios) - expectedCost(a, portfolios) ||
      a.index - b.index,
  );
}

/**
 * Which queued task a free worker should take, so each portfolio's daily snapshots (the costliest shared work) are
 * built by as few workers as possible: the first task of a portfolio the worker already holds, else of a portfolio no
 * worker has started, else the first task (the worker then builds that portfolio's snapshots a second time rather
 * than idle).
 * @param queue tasks not yet started, in `longestFirst` order
 * @param held portfolios whose snapshots this worker holds
 * @param started portfolios some worker has started
 * @returns index in `queue`, or -1 when it is empty
 */
export function pickTask(
  queue: readonly CompareTask[],
  held: ReadonlySet<number>,
  started: ReadonlySet<number>,
): number {
  const own = queue.findIndex((t) => held.has(t.portfolio));
  if (own >= 0) return own;
  const fresh = queue.findIndex((t) => !started.has(t.portfolio));
  if (fresh >= 0) return fresh;
  return queue.length > 0 ? 0 : -1;
}
