import { marketSnapshotSchema } from "../schema/marketSnapshot.js";
import { portfolioSchema } from "../schema/portfolio.js";
import { parseDocument } from "../schema/validate.js";
import { type MarginModelName, marginModels } from "./models.js";
import type { MarginReport } from "./report.js";
import type { ResolvedMarket } from "./resolve/resolvedMarket.js";
import type { ResolvedPortfolio } from "./resolve/resolvedPortfolio.js";
import { resolveMarket } from "./resolve/resolveMarket.js";
import { resolvePortfolio } from "./resolve/resolvePortfolio.js";
import { type AnyMarginConfig, resolveMarginConfig } from "./resolveConfig.js";

/** Runs an already-validated config's model on a resolved portfolio and market. */
export function runMarginModel(
  portfolio: ResolvedPortfolio,
  market: ResolvedMarket,
  config: AnyMarginConfig,
): MarginReport {
  const model = marginModels[config.model as MarginModelName];
  // The config was validated against this model's schema, so the cast only restores what the union lost.
  return (model.compute as (p: ResolvedPortfolio, m: ResolvedMarket, c: AnyMarginConfig) => MarginReport)(
    portfolio,
    market,
    config,
  );
}

export interface ComputeMarginInput {
  /** Portfolio document (untrusted JSON). */
  portfolio: unknown;
  /** MarketSnapshot document (untrusted JSON). */
  market: unknown;
  /** MarginConfig document; defaults to `{ "model": "grid" }`. */
  config?: unknown;
}

/**
 * Validates the three documents and computes the margin report.
 * @example
 * const report = computeMargin({ portfolio, market, config: { model: "grid" } });
 * console.log(report.initialMarginUsd);
 * @see docs/models/
 */
export function computeMargin(input: ComputeMarginInput): MarginReport {
  const portfolio = parseDocument(portfolioSchema, input.portfolio, "Portfolio");
  const snapshot = parseDocument(marketSnapshotSchema, input.market, "MarketSnapshot");
  const config = resolveMarginConfig(input.config ?? { model: "grid" });
  const market = resolveMarket(snapshot);
  return runMarginModel(resolvePortfolio(portfolio, market), market, config);
}
