/**
 * Runs a backtest comparison's tasks (parts of each portfolio's days under every model, and each portfolio's
 * crisis-window replays: compareTasks.ts), on worker threads when more than one is asked for. Every task is
 * deterministic (fixed seeds) and depends on its own days only, so the joined results are the same whichever worker
 * ran each task and in whatever order they finished; the costliest tasks start first, and no task is long enough for
 * the last one to leave a core idle for long.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { BacktestRunOptions, ModelBacktest, Progress } from "../../backtest/compare.js";
import {
  type CompareTaskResult,
  joinPortfolio,
  type PortfolioEntry,
  runCompareTask,
} from "../../backtest/compareParts.js";
import { type CompareTask, compareTasks, dayWeight, longestFirst } from "../../backtest/compareTasks.js";
import type { History } from "../../backtest/history/history.js";
import type { WindowOutcome } from "../../backtest/liquidation.js";
import type { ReplayResult } from "../../backtest/replay.js";
import { replayableDays } from "../../backtest/timeline.js";
import { XmarginError } from "../../core/errors.js";
import type { CompareTaskRequest, CompareWorkerData, CompareWorkerReply } from "./backtestCompareProtocol.js";

/**
 * A young generation of 192 MB (64 MB semi-spaces, V8's default is 16): an xchain day allocates its scenario set and
 * P&L vectors (megabytes of typed arrays) that die with the day; with small semi-spaces every few days forces a
 * scavenge and promotes the day's live objects, and the old generation then fills and is marked again and again.
 * Measured on the multichain-fund xchain replay: 18% less CPU (BENCHMARKS.md, backtest-compare).
 */
const COMPARE_WORKER_LIMITS = { maxYoungGenerationSizeMb: 192 };

export interface CompareRunInput {
  history: History;
  portfolios: PortfolioEntry[];
  models: readonly string[];
  options: BacktestRunOptions;
  /** Worker threads; 1 runs everything on the calling thread. Default: the cores available, at most the tasks. */
  workers?: number;
  /** URL of the compiled worker script; default `./backtestCompareWorker.js` beside this module. */
  workerUrl?: URL;
  /** Cost of a replay part in days x `dayWeight` (default `PART_COST`; tests make it small to cut runs into many parts). */
  partCost?: number;
  progress?: Progress;
  /**
   * Called once per portfolio as soon as its tasks are all done, with its models' backtests (as in `results`), while
   * the workers go on with the other tasks: the command renders the portfolio's chart meanwhile.
   */
  onPortfolio?: (portfolio: number, backtests: ModelBacktest[]) => void;
}

export interface CompareRunOutput {
  /** In the report's order: portfolio by portfolio, models in the given order. */
  results: ModelBacktest[];
  /** Seconds each portfolio's tasks took on their threads, in the portfolios' order. */
  seconds: number[];
  workers: number;
}

/** Validated worker count: a positive integer, or the machine's cores (at most one per task) when not given. */
export function compareWorkerCount(requested: number | undefined, tasks: number): number {
  if (requested === undefined) return Math.max(1, Math.min(availableParallelism(), tasks));
  if (!Number.isInteger(requested) || requested < 1) {
    throw new XmarginError(`--workers must be a positive integer, got ${requested}`, {
      code: "INVALID_INPUT",
      path: "--workers",
    });
  }
  return Math.min(requested, Math.max(1, tasks));
}

export async function runCompareTasks(input: CompareRunInput): Promise<CompareRunOutput> {
  // Each portfolio's replayable days, here: a history that cannot replay a portfolio fails before any work starts.
  const dayCounts = input.portfolios.map((p) => replayableDays(input.history, p.portfolio, input.options).dates.length);
  const weights = input.portfolios.map((p) => dayWeight(p.portfolio));
  const tasks = compareTasks(dayCounts, weights, input.partCost);
  const workers = compareWorkerCount(input.workers, tasks.length);
  const results: Array<CompareTaskResult | undefined> = new Array(tasks.length);
  const taskSeconds = new Array<number>(tasks.length).fill(0);
  // Each portfolio joined as soon as its last task is in.
  const left = input.portfolios.map((_, p) => tasks.filter((t) => t.portfolio === p).length);
  const joined: ModelBacktest[][] = [];
  const done = (index: number) => {
    const p = tasks[index]!.portfolio;
    if (--left[p]! > 0) return;
    joined[p] = joinPortfolioTasks(input, tasks, results, p);
    input.onPortfolio?.(p, joined[p]);
  };
  if (workers === 1) {
    tasks.forEach((task, k) => {
      const started = performance.now();
      const entry = input.portfolios[task.portfolio]!;
      results[task.index] = runCompareTask(input.history, entry, input.models, input.options, task);
      taskSeconds[task.index] = (performance.now() - started) / 1e3;
      input.progress?.("backtest-compare", k + 1, tasks.length);
      done(task.index);
    });
  } else {
    await runOnWorkers(input, tasks, workers, results, taskSeconds, done);
  }
  const seconds = input.portfolios.map((_, p) =>
    tasks.filter((t) => t.portfolio === p).reduce((s, t) => s + taskSeconds[t.index]!, 0),
  );
  return { results: input.portfolios.flatMap((_, p) => joined[p] ?? missing(-1)), seconds, workers };
}

/** One portfolio's tasks joined into its models' backtests. */
function joinPortfolioTasks(
  input: CompareRunInput,
  tasks: readonly CompareTask[],
  results: ReadonlyArray<CompareTaskResult | undefined>,
  p: number,
): ModelBacktest[] {
  const parts: ReplayResult[][] = [];
  let outcomes: WindowOutcome[][] | undefined;
  for (const t of tasks) {
    if (t.portfolio !== p) continue;
    const r = results[t.index];
    if (r?.kind === "replay") parts.push(r.replays);
    else if (r?.kind === "liquidation") outcomes = r.outcomes;
    else missing(t.index);
  }
  return joinPortfolio(input.portfolios[p]!.name, input.models, input.options, parts, outcomes ?? missing(-1));
}

function missing(i: number): never {
  throw new XmarginError(`backtest-compare: task ${i} produced no result`, { code: "INTERNAL" });
}

function runOnWorkers(
  input: CompareRunInput,
  tasks: readonly CompareTask[],
  nWorkers: number,
  results: Array<CompareTaskResult | undefined>,
  seconds: number[],
  done: (index: number) => void,
): Promise<void> {
  const queue = longestFirst(
    tasks,
    input.portfolios.map((p) => p.portfolio),
  );
  const url = input.workerUrl ?? new URL("./backtestCompareWorker.js", import.meta.url);
  const workerData: CompareWorkerData = {
    history: input.history,
    portfolios: input.portfolios,
    models: input.models,
    options: input.options,
  };
  const pool: Worker[] = [];
  let finished = 0;
  return new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      for (const w of pool) void w.terminate();
      reject(err);
    };
    const next = (w: Worker) => {
      const task = queue.shift();
      if (task) w.postMessage({ task } satisfies CompareTaskRequest);
    };
    for (let k = 0; k < nWorkers; k++) {
      const w = new Worker(url, { workerData, resourceLimits: COMPARE_WORKER_LIMITS });
      pool.push(w);
      w.on("message", (r: CompareWorkerReply) => {
        if (r.kind === "failed") {
          const e = r.error;
          fail(
            "code" in e
              ? new XmarginError(e.message, {
                  code: e.code,
                  ...(e.path ? { path: e.path } : {}),
                  ...(e.details ? { details: e.details } : {}),
                  docsPath: e.docsPath,
                })
              : new XmarginError(`backtest-compare task ${r.index} failed: ${e.message}`, { code: "INTERNAL" }),
          );
          return;
        }
        results[r.index] = r.result;
        seconds[r.index] = r.seconds;
        finished++;
        input.progress?.(`backtest-compare on ${nWorkers} workers`, finished, tasks.length);
        const last = finished === tasks.length;
        if (last) for (const x of pool) void x.terminate();
        // the worker has its next task before the portfolio is joined (and its chart started) here
        else next(w);
        try {
          done(r.index);
        } catch (err) {
          fail(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        if (last) resolve();
      });
      w.on("error", (err) => fail(err));
      w.on("exit", (code) => {
        if (finished < tasks.length)
          fail(new XmarginError(`a backtest-compare worker exited (${code})`, { code: "INTERNAL" }));
      });
      next(w);
    }
  });
}
