import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { loadHistoryFolder } from "../src/backtest/history/loadHistoryFolder.js";
import { runCompareTasks } from "../src/cli/commands/backtestCompareRunner.js";
import { readPortfolio, staticMarket } from "../src/cli/commands/backtestInputs.js";
import { historyDir } from "../src/cli/historyDir.js";
import { MARGIN_MODEL_NAMES } from "../src/margin/models.js";
import { emit, measureAsync, summarize } from "./measure.js";

/** A quarter of days: long enough that each run dominates its worker's start-up, short enough to repeat. */
const WINDOW = { from: "2023-01-01", to: "2023-03-31" };

/**
 * Section `backtest`: every example portfolio under every model over `WINDOW` (xchain at 1,000 paths), on one thread
 * (the reference) and on 2 worker threads, 3 runs each after one warm-up run. Beside the wall times, the process CPU
 * seconds of the last run of each (all threads): on a shared machine the CPU time moves less than the wall time.
 */
export async function benchBacktestCompare(root: string): Promise<void> {
  const history = loadHistoryFolder(historyDir());
  const options = { ...staticMarket(join(root, "examples/market-2023-06-30.json")), ...WINDOW, paths: 1_000 };
  const folder = join(root, "examples/portfolios");
  const portfolios = readdirSync(folder)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => ({ name: basename(f, ".json"), portfolio: readPortfolio(join(folder, f)) }));
  const workerUrl = new URL("../src/cli/commands/backtestCompareWorker.js", import.meta.url);
  for (const workers of [1, 2]) {
    let cpuSeconds = 0;
    const sample = await measureAsync(
      async () => {
        const before = process.cpuUsage();
        await runCompareTasks({
          history,
          portfolios,
          models: MARGIN_MODEL_NAMES,
          options,
          workers,
          workerUrl,
        });
        const used = process.cpuUsage(before);
        cpuSeconds = (used.user + used.system) / 1e6;
      },
      3,
      { minCalls: 1, warmupMs: 0 },
    );
    emit({
      bench: `backtest_compare_${portfolios.length}x${MARGIN_MODEL_NAMES.length}_runs_${WINDOW.from}_${WINDOW.to}`,
      workers,
      ...summarize(sample),
      cpuSecondsLastRun: Number(cpuSeconds.toFixed(1)),
    });
  }
}
