/**
 * The `derive-pmrm2` margin model: maps the portfolio to PMRM_2 sub-accounts (mapPortfolio.ts), computes each with
 * Derive's methodology (computePmrm2.ts) and reports the requirement as the spec's terms. Derive's MM and IM are
 * surpluses over the sub-account's MtM; the report's requirement is MtM minus surplus, so free collateral is the sum
 * of the IM surpluses and the account is liquidatable when the MM surpluses sum below 0.
 * @see docs/models/derive-pmrm2.md
 */
import { assembleReport } from "../../common/assembleReport.js";
import { oracleAddOn } from "../../common/oracleAddOn.js";
import type { MarginReport } from "../../report.js";
import type { ResolvedMarket } from "../../resolve/resolvedMarket.js";
import type { ResolvedPortfolio } from "../../resolve/resolvedPortfolio.js";
import { computePmrm2, type Pmrm2Result } from "./computePmrm2.js";
import type { DerivePmrm2Config } from "./config.js";
import { attributeItems } from "./itemAttribution.js";
import { mapPortfolio } from "./mapPortfolio.js";
import { reportTerms } from "./reportTerms.js";

export function computeDerivePmrm2(
  portfolio: ResolvedPortfolio,
  market: ResolvedMarket,
  config: DerivePmrm2Config,
): MarginReport {
  const mapped = mapPortfolio(portfolio, market, config);
  const results = new Map<string, Pmrm2Result>();
  for (const [key, sub] of mapped.subAccounts)
    results.set(key, computePmrm2(sub.account, config.params, `$.subAccounts.${key}`));

  const { components, scenarios } = reportTerms(mapped, results, config.params);
  const figures = attributeItems(portfolio, mapped, results, config.params);
  if (config.oracleBandAddOn.enabled) {
    // Fail-safe on top of Derive's figures: diverging or stale prices must raise margin (docs/oracles.md).
    const oracle = oracleAddOn(portfolio.items, market, config.oracleBandAddOn.staleAddOnRel);
    components.push({
      id: "oracle-uncertainty",
      name: "oracle uncertainty (xmargin)",
      initialMarginUsd: oracle.addOnUsd,
      maintenanceMarginUsd: oracle.addOnUsd,
      detail: `exposure x relative oracle band (+${100 * config.oracleBandAddOn.staleAddOnRel}% if stale), added by xmargin to Derive's figures`,
    });
    for (let i = 0; i < portfolio.items.length; i++) {
      figures.initialUsd[i]! += oracle.itemUsd[i]!;
      figures.maintenanceUsd[i]! += oracle.itemUsd[i]!;
    }
  }
  return assembleReport({
    model: "derive-pmrm2",
    portfolio,
    market,
    itemInitialUsd: figures.initialUsd,
    itemMaintenanceUsd: figures.maintenanceUsd,
    itemCollateralUsd: figures.valueUsd,
    itemMaintenanceCollateralUsd: figures.valueUsd,
    components,
    scenarios,
    flags: mapped.flags,
  });
}
