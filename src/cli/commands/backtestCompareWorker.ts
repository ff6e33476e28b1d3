/**
 * Worker thread of `runCompareTasks`: given the history once, runs the tasks it is sent (a part of a portfolio's days
 * under every model, or a portfolio's crisis-window replays) and sends each result back.
 */
import { parentPort, workerData } from "node:worker_threads";
import { runCompareTask } from "../../backtest/compareParts.js";
import { XmarginError } from "../../core/errors.js";
import type { CompareTaskRequest, CompareWorkerData, CompareWorkerReply } from "./backtestCompareProtocol.js";

if (!parentPort) {
  throw new XmarginError("backtestCompareWorker.js must run in a worker thread", { code: "UNSUPPORTED" });
}
const port = parentPort;
const data = workerData as CompareWorkerData;

port.on("message", ({ task }: CompareTaskRequest) => {
  const reply = (r: CompareWorkerReply) => port.postMessage(r);
  try {
    const started = performance.now();
    const result = runCompareTask(data.history, data.portfolios[task.portfolio]!, data.models, data.options, task);
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
