import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { compareModels, methodNotes, renderComparisonMarkdown } from "../../../src/backtest/compare.js";
import { compareTasks, longestFirst, pickTask } from "../../../src/backtest/compareTasks.js";
import { loadHistoryFolder } from "../../../src/backtest/history/loadHistoryFolder.js";
import { compareWorkerCount, runCompareTasks } from "../../../src/cli/commands/backtestCompareRunner.js";
import { XmarginError } from "../../../src/core/errors.js";
import { portfolioSchema } from "../../../src/schema/portfolio.js";

// The worker runs compiled JavaScript: `npm test` builds dist/ before running the tests.
const WORKER = pathToFileURL(join(import.meta.dirname, "../../../dist/src/cli/commands/backtestCompareWorker.js"));
const DATA = new URL("../../../../shared/data", import.meta.url).pathname;
const ROOT = new URL("../../../", import.meta.url).pathname;
const hasData = existsSync(join(DATA, "BTC-USD.csv"));

const perp = portfolioSchema.parse({
  accountId: "p",
  holdings: [{ chain: "arbitrum", token: "USDC", amount: "20000" }],
  positions: [{ kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "BTC", size: "1" }],
});
const bigger = portfolioSchema.parse({
  accountId: "q",
  holdings: [{ chain: "arbitrum", token: "USDC", amount: "20000" }],
  positions: [
    { kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "BTC", size: "1" },
    { kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "ETH", size: "-10" },
  ],
});

describe("backtest-compare tasks", () => {
  it("lists every (portfolio, model) pair in the report's order", () => {
    const tasks = compareTasks(2, ["isolated", "xchain"]);
    expect(tasks.map((t) => `${t.index}:${t.portfolio}:${t.model}`)).toEqual([
      "0:0:isolated",
      "1:0:xchain",
      "2:1:isolated",
      "3:1:xchain",
    ]);
  });

  it("starts the costlier portfolio first and, within it, xchain first", () => {
    const order = longestFirst(compareTasks(2, ["isolated", "xchain"]), [perp, bigger]);
    expect(order.map((t) => t.index)).toEqual([3, 2, 1, 0]);
  });

  it("gives a free worker its own portfolio's task, else an unstarted portfolio's, else the first", () => {
    const queue = compareTasks(3, ["grid"]);
    expect(pickTask(queue, new Set([2]), new Set([0, 2]))).toBe(2);
    expect(pickTask(queue, new Set([]), new Set([0]))).toBe(1);
    expect(pickTask(queue, new Set([]), new Set([0, 1, 2]))).toBe(0);
    expect(pickTask([], new Set([]), new Set([]))).toBe(-1);
  });

  it("names --workers when the count is not a positive integer", () => {
    expect(() => compareWorkerCount(0, 5)).toThrow(/--workers/);
    expect(() => compareWorkerCount(1.5, 5)).toThrow(XmarginError);
    expect(compareWorkerCount(8, 3)).toBe(3);
    expect(compareWorkerCount(undefined, 1)).toBe(1);
  });
});

describe.skipIf(!hasData)("backtest-compare on worker threads", () => {
  const history = loadHistoryFolder(DATA);
  const strangle = portfolioSchema.parse(
    JSON.parse(readFileSync(join(ROOT, "examples/portfolios/short-strangle.json"), "utf8")),
  );
  const portfolios = [
    { name: "perp", portfolio: perp },
    { name: "short-strangle", portfolio: strangle },
  ];
  const models = ["isolated", "grid", "xchain"];
  const options = { from: "2023-03-01", to: "2023-03-31", paths: 200 };

  it("gives a report byte-identical to the one-thread comparison", async () => {
    const sequential = compareModels(history, portfolios, options, models);
    const parallel = await runCompareTasks({
      history,
      portfolios,
      models,
      options,
      workers: 2,
      workerUrl: WORKER,
    });
    expect(parallel.workers).toBe(2);
    expect(parallel.seconds.every((s) => s > 0)).toBe(true);
    const notes = methodNotes(options);
    const a = renderComparisonMarkdown(sequential, notes);
    const b = renderComparisonMarkdown(parallel.results, notes);
    expect(b).toBe(a);
    // Beyond the table: every replayed day's numbers are the same.
    expect(JSON.stringify(parallel.results.map((r) => r.replay))).toBe(JSON.stringify(sequential.map((r) => r.replay)));
  });

  it("reports a run's failure as the error the one-thread comparison throws", async () => {
    const bad = { ...options, from: "2031-01-01", to: "2031-02-01" };
    let expected: unknown;
    try {
      compareModels(history, portfolios.slice(0, 1), bad, ["grid"]);
    } catch (err) {
      expected = err;
    }
    expect(expected).toBeInstanceOf(XmarginError);
    // Two runs of the same portfolio, so both go to workers and either failure is the expected one.
    const failure: unknown = await runCompareTasks({
      history,
      portfolios: portfolios.slice(0, 1),
      models: ["grid", "isolated"],
      options: bad,
      workers: 2,
      workerUrl: WORKER,
    }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(XmarginError);
    const e = failure as XmarginError;
    const want = expected as XmarginError;
    expect([e.message, e.code, e.path]).toEqual([want.message, want.code, want.path]);
  });
});
