import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import {
  backtestNamedModel,
  compareModels,
  type ModelBacktest,
  methodNotes,
  portfolioTimeline,
  renderComparisonMarkdown,
} from "../../../src/backtest/compare.js";
import { runCompareTask } from "../../../src/backtest/compareParts.js";
import { compareTasks, dayWeight, longestFirst } from "../../../src/backtest/compareTasks.js";
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
  it("cuts each portfolio's days into parts of about the given cost, then its liquidation task", () => {
    // 100 days x weight 3 at cost 100: 3 parts (33, 34, 33 days); 10 days: one part, never an empty one.
    const tasks = compareTasks([100, 10], [3, 3], 100);
    expect(
      tasks.map((t) => (t.kind === "replay" ? `${t.portfolio}:${t.first}-${t.end}` : `${t.portfolio}:liq`)),
    ).toEqual(["0:0-33", "0:33-67", "0:67-100", "0:liq", "1:0-10", "1:liq"]);
    expect(tasks.map((t) => t.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(dayWeight(perp)).toBe(3);
    expect(dayWeight(bigger)).toBe(4);
  });

  it("starts the costliest tasks first: the bigger book's longest parts", () => {
    const tasks = compareTasks([10, 10], [dayWeight(perp), dayWeight(bigger)], 20);
    // perp: 2 parts of 5 days (cost 15 each), liquidation 60 x 3; bigger: 2 parts (cost 20 each), liquidation 60 x 4.
    const order = longestFirst(tasks, [perp, bigger]);
    expect(order.map((t) => t.index)).toEqual([5, 2, 3, 4, 0, 1]);
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

  it("gives a report byte-identical to the one-thread comparison on whole timelines, cut into parts", async () => {
    const sequential = compareModels(history, portfolios, options, models);
    const early: { p: number; backtests: ModelBacktest[] }[] = [];
    const parallel = await runCompareTasks({
      history,
      portfolios,
      models,
      options,
      workers: 2,
      workerUrl: WORKER,
      // ~5 days per part: 22 March days in 4-5 parts per book, so parts start mid-run on both threads.
      partCost: 20,
      onPortfolio: (p, backtests) => early.push({ p, backtests }),
    });
    expect(parallel.workers).toBe(2);
    // each portfolio handed over once, as soon as its tasks were in, with its share of the results
    expect(early.map((e) => e.p).sort()).toEqual([0, 1]);
    for (const { p, backtests } of early)
      expect(backtests).toEqual(parallel.results.filter((r) => r.portfolio === portfolios[p]!.name));
    expect(parallel.seconds.every((s) => s > 0)).toBe(true);
    const notes = methodNotes(options);
    const a = renderComparisonMarkdown(sequential, notes);
    const b = renderComparisonMarkdown(parallel.results, notes);
    expect(b).toBe(a);
    // Beyond the table: every replayed day's numbers are the same.
    expect(JSON.stringify(parallel.results.map((r) => r.replay))).toBe(JSON.stringify(sequential.map((r) => r.replay)));
  });

  it("builds a part again, reaching further, when an item's horizon looks past the days built after it", () => {
    // No day built after the part at first: its last day's loss (over the item's horizon, at least the next close)
    // reads a day past them, so the part is built again. The part's days equal the whole timeline's.
    const entry = portfolios[1]!;
    const whole = backtestNamedModel(history, entry, portfolioTimeline(history, entry, options), "xchain", options);
    const part = runCompareTask(
      history,
      entry,
      ["xchain"],
      options,
      {
        kind: "replay",
        index: 0,
        portfolio: 1,
        part: 0,
        first: 0,
        end: 10,
      },
      0,
    );
    if (part.kind !== "replay") throw new Error("a replay task gives replays");
    expect(part.replays[0]!.days).toEqual(whole.replay.days.slice(0, 10));
    expect(part.replays[0]!.days.every((d) => d.lossUsd !== null)).toBe(true);
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
