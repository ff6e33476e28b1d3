import type { UnderlyingState } from "../../pricing/types.js";
import { assembleReport } from "../common/assembleReport.js";
import type { WeightedValue } from "../common/collateralWeights.js";
import { oracleAddOn } from "../common/oracleAddOn.js";
import { standaloneCollateral, standaloneRequirement } from "../common/standaloneRequirement.js";
import type { MarginReport } from "../report.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedItem, ResolvedPortfolio } from "../resolve/resolvedPortfolio.js";
import type { IsolatedConfig } from "./config.js";

/**
 * One item margined on its own: its standalone requirement, and its collateral without unrealised gains of perps
 * and futures (one position's gains cannot support another).
 */
function isolatedItem(
  item: ResolvedItem,
  state: UnderlyingState,
  config: IsolatedConfig,
): { req: WeightedValue; coll: WeightedValue } {
  const req = standaloneRequirement(item, state, config);
  const coll = standaloneCollateral(item, config.collateralWeights);
  const gainsExcluded = item.priced.kind === "perp" || item.priced.kind === "future";
  if (!gainsExcluded) return { req, coll };
  return { req, coll: { initialUsd: Math.min(coll.initialUsd, 0), maintenanceUsd: Math.min(coll.maintenanceUsd, 0) } };
}

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
    const { req, coll } = isolatedItem(item, state, config);
    itemCollateral[i] = coll.initialUsd;
    itemMaintenanceCollateral[i] = coll.maintenanceUsd;
    itemInitial[i] = req.initialUsd;
    itemMaintenance[i] = req.maintenanceUsd;
    const bucket = item.priced.kind === "option" ? options : linear;
    bucket[0]! += req.initialUsd;
    bucket[1]! += req.maintenanceUsd;
  });
  // The band moves each requirement and collateral with the price, as this model counts them.
  const oracle = oracleAddOn(portfolio.items, market, config.oracleStaleAddOnRel, (item, state, valueUsd) => {
    if (!state) return { collateralUsd: 0, initialUsd: 0 };
    const { req, coll } = isolatedItem({ ...item, valueUsd }, state, config);
    return { collateralUsd: coll.initialUsd, initialUsd: req.initialUsd };
  });
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
