import { readFileSync } from "node:fs";
import { runMarginModel } from "../src/margin/computeMargin.js";
import { resolveMarket } from "../src/margin/resolve/resolveMarket.js";
import { resolvePortfolio } from "../src/margin/resolve/resolvePortfolio.js";
import { resolveMarginConfig } from "../src/margin/resolveConfig.js";
import { marketSnapshotSchema } from "../src/schema/marketSnapshot.js";
import { portfolioSchema } from "../src/schema/portfolio.js";
import { generatePortfolio } from "./generatePortfolio.js";
import { emit, measure, summarize } from "./measure.js";

/** (c) one 50-position, 3-chain xchain report with 10,000 paths, from resolved inputs to the finished report. */
export function benchXchainReport(marketFile: string): void {
  const market = resolveMarket(marketSnapshotSchema.parse(JSON.parse(readFileSync(marketFile, "utf8"))));
  const portfolio = resolvePortfolio(portfolioSchema.parse(generatePortfolio(50, 42)), market);
  const config = resolveMarginConfig({ model: "xchain", simulation: { paths: 10_000 } });
  const times = measure(() => runMarginModel(portfolio, market, config), 30, { minCalls: 5, warmupMs: 2_000 });
  const report = runMarginModel(portfolio, market, config);
  emit({
    bench: "xchain_report_50pos_3chain_10k_paths",
    ...summarize(times),
    targetMs: 20,
    positions: portfolio.items.length,
    chains: new Set(portfolio.items.map((i) => i.chain)).size,
    initialMarginUsd: Math.round(report.initialMarginUsd),
  });
}
