import { readFileSync } from "node:fs";
import { runMarginModel } from "../src/margin/computeMargin.js";
import type { ResolvedPortfolio } from "../src/margin/resolve/resolvedPortfolio.js";
import { resolveMarket } from "../src/margin/resolve/resolveMarket.js";
import { resolvePortfolio } from "../src/margin/resolve/resolvePortfolio.js";
import { resolveMarginConfig } from "../src/margin/resolveConfig.js";
import { clearSharedScenarios } from "../src/margin/xchain/sharedScenarios.js";
import { marketSnapshotSchema } from "../src/schema/marketSnapshot.js";
import { portfolioSchema } from "../src/schema/portfolio.js";
import { generateOptionsBook } from "./generateOptionsBook.js";
import { generatePortfolio } from "./generatePortfolio.js";
import { emit, measure, summarize } from "./measure.js";

/** Calls of `fn` on a cold tick (scenario set and instrument vectors built anew each time). */
const coldTick =
  <T>(fn: () => T) =>
  (): T => {
    clearSharedScenarios();
    return fn();
  };

/**
 * (c) one xchain report with 10,000 paths, from resolved inputs to the finished report, at 50 and 1,000 positions on
 * 3 chains, three ways in the same run:
 * - `shared`: a report on a tick whose scenario set is already built (every report after the tick's first);
 * - `cold_tick`: the tick's first report (scenario set and instrument vectors built; the draws kept across ticks);
 * - `ref_unshared_pseudo_random`: the earlier per-report path as the reference (pseudo-random sampler, everything
 *   rebuilt for each report);
 * - `cold_tick_per_instrument`: the tick's first report with every option its own vector (`simulation.optionGrids:
 *   "perInstrument"`), the reference for summed option grids; the two cold-tick lines also for an options-heavy
 *   book, 200 ETH options on 4 expiries (`xchain_report_200opt_4exp_10k_paths`, bench/generateOptionsBook.ts).
 */
export function benchXchainReport(marketFile: string): void {
  const market = resolveMarket(marketSnapshotSchema.parse(JSON.parse(readFileSync(marketFile, "utf8"))));
  const config = resolveMarginConfig({ model: "xchain", simulation: { paths: 10_000 } });
  const ref = resolveMarginConfig({ model: "xchain", simulation: { paths: 10_000, sampler: "pseudoRandom" } });
  const perInstrument = resolveMarginConfig({
    model: "xchain",
    simulation: { paths: 10_000, optionGrids: "perInstrument" },
  });
  const resolved = (doc: unknown) => resolvePortfolio(portfolioSchema.parse(doc), market);
  const books: Array<[string, ResolvedPortfolio, number, number | undefined, boolean]> = [
    ["xchain_report_50pos_3chain_10k_paths", resolved(generatePortfolio(50, 42)), 30, 10, true],
    ["xchain_report_200opt_4exp_10k_paths", resolved(generateOptionsBook(200, 7)), 20, undefined, false],
    ["xchain_report_1000pos_3chain_10k_paths", resolved(generatePortfolio(1_000, 42)), 10, 60, true],
  ];
  for (const [name, portfolio, iterations, target, all] of books) {
    const runs: Array<[string, () => unknown]> = [
      [`${name}_cold_tick`, coldTick(() => runMarginModel(portfolio, market, config))],
      [`${name}_cold_tick_per_instrument`, coldTick(() => runMarginModel(portfolio, market, perInstrument))],
    ];
    if (all) {
      runs.unshift([name, () => runMarginModel(portfolio, market, config)]);
      runs.push([`${name}_ref_unshared_pseudo_random`, coldTick(() => runMarginModel(portfolio, market, ref))]);
    }
    for (const [bench, fn] of runs) {
      const times = measure(fn, iterations, { minCalls: 5, warmupMs: 2_000 });
      const report = fn() as ReturnType<typeof runMarginModel>;
      emit({
        bench,
        ...summarize(times),
        ...(bench === name && target !== undefined ? { targetMs: target } : {}),
        positions: portfolio.items.length,
        options: portfolio.items.filter((i) => i.priced.kind === "option").length,
        initialMarginUsd: Math.round(report.initialMarginUsd),
      });
    }
  }
}
