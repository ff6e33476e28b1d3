import { assembleReport } from "../common/assembleReport.js";
import { oracleAddOn } from "../common/oracleAddOn.js";
import { standaloneCollateral, standaloneRequirement } from "../common/standaloneRequirement.js";
import type { MarginReport } from "../report.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedPortfolio } from "../resolve/resolvedPortfolio.js";
import type { IsolatedConfig } from "./config.js";

/**
 * Isolated margin: every position is margined on its own with no offsets (per-position initial/maintenance rates),
 * deposits count at their asset weight, borrows at their liability weight. Because one position's gains cannot
 * support another, unrealised gains of perps and futures and the value of long options count for nothing as
 * collateral; losses count in full.
 */
export function computeIsolated(
  portfolio: ResolvedPortfolio,
  market: ResolvedMarket,
  config: IsolatedConfig,
): MarginReport {
  const n = portfolio.items.length;
  const itemInitial = new Float64Array(n);
  const itemMaintenance = new Float64Array(n);
  const itemCollateral = new Float64Array(n);
  const itemMaintenanceCollateral = new Float64Array(n);
  const linear = [0, 0];
  const options = [0, 0];
  portfolio.items.forEach((item, i) => {
    const state = market.underlyings.get(item.underlying);
    if (!state) return;
    const req = standaloneRequirement(item, state, config);
    const coll = standaloneCollateral(item, config.collateralWeights);
    const gainsExcluded = item.priced.kind === "perp" || item.priced.kind === "future";
    itemCollateral[i] = gainsExcluded ? Math.min(coll.initialUsd, 0) : coll.initialUsd;
    itemMaintenanceCollateral[i] = gainsExcluded ? Math.min(coll.maintenanceUsd, 0) : coll.maintenanceUsd;
    itemInitial[i] = req.initialUsd;
    itemMaintenance[i] = req.maintenanceUsd;
    const bucket = item.priced.kind === "option" ? options : linear;
    bucket[0]! += req.initialUsd;
    bucket[1]! += req.maintenanceUsd;
  });
  const oracle = oracleAddOn(portfolio.items, market, config.oracleStaleAddOnRel);
  for (let i = 0; i < n; i++) {
    itemInitial[i]! += oracle.itemUsd[i]!;
    itemMaintenance[i]! += oracle.itemUsd[i]!;
  }
  return assembleReport({
    model: "isolated",
    portfolio,
    market,
    itemInitialUsd: itemInitial,
    itemMaintenanceUsd: itemMaintenance,
    itemCollateralUsd: itemCollateral,
    itemMaintenanceCollateralUsd: itemMaintenanceCollateral,
    components: [
      {
        id: "perps-and-futures",
        name: "perps and futures",
        initialMarginUsd: linear[0]!,
        maintenanceMarginUsd: linear[1]!,
        detail: "initial/maintenance rate x notional of each position, no netting",
      },
      {
        id: "short-options",
        name: "short options",
        initialMarginUsd: options[0]!,
        maintenanceMarginUsd: options[1]!,
        detail: "standard margin max(base - OTM/S, minimum) x S per unit",
      },
      {
        id: "oracle-uncertainty",
        name: "oracle uncertainty",
        initialMarginUsd: oracle.addOnUsd,
        maintenanceMarginUsd: oracle.addOnUsd,
        detail: "exposure x (confidence, divergence, staleness) per chain and feed",
      },
    ],
  });
}
