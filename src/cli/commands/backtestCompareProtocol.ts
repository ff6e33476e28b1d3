/** Messages between `runCompareTasks` and its worker threads (`backtestCompareWorker.js`). */
import type { BacktestRunOptions } from "../../backtest/compare.js";
import type { CompareTaskResult, PortfolioEntry } from "../../backtest/compareParts.js";
import type { CompareTask } from "../../backtest/compareTasks.js";
import type { History } from "../../backtest/history/history.js";
import type { XmarginErrorJson } from "../../core/errors.js";

/** What every worker is started with (the history is a Map of plain series: cloned, not re-read from the CSVs). */
export interface CompareWorkerData {
  history: History;
  portfolios: PortfolioEntry[];
  models: readonly string[];
  options: BacktestRunOptions;
}

/** Main thread -> worker: run one task (structured-cloned). */
export interface CompareTaskRequest {
  task: CompareTask;
}

/**
 * Worker -> main thread: a task's result or its failure (progress is counted in finished tasks: two workers' day
 * counts would fight over one bar).
 */
export type CompareWorkerReply =
  | { kind: "done"; index: number; result: CompareTaskResult; seconds: number }
  | { kind: "failed"; index: number; error: XmarginErrorJson | { message: string; stack?: string } };
