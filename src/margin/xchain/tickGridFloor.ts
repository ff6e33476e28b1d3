import { BatchGridEngine } from "../batch/batchGridEngine.js";
import { computeGridPm } from "../gridPm/computeGridPm.js";
import type { GridPmConfig } from "../gridPm/config.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedPortfolio } from "../resolve/resolvedPortfolio.js";
import { type GridFloorParts, gridFloorParts } from "./offsetFloor.js";

/** Per market object (a tick) and grid config: one batch engine holding every account margined on it. */
const engines = new WeakMap<ResolvedMarket, Map<GridPmConfig, { engine: BatchGridEngine; layouts: number }>>();
/**
 * Accounts laid out on one engine before a fresh one is started: a market object kept for long (a service re-margining
 * accounts as they change) would otherwise grow its engine with every replaced account's dead rows.
 */
const MAX_LAYOUTS = 50_000;

/**
 * The account added to (or replaced in) the tick's engine for `market` and `config`: the grid scenarios, the books and
 * the instruments other accounts hold are set up once per tick. Undefined when the engine refuses the account (the
 * engine, possibly half-changed, is then dropped).
 */
function onTickEngine(
  portfolio: ResolvedPortfolio,
  market: ResolvedMarket,
  config: GridPmConfig,
): { engine: BatchGridEngine; a: number } | undefined {
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
  try {
    const a =
      engine.accountIndex(portfolio.accountId) === undefined
        ? engine.addAccount(portfolio)
        : engine.replaceAccount(portfolio);
    return { engine, a };
  } catch {
    byConfig.delete(config);
    return undefined;
  }
}

/**
 * What the xchain floor reads of the account's grid report (`gridFloorParts` of `computeGridPm`'s), read straight off
 * the tick's engine (`onTickEngine`): the whole report (every scenario of every underlying as an object, the breakdowns) is not built per account.
 */
export function tickGridFloorParts(
  portfolio: ResolvedPortfolio,
  market: ResolvedMarket,
  config: GridPmConfig,
): GridFloorParts {
  const on = onTickEngine(portfolio, market, config);
  if (!on) return gridFloorParts(computeGridPm(portfolio, market, config));
  const { engine, a } = on;
  const detail = engine.explain(a);
  return {
    tables: detail.groups.map((g) => ({
      underlying: g.underlying,
      worstLossUsd: g.lossUsd,
      worstSpotShockRel: engine.grid.spotShockRel[g.worstScenario]!,
    })),
    contingencyUsd: detail.contingencyUsd,
    itemInitialUsd: detail.itemInitialUsd,
  };
}
