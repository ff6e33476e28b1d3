import type { UnderlyingState } from "../../pricing/types.js";
import type { ResolvedItem } from "../resolve/resolvedPortfolio.js";
import {
  type CollateralWeights,
  type HoldingRequirement,
  holdingRequirement,
  tokenKindOf,
} from "./collateralWeights.js";
import type { LinearRates, ShortOptionRates } from "./derivativeRates.js";

export interface StandaloneRates {
  collateralWeights: CollateralWeights;
  linearRates: LinearRates;
  shortOptionRates: ShortOptionRates;
}

/**
 * Requirement of one holding or position margined on its own, with no offsets:
 * - holdings: weight haircut (deposits) or liability add-on (borrows);
 * - perps/futures: rate x |size| x mark (spot for perps, fair forward for futures);
 * - long options: their mark value (premium at risk counts for nothing as collateral);
 * - short options: Deribit standard margin, max(base - OTM/S, minimum) x S per unit (maintenance: rate x S); the mark
 *   is already subtracted from equity, so it is not added again. Short puts never need more than strike - mark.
 */
export function standaloneRequirement(
  item: ResolvedItem,
  u: UnderlyingState,
  rates: StandaloneRates,
): HoldingRequirement {
  const p = item.priced;
  const absSize = Math.abs(p.size);
  switch (p.kind) {
    case "spot":
      return holdingRequirement(item.valueUsd, item.underlying, tokenKindOf(item.token), rates.collateralWeights);
    case "perp":
    case "future": {
      const r = rates.linearRates.byUnderlying[item.underlying] ?? rates.linearRates.other;
      const mark = p.kind === "perp" ? u.spotUsd : u.spotUsd * Math.exp(u.carryRateAnnual * Math.max(0, p.expiryYears));
      return { initialUsd: r.initial * absSize * mark, maintenanceUsd: r.maintenance * absSize * mark };
    }
    case "option": {
      if (p.size > 0) return { initialUsd: item.valueUsd, maintenanceUsd: item.valueUsd };
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
