/** Messages between `runCompareTasks` and its worker threads (`backtestCompareWorker.js`). */
import type { BacktestRunOptions, ModelBacktest } from "../../backtest/compare.js";
import type { CompareTask } from "../../backtest/compareTasks.js";
import type { History } from "../../backtest/history/history.js";
import type { XmarginErrorJson } from "../../core/errors.js";
import type { Portfolio } from "../../schema/portfolio.js";

/** What every worker is started with (the history is a Map of plain series: cloned, not re-read from the CSVs). */
export interface CompareWorkerData {
  history: History;
  portfolios: Array<{ name: string; portfolio: Portfolio }>;
  options: BacktestRunOptions;
}

/** Main thread -> worker: run one task (structured-cloned). */
export interface CompareTaskRequest {
  task: CompareTask;
  /** Portfolios whose daily snapshots the worker may drop: no run left needs them (the live heap costs every GC). */
  release: number[];
}

/**
 * Worker -> main thread: a task's result or its failure (progress is counted in finished runs: two workers' day
 * counts would fight over one bar).
 */
export type CompareWorkerReply =
  | { kind: "done"; index: number; result: ModelBacktest; seconds: number }
  | { kind: "failed"; index: number; error: XmarginErrorJson | { message: string; stack?: string } };
