import { readFileSync } from "node:fs";
import { runMarginModel } from "../src/margin/computeMargin.js";
import { resolveMarket } from "../src/margin/resolve/resolveMarket.js";
import { resolvePortfolio } from "../src/margin/resolve/resolvePortfolio.js";
import { resolveMarginConfig } from "../src/margin/resolveConfig.js";
import { clearSharedScenarios } from "../src/margin/xchain/sharedScenarios.js";
import { marketSnapshotSchema } from "../src/schema/marketSnapshot.js";
import { portfolioSchema } from "../src/schema/portfolio.js";
import { generatePortfolio } from "./generatePortfolio.js";
import { emit, measure, summarize } from "./measure.js";

/**
 * (c) one xchain report with 10,000 paths, from resolved inputs to the finished report, at 50 and 1,000 positions on
 * 3 chains, three ways in the same run:
 * - `shared`: a report on a tick whose scenario set is already built (every report after the tick's first);
 * - `cold_tick`: the tick's first report (scenario set and instrument vectors built; the draws kept across ticks);
 * - `ref_unshared_pseudo_random`: the earlier per-report path as the reference (pseudo-random sampler, everything
 *   rebuilt for each report).
 */
export function benchXchainReport(marketFile: string): void {
  const market = resolveMarket(marketSnapshotSchema.parse(JSON.parse(readFileSync(marketFile, "utf8"))));
  for (const [positions, iterations, target] of [
    [50, 30, 10],
    [1_000, 10, 60],
  ] as const) {
    const portfolio = resolvePortfolio(portfolioSchema.parse(generatePortfolio(positions, 42)), market);
    const config = resolveMarginConfig({ model: "xchain", simulation: { paths: 10_000 } });
    const ref = resolveMarginConfig({ model: "xchain", simulation: { paths: 10_000, sampler: "pseudoRandom" } });
    const name = `xchain_report_${positions}pos_3chain_10k_paths`;
    const runs: Array<[string, () => unknown]> = [
      [name, () => runMarginModel(portfolio, market, config)],
      [
        `${name}_cold_tick`,
        () => {
          clearSharedScenarios();
          return runMarginModel(portfolio, market, config);
        },
      ],
      [
        `${name}_ref_unshared_pseudo_random`,
        () => {
          clearSharedScenarios();
          return runMarginModel(portfolio, market, ref);
        },
      ],
    ];
    for (const [bench, fn] of runs) {
      const times = measure(fn, iterations, { minCalls: 5, warmupMs: 2_000 });
      const report = fn() as ReturnType<typeof runMarginModel>;
      emit({
        bench,
        ...summarize(times),
        ...(bench === name ? { targetMs: target } : {}),
        positions: portfolio.items.length,
        chains: new Set(portfolio.items.map((i) => i.chain)).size,
        initialMarginUsd: Math.round(report.initialMarginUsd),
      });
    }
  }
}
