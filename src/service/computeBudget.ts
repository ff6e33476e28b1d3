import { XmarginError } from "../core/errors.js";
import type { AnyMarginConfig } from "../margin/resolveConfig.js";
import type { Portfolio } from "../schema/portfolio.js";
import type { ComputeBudget } from "./serviceConfig.js";

function over(path: string, what: string, value: number, limit: number, comparison = "at most"): XmarginError {
  return new XmarginError(`${what} is ${value}; this service allows ${comparison} ${limit}`, {
    code: "LIMIT_EXCEEDED",
    path,
    details: "see the compute budget in docs/reliability.md",
  });
}

/** Holdings + positions of a portfolio within the budget; `path` is where the portfolio sits in the request. */
export function checkPortfolioBudget(portfolio: Portfolio, budget: ComputeBudget, path: string): void {
  const items = portfolio.holdings.length + portfolio.positions.length;
  if (items > budget.maxItems) {
    const field = portfolio.positions.length > 0 ? `${path}.positions` : `${path}.holdings`;
    throw over(field, "the number of holdings and positions", items, budget.maxItems);
  }
}

function gridScenarios(grid: { priceShocks: readonly number[]; volShocks: readonly number[] }): number {
  return grid.priceShocks.length * grid.volShocks.length;
}

/**
 * A resolved margin config within the budget, for a portfolio of `items` holdings and positions: paths, paths x
 * items, grid size, and a maintenance ratio large enough that the health ratio stays finite. Errors name the field
 * under `path` (where the config sits in the request, e.g. `$.config`).
 */
export function checkConfigBudget(config: AnyMarginConfig, items: number, budget: ComputeBudget, path: string): void {
  if ("maintenanceRatio" in config && config.maintenanceRatio < budget.minMaintenanceRatio) {
    throw over(
      `${path}.maintenanceRatio`,
      "the maintenance ratio",
      config.maintenanceRatio,
      budget.minMaintenanceRatio,
      "at least",
    );
  }
  if (config.model === "grid" && gridScenarios(config) > budget.maxGridScenarios) {
    throw over(`${path}.priceShocks`, "price shocks x vol shocks", gridScenarios(config), budget.maxGridScenarios);
  }
  if (config.model !== "xchain") return;
  const paths = config.simulation.paths;
  if (paths > budget.maxPaths) throw over(`${path}.simulation.paths`, "the number of paths", paths, budget.maxPaths);
  if (paths * items > budget.maxPathItems) {
    throw over(`${path}.simulation.paths`, "paths x (holdings + positions)", paths * items, budget.maxPathItems);
  }
  const floor = config.gridFloor.grid;
  if (gridScenarios(floor) > budget.maxGridScenarios) {
    throw over(
      `${path}.gridFloor.grid.priceShocks`,
      "price shocks x vol shocks",
      gridScenarios(floor),
      budget.maxGridScenarios,
    );
  }
}

/** Both checks for one (portfolio, config) pair of a request. */
export function checkBudget(
  portfolio: Portfolio,
  config: AnyMarginConfig,
  budget: ComputeBudget,
  paths: { portfolio: string; config: string },
): void {
  checkPortfolioBudget(portfolio, budget, paths.portfolio);
  checkConfigBudget(config, portfolio.holdings.length + portfolio.positions.length, budget, paths.config);
}
