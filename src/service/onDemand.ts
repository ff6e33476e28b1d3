import { XmarginError } from "../core/errors.js";
import { runMarginModel } from "../margin/computeMargin.js";
import type { Rulebook } from "../margin/policy/rulebook.js";
import type { MarginReport } from "../margin/report.js";
import { type MarginReportJson, reportToJson } from "../margin/reportJson.js";
import { resolveMarket } from "../margin/resolve/resolveMarket.js";
import { resolvePortfolio } from "../margin/resolve/resolvePortfolio.js";
import { resolveMarginConfig } from "../margin/resolveConfig.js";
import type { MarketSnapshot } from "../schema/marketSnapshot.js";
import type { Portfolio } from "../schema/portfolio.js";
import type { ComputeJob } from "./compute/computeProtocol.js";
import type { WorkerPool } from "./compute/workerPool.js";
import { checkBudget } from "./computeBudget.js";
import type { WhatIfOutcome } from "./engines.js";
import type { MarginService } from "./marginService.js";
import { underPath } from "./underPath.js";

/**
 * Stateless calls of the service: nothing is stored or announced. They read the live market (when the request
 * brings no snapshot) and stored accounts (what-if by account id). Every call is checked against the compute budget
 * first; errors are rooted at the field of the request.
 */

/** How many trades a what-if document carries (0 when it has none or is not an object). */
function tradesOf(whatIf: unknown): number {
  const trades = (whatIf as { trades?: unknown } | null)?.trades;
  return Array.isArray(trades) ? trades.length : 0;
}

/** Margin of a portfolio at a snapshot; `fromRequest` roots snapshot errors at `$.market` (else it is the live one). */
export function marginAtSnapshot(
  portfolio: Portfolio,
  snapshot: MarketSnapshot,
  configDoc: unknown,
  fromRequest: boolean,
  rulebook?: Rulebook,
): MarginReport {
  const config = underPath("$.config", () => resolveMarginConfig(configDoc));
  const market = fromRequest ? underPath("$.market", () => resolveMarket(snapshot)) : resolveMarket(snapshot);
  return underPath("$.portfolio", () =>
    runMarginModel(resolvePortfolio(portfolio, market), market, config, rulebook ? { rulebook } : {}),
  );
}

/**
 * Margin of an ad-hoc portfolio: at the given snapshot, or at the live market when there is none. With a worker pool
 * the computation runs off the event loop; without one, here.
 */
export async function marginOnDemand(
  service: MarginService,
  portfolio: Portfolio,
  snapshot: MarketSnapshot | undefined,
  configDoc: unknown,
  pool?: WorkerPool,
): Promise<MarginReportJson> {
  const doc = configDoc ?? service.registry.defaultConfigDoc();
  const config = underPath("$.config", () => resolveMarginConfig(doc));
  checkBudget(portfolio, config, service.budget, { portfolio: "$.portfolio", config: "$.config" });
  if (pool) {
    const live = snapshot ?? service.currentTick().snapshot;
    const job: ComputeJob = {
      kind: "margin",
      portfolio,
      snapshot: live,
      configDoc: doc,
      fromRequest: snapshot !== undefined,
      rulebook: service.rulebook,
    };
    const result = await pool.run(job);
    if (result.kind === "margin") return result.report;
  }
  if (snapshot) return reportToJson(marginAtSnapshot(portfolio, snapshot, doc, true, service.rulebook));
  const market = service.currentTick().market;
  return reportToJson(
    underPath("$.portfolio", () =>
      runMarginModel(resolvePortfolio(portfolio, market), market, config, { rulebook: service.rulebook }),
    ),
  );
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
  // Trades add positions: the book after the what-if must fit the budget too.
  const trades = tradesOf(input.whatIf);
  const items = portfolio.holdings.length + portfolio.positions.length + trades;
  if (trades > 0 && items > service.budget.maxItems) {
    throw new XmarginError(
      `holdings + positions after the trades is ${items}; this service allows at most ${service.budget.maxItems}`,
      {
        code: "LIMIT_EXCEEDED",
        path: "$.whatIf.trades",
      },
    );
  }
  const snapshot = input.market ?? service.currentTick().snapshot;
  return underPath("$.whatIf", () => service.whatIfEngine.simulate(portfolio, snapshot, config, input.whatIf));
}
