/**
 * Worker thread of `runCompareTasks`: given the history once, runs the (portfolio, model) tasks it is sent,
 * building each portfolio's daily snapshots once and reusing them for every model it runs on that portfolio.
 */
import { parentPort, workerData } from "node:worker_threads";
import { backtestNamedModel, portfolioTimeline } from "../../backtest/compare.js";
import type { MarketTimeline } from "../../backtest/timeline.js";
import { XmarginError } from "../../core/errors.js";
import type { CompareTaskRequest, CompareWorkerData, CompareWorkerReply } from "./backtestCompareProtocol.js";

if (!parentPort) {
  throw new XmarginError("backtestCompareWorker.js must run in a worker thread", { code: "UNSUPPORTED" });
}
const port = parentPort;
const data = workerData as CompareWorkerData;
const history = data.history;
const timelines = new Map<number, MarketTimeline>();

port.on("message", ({ task, release }: CompareTaskRequest) => {
  const reply = (r: CompareWorkerReply) => port.postMessage(r);
  for (const p of release) timelines.delete(p);
  try {
    const started = performance.now();
    const entry = data.portfolios[task.portfolio]!;
    let timeline = timelines.get(task.portfolio);
    if (!timeline) {
      timeline = portfolioTimeline(history, entry, data.options);
      timelines.set(task.portfolio, timeline);
    }
    const result = backtestNamedModel(history, entry, timeline, task.model, data.options);
    reply({ kind: "done", index: task.index, result, seconds: (performance.now() - started) / 1e3 });
  } catch (err) {
    const error =
      err instanceof XmarginError
        ? err.toJSON()
        : {
            message: err instanceof Error ? err.message : String(err),
            ...(err instanceof Error ? { stack: err.stack } : {}),
          };
    reply({ kind: "failed", index: task.index, error });
  }
});
