/**
 * Runs the (portfolio, model) tasks of a backtest comparison, on worker threads when more than one is asked for.
 * Each run is independent and deterministic (fixed seeds), so the results, put back in the report's order, are the
 * same whichever worker ran them and in whatever order they finished; the longest runs start first.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import {
  type BacktestRunOptions,
  backtestNamedModel,
  type ModelBacktest,
  type Progress,
  portfolioTimeline,
} from "../../backtest/compare.js";
import { type CompareTask, compareTasks, longestFirst, pickTask } from "../../backtest/compareTasks.js";
import type { History } from "../../backtest/history/history.js";
import type { MarketTimeline } from "../../backtest/timeline.js";
import { XmarginError } from "../../core/errors.js";
import type { Portfolio } from "../../schema/portfolio.js";
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
  portfolios: Array<{ name: string; portfolio: Portfolio }>;
  models: readonly string[];
  options: BacktestRunOptions;
  /** Worker threads; 1 runs everything on the calling thread. Default: the cores available, at most the tasks. */
  workers?: number;
  /** URL of the compiled worker script; default `./backtestCompareWorker.js` beside this module. */
  workerUrl?: URL;
  progress?: Progress;
}

export interface CompareRunOutput {
  /** In the report's order: portfolio by portfolio, models in the given order. */
  results: ModelBacktest[];
  /** Seconds each run took on its thread, same order. */
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
  const tasks = compareTasks(input.portfolios.length, input.models);
  const workers = compareWorkerCount(input.workers, tasks.length);
  const results: Array<ModelBacktest | undefined> = new Array(tasks.length);
  const seconds = new Array<number>(tasks.length).fill(0);
  if (workers === 1) {
    runInProcess(input, tasks, results, seconds);
  } else {
    await runOnWorkers(input, tasks, workers, results, seconds);
  }
  return { results: results.map((r, i) => r ?? missing(i)), seconds, workers };
}

function missing(i: number): never {
  throw new XmarginError(`backtest-compare: run ${i} produced no result`, { code: "INTERNAL" });
}

function runInProcess(
  input: CompareRunInput,
  tasks: readonly CompareTask[],
  results: Array<ModelBacktest | undefined>,
  seconds: number[],
): void {
  const timelines = new Map<number, MarketTimeline>();
  for (const task of tasks) {
    const started = performance.now();
    const entry = input.portfolios[task.portfolio]!;
    let timeline = timelines.get(task.portfolio);
    if (!timeline) {
      timeline = portfolioTimeline(input.history, entry, input.options, input.progress);
      timelines.set(task.portfolio, timeline);
    }
    results[task.index] = backtestNamedModel(input.history, entry, timeline, task.model, input.options, input.progress);
    seconds[task.index] = (performance.now() - started) / 1e3;
    // A portfolio's snapshots are dropped after its last run: every live byte is re-marked by each full collection.
    if (!tasks.some((t) => t.index > task.index && t.portfolio === task.portfolio)) timelines.delete(task.portfolio);
  }
}

function runOnWorkers(
  input: CompareRunInput,
  tasks: readonly CompareTask[],
  nWorkers: number,
  results: Array<ModelBacktest | undefined>,
  seconds: number[],
): Promise<void> {
  const queue = longestFirst(
    tasks,
    input.portfolios.map((p) => p.portfolio),
  );
  const url = input.workerUrl ?? new URL("./backtestCompareWorker.js", import.meta.url);
  const workerData: CompareWorkerData = {
    history: input.history,
    portfolios: input.portfolios,
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
    const started = new Set<number>();
    const held = new Map<Worker, Set<number>>();
    const next = (w: Worker) => {
      const mine = held.get(w) ?? new Set<number>();
      held.set(w, mine);
      const k = pickTask(queue, mine, started);
      if (k < 0) return;
      const task = queue.splice(k, 1)[0]!;
      mine.add(task.portfolio);
      started.add(task.portfolio);
      // Portfolios this worker holds that no queued run needs any more: it drops their snapshots.
      const release = [...mine].filter((p) => !queue.some((t) => t.portfolio === p));
      for (const p of release) if (p !== task.portfolio) mine.delete(p);
      w.postMessage({ task, release: release.filter((p) => p !== task.portfolio) } satisfies CompareTaskRequest);
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
              : new XmarginError(`backtest-compare run ${r.index} failed: ${e.message}`, { code: "INTERNAL" }),
          );
          return;
        }
        results[r.index] = r.result;
        seconds[r.index] = r.seconds;
        finished++;
        input.progress?.(`backtest-compare on ${nWorkers} workers`, finished, tasks.length);
        if (finished === tasks.length) {
          for (const x of pool) void x.terminate();
          resolve();
        } else {
          next(w);
        }
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
