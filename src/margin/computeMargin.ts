import { marketSnapshotSchema } from "../schema/marketSnapshot.js";
import { portfolioSchema } from "../schema/portfolio.js";
import { parseDocument } from "../schema/validate.js";
import { type MarginModelName, marginModels } from "./models.js";
import { applyPolicy } from "./policy/applyPolicy.js";
import { DEFAULT_RULEBOOK } from "./policy/defaultRulebook.js";
import { type PolicyContext, policyFacts } from "./policy/facts.js";
import type { Rulebook } from "./policy/rulebook.js";
import type { MarginReport } from "./report.js";
import type { ResolvedMarket } from "./resolve/resolvedMarket.js";
import type { ResolvedPortfolio } from "./resolve/resolvedPortfolio.js";
import { resolveMarket } from "./resolve/resolveMarket.js";
import { resolvePortfolio } from "./resolve/resolvePortfolio.js";
import { type AnyMarginConfig, resolveMarginConfig } from "./resolveConfig.js";

/** Which rulebook is evaluated after the model, with what operator context; `false` = the model alone. */
export type PolicyChoice = { rulebook?: Rulebook; context?: PolicyContext } | false;

/**
 * Runs an already-validated config's model on a resolved portfolio and market, then the policy rulebook (the default
 * one unless `policy` says otherwise), whose fired rules can only add margin or restrict the account.
 */
export function runMarginModel(
  portfolio: ResolvedPortfolio,
  market: ResolvedMarket,
  config: AnyMarginConfig,
  policy: PolicyChoice = {},
): MarginReport {
  const model = marginModels[config.model as MarginModelName];
  // The config was validated against this model's schema, so the cast only restores what the union lost.
  const report = (model.compute as (p: ResolvedPortfolio, m: ResolvedMarket, c: AnyMarginConfig) => MarginReport)(
    portfolio,
    market,
    config,
  );
  if (policy === false) return report;
  const facts = policyFacts(portfolio, market, report, policy.context);
  return applyPolicy(report, portfolio, facts, policy.rulebook ?? DEFAULT_RULEBOOK);
}

export interface ComputeMarginInput {
  /** Portfolio document (untrusted JSON). */
  portfolio: unknown;
  /** MarketSnapshot document (untrusted JSON). */
  market: unknown;
  /** MarginConfig document; defaults to `{ "model": "grid" }`. */
  config?: unknown;
  /** Rulebook evaluated after the model (default: the built-in rulebook); `false` = the model alone. */
  policy?: PolicyChoice;
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
  return runMarginModel(resolvePortfolio(portfolio, market), market, config, input.policy ?? {});
}
