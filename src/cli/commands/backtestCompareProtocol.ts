/** Messages between `runCompareTasks` and its worker threads (`backtestCompareWorker.js`). */
import type { BacktestRunOptions, ModelBacktest } from "../../backtest/compare.js";
import type { CompareTask } from "../../backtest/compareTasks.js";
import type { XmarginErrorJson } from "../../core/errors.js";
import type { Portfolio } from "../../schema/portfolio.js";

/** What every worker is started with: it loads the history itself and keeps one timeline per portfolio it runs. */
export interface CompareWorkerData {
  historyDir: string;
  portfolios: Array<{ name: string; portfolio: Portfolio }>;
  options: BacktestRunOptions;
}

/** Main thread -> worker: run one task (structured-cloned). */
export interface CompareTaskRequest {
  task: CompareTask;
}

/** Worker -> main thread: a task's result, its failure, or a day count of the run in progress. */
export type CompareWorkerReply =
  | { kind: "done"; index: number; result: ModelBacktest; seconds: number }
  | { kind: "failed"; index: number; error: XmarginErrorJson | { message: string; stack?: string } }
  | { kind: "progress"; index: number; label: string; done: number; total: number };
