import type { PositionGreeks } from "../../pricing/types.js";
import { positionGreeks } from "../../pricing/valuePosition.js";
import type { ResolvedMarket } from "./resolvedMarket.js";
import type { ResolvedItem, ResolvedPortfolio } from "./resolvedPortfolio.js";

/** One item of a resolved portfolio with its greeks at the market's spot. */
export interface ItemGreeks {
  item: ResolvedItem;
  underlying: string;
  spotUsd: number;
  greeks: PositionGreeks;
}

/** Greeks of several positions on one underlying, summed (delta in underlying units and in USD). */
export interface NetGreeks {
  underlying: string;
  spotUsd: number;
  delta: number;
  deltaUsd: number;
  gamma: number;
  vegaUsdPerVolPoint: number;
  thetaUsdPerDay: number;
}

/** Greeks of every holding and position of a resolved portfolio (the `xmargin value` rows and the dashboard's). */
export function itemGreeksOf(portfolio: ResolvedPortfolio, market: ResolvedMarket): ItemGreeks[] {
  return portfolio.items.map((item) => {
    const state = market.underlyings.get(item.underlying)!;
    return {
      item,
      underlying: item.underlying,
      spotUsd: state.spotUsd,
      greeks: positionGreeks(item.priced, state, item.volAnnual, item.path),
    };
  });
}

/** Sums greeks per underlying, in the order underlyings first appear. */
export function netGreeksByUnderlying(
  rows: ReadonlyArray<{ underlying: string; spotUsd: number; greeks: PositionGreeks }>,
): NetGreeks[] {
  const out = new Map<string, NetGreeks>();
  for (const { underlying, spotUsd, greeks } of rows) {
    const n = out.get(underlying) ?? {
      underlying,
      spotUsd,
      delta: 0,
      deltaUsd: 0,
      gamma: 0,
      vegaUsdPerVolPoint: 0,
      thetaUsdPerDay: 0,
    };
    n.delta += greeks.delta;
    n.deltaUsd += greeks.delta * spotUsd;
    n.gamma += greeks.gamma;
    n.vegaUsdPerVolPoint += greeks.vegaUsdPerVolPoint;
    n.thetaUsdPerDay += greeks.thetaUsdPerDay;
    out.set(underlying, n);
  }
  return [...out.values()];
}
