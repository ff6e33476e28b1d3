import type { UnderlyingState } from "../../pricing/types.js";
import { fairForwardUsd } from "../resolve/fairForward.js";
import type { ResolvedItem } from "../resolve/resolvedPortfolio.js";
import { type CollateralWeights, tokenKindOf, type WeightedValue, weightedHoldingValue } from "./collateralWeights.js";
import type { LinearRates, ShortOptionRates } from "./derivativeRates.js";

export interface StandaloneRates {
  linearRates: LinearRates;
  shortOptionRates: ShortOptionRates;
}

/**
 * Requirement of one holding or position margined on its own, with no offsets:
 * - holdings: none (their risk is in their collateral weight);
 * - perps/futures: rate x |size| x mark (spot for perps, fair forward for futures);
 * - long options: none (their value counts for nothing as collateral, see `standaloneCollateral`);
 * - short options: Deribit standard margin, max(base - OTM/S, minimum) x S per unit (maintenance: rate x S); the mark
 *   is already subtracted from equity, so it is not added again. Short puts never need more than strike - mark.
 */
export function standaloneRequirement(item: ResolvedItem, u: UnderlyingState, rates: StandaloneRates): WeightedValue {
  const p = item.priced;
  const absSize = Math.abs(p.size);
  switch (p.kind) {
    case "spot":
      return { initialUsd: 0, maintenanceUsd: 0 };
    case "perp":
    case "future": {
      const r = rates.linearRates.byUnderlying[item.underlying] ?? rates.linearRates.other;
      const mark = p.kind === "perp" ? u.spotUsd : fairForwardUsd(u, p.expiryYears);
      return { initialUsd: r.initial * absSize * mark, maintenanceUsd: r.maintenance * absSize * mark };
    }
    case "option": {
      if (p.size > 0) return { initialUsd: 0, maintenanceUsd: 0 };
      if (p.expiryYears <= 0) return { initialUsd: 0, maintenanceUsd: 0 };
      const s = u.spotUsd;
      const otm = p.isCall ? Math.max(p.strikeUsd - s, 0) : Math.max(s - p.strikeUsd, 0);
      const o = rates.shortOptionRates;
      let initialPerUnit = Math.max(o.base - otm / s, o.minimum) * s;
      let maintenancePerUnit = o.maintenance * s;
      if (!p.isCall) {
        const markPerUnit = -item.valueUsd / absSize;
        const maxLossPerUnit = Math.max(p.strikeUsd - markPerUnit, 0);
        initialPerUnit = Math.min(initialPerUnit, maxLossPerUnit);
        maintenancePerUnit = Math.min(maintenancePerUnit, maxLossPerUnit);
      }
      return { initialUsd: initialPerUnit * absSize, maintenanceUsd: maintenancePerUnit * absSize };
    }
  }
}

/**
 * What an item counts for as collateral when margined without portfolio offsets: deposits and borrows at their
 * weights, long options at 0 (premium paid is not collateral), everything else at its mark value (losses in full).
 */
export function standaloneCollateral(item: ResolvedItem, weights: CollateralWeights): WeightedValue {
  const p = item.priced;
  if (p.kind === "spot") return weightedHoldingValue(item.valueUsd, item.underlying, tokenKindOf(item.token), weights);
  if (p.kind === "option" && p.size > 0) return { initialUsd: 0, maintenanceUsd: 0 };
  return { initialUsd: item.valueUsd, maintenanceUsd: item.valueUsd };
}
