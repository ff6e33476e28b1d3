import { runMarginModel } from "../margin/computeMargin.js";
import type { MarginReport } from "../margin/report.js";
import { resolveMarket } from "../margin/resolve/resolveMarket.js";
import { resolvePortfolio } from "../margin/resolve/resolvePortfolio.js";
import { resolveMarginConfig } from "../margin/resolveConfig.js";
import type { MarketSnapshot } from "../schema/marketSnapshot.js";
import type { Portfolio } from "../schema/portfolio.js";
import { checkBudget } from "./computeBudget.js";
import type { WhatIfOutcome } from "./engines.js";
import type { MarginService } from "./marginService.js";
import { underPath } from "./underPath.js";

/**
 * Stateless calls of the service: nothing is stored or announced. They read the live market (when the request
 * brings no snapshot) and stored accounts (what-if by account id).
 */

/** Margin of an ad-hoc portfolio: at the given snapshot, or at the live market when there is none. */
export function marginOnDemand(
  service: MarginService,
  portfolio: Portfolio,
  snapshot: MarketSnapshot | undefined,
  configDoc: unknown,
): MarginReport {
  const config = underPath("$.config", () => resolveMarginConfig(configDoc ?? service.registry.defaultConfigDoc()));
  checkBudget(portfolio, config, service.budget, { portfolio: "$.portfolio", config: "$.config" });
  const market = snapshot ? underPath("$.market", () => resolveMarket(snapshot)) : service.currentTick().market;
  return underPath("$.portfolio", () => runMarginModel(resolvePortfolio(portfolio, market), market, config));
}

/** A what-if on a stored account or a given portfolio, at the given snapshot or the live market. */
export function whatIfOnDemand(
  service: MarginService,
  input: {
    accountId?: string;
    portfolio?: Portfolio;
    market?: MarketSnapshot;
    config?: Record<string, unknown>;
    whatIf: unknown;
  },
): WhatIfOutcome {
  const acc = input.accountId === undefined ? undefined : service.getAccount(input.accountId);
  const portfolio = acc?.portfolio ?? input.portfolio!;
  const configDoc = input.config ?? acc?.configDoc ?? service.registry.defaultConfigDoc();
  const config = underPath("$.config", () => resolveMarginConfig(configDoc));
  checkBudget(portfolio, config, service.budget, {
    portfolio: acc ? "$.accountId" : "$.portfolio",
    config: input.config ? "$.config" : "$.accountId",
  });
  const snapshot = input.market ?? service.currentTick().snapshot;
  return underPath("$.whatIf", () => service.whatIfEngine.simulate(portfolio, snapshot, config, input.whatIf));
}
