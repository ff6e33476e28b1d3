import { BatchGridEngine } from "../batch/batchGridEngine.js";
import { computeGridPm, gridReportOf } from "../gridPm/computeGridPm.js";
import type { GridPmConfig } from "../gridPm/config.js";
import type { MarginReport } from "../report.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedPortfolio } from "../resolve/resolvedPortfolio.js";

/** Per market object (a tick) and grid config: one batch engine holding every account margined on it. */
const engines = new WeakMap<ResolvedMarket, Map<GridPmConfig, { engine: BatchGridEngine; layouts: number }>>();
/**
 * Accounts laid out on one engine before a fresh one is started: a market object kept for long (a service re-margining
 * accounts as they change) would otherwise grow its engine with every replaced account's dead rows.
 */
const MAX_LAYOUTS = 50_000;

/**
 * The grid report under the xchain floor, `computeGridPm`'s, with the account added to (or replaced in) the tick's
 * engine instead of a one-account engine built per report: the grid scenarios, the books and the instruments other
 * accounts hold are set up once per tick. An account the engine refuses gets the one-account path (its error or
 * report exactly as before), and the engine, possibly half-changed, is dropped.
 */
export function tickGridReport(
  portfolio: ResolvedPortfolio,
  market: ResolvedMarket,
  config: GridPmConfig,
): MarginReport {
  let byConfig = engines.get(market);
  if (!byConfig) {
    byConfig = new Map();
    engines.set(market, byConfig);
  }
  let entry = byConfig.get(config);
  if (!entry || entry.layouts >= MAX_LAYOUTS) {
    entry = { engine: new BatchGridEngine([], market, config), layouts: 0 };
    byConfig.set(config, entry);
  }
  const engine = entry.engine;
  entry.layouts++;
  let a: number;
  try {
    a =
      engine.accountIndex(portfolio.accountId) === undefined
        ? engine.addAccount(portfolio)
        : engine.replaceAccount(portfolio);
  } catch {
    byConfig.delete(config);
    return computeGridPm(portfolio, market, config);
  }
  return gridReportOf(engine, a, portfolio, market, config);
}
