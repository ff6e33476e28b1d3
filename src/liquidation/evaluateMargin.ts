import { runMarginModel } from "../margin/computeMargin.js";
import type { MarginReport } from "../margin/report.js";
import type { ResolvedMarket } from "../margin/resolve/resolvedMarket.js";
import { resolveMarket } from "../margin/resolve/resolveMarket.js";
import { resolvePortfolio } from "../margin/resolve/resolvePortfolio.js";
import type { AnyMarginConfig } from "../margin/resolveConfig.js";
import type { MarketSnapshot } from "../schema/marketSnapshot.js";
import type { Portfolio } from "../schema/portfolio.js";

/**
 * Runs the configured margin model on validated documents. Every margin figure in src/liquidation comes from here
 * (or from `runMarginModel` on an already resolved market): the liquidation layer never re-implements margin math.
 */
export function evaluateMargin(portfolio: Portfolio, market: MarketSnapshot, config: AnyMarginConfig): MarginReport {
  const resolved = resolveMarket(market);
  return runMarginModel(resolvePortfolio(portfolio, resolved), resolved, config);
}

/** Same on a market resolved once (the cascade re-margins many accounts at one set of prices). */
export function evaluateMarginResolved(
  portfolio: Portfolio,
  market: ResolvedMarket,
  config: AnyMarginConfig,
): MarginReport {
  return runMarginModel(resolvePortfolio(portfolio, market), market, config);
}

/**
 * Signed distance to liquidation: `healthRatio - 1` when the report has a health ratio, negative whenever the report
 * is liquidatable by its own rule (health below 1 or maintenance collateral below 0), +1 when there is no maintenance
 * requirement at all. Zero is the liquidation boundary.
 */
export function liquidationDistance(report: MarginReport): number {
  const h = report.healthRatio;
  const liquidatable = (h !== null && h < 1) || report.maintenanceCollateralValueUsd < 0;
  if (liquidatable) return Math.min(h === null ? -1 : h - 1, -1e-12);
  return h === null ? 1 : h - 1;
}

/** True when the report's own rule says the account can be liquidated. */
export function isLiquidatable(report: MarginReport): boolean {
  return liquidationDistance(report) < 0;
}
