import { assembleReport } from "../common/assembleReport.js";
import { standaloneRequirement } from "../common/standaloneRequirement.js";
import type { MarginComponent, MarginReport } from "../report.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedPortfolio } from "../resolve/resolvedPortfolio.js";
import type { IsolatedConfig } from "./config.js";

/**
 * Isolated margin: every position is margined on its own with no offsets (per-position initial/maintenance rates),
 * deposits count at their asset weight, borrows at their liability weight. Because a position's gains cannot
 * support another position, unrealised gains of perps and futures are not recognised (they are added back as a
 * requirement), and a long option's value is its own requirement.
 */
export function computeIsolated(
  portfolio: ResolvedPortfolio,
  market: ResolvedMarket,
  config: IsolatedConfig,
): MarginReport {
  const n = portfolio.items.length;
  const itemInitial = new Float64Array(n);
  const itemMaintenance = new Float64Array(n);
  const sums = { haircut: [0, 0], derivatives: [0, 0], longOptions: [0, 0], gains: [0, 0] };
  portfolio.items.forEach((item, i) => {
    const state = market.underlyings.get(item.underlying);
    if (!state) return;
    const req = standaloneRequirement(item, state, config);
    const p = item.priced;
    const bucket =
      p.kind === "spot" ? sums.haircut : p.kind === "option" && p.size > 0 ? sums.longOptions : sums.derivatives;
    bucket[0]! += req.initialUsd;
    bucket[1]! += req.maintenanceUsd;
    const unrecognisedGain = (p.kind === "perp" || p.kind === "future") && item.valueUsd > 0 ? item.valueUsd : 0;
    sums.gains[0]! += unrecognisedGain;
    sums.gains[1]! += unrecognisedGain;
    itemInitial[i] = req.initialUsd + unrecognisedGain;
    itemMaintenance[i] = req.maintenanceUsd + unrecognisedGain;
  });
  const component = (name: string, pair: number[], detail: string): MarginComponent => ({
    name,
    initialMarginUsd: pair[0]!,
    maintenanceMarginUsd: pair[1]!,
    detail,
  });
  return assembleReport({
    model: "isolated",
    portfolio,
    market,
    itemInitialUsd: itemInitial,
    itemMaintenanceUsd: itemMaintenance,
    components: [
      component("collateral haircuts", sums.haircut, "deposits at asset weight, borrows at liability weight"),
      component(
        "derivatives",
        sums.derivatives,
        "rate x notional for perps/futures; standard margin for short options",
      ),
      component("long option premium", sums.longOptions, "long options' value is not collateral"),
      component("unrecognised gains", sums.gains, "unrealised gains of one isolated position cannot support another"),
    ],
  });
}
