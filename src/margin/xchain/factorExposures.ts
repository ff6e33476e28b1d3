import { black76 } from "../../pricing/black76.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedItem } from "../resolve/resolvedPortfolio.js";
import { underlyingStateOf } from "../resolve/underlyingFacts.js";
import type { Horizons } from "./horizons.js";
import type { FactorModel } from "./riskFactorModel.js";
import { optionAtHorizon, type PnlVectors } from "./simulatePnlVectors.js";

/**
 * First-order P&L of the included items per unit log-move of each factor at each horizon point, USD, laid out
 * `[factor * nTimes + time]`: linear items their exposure on their price and basis factor; options size x Black-76
 * delta x forward on the price factor and size x vega x vol on their implied-vol factor, at the horizon's time to
 * expiry. The delta-normal (delta-t) loss of these exposures has a closed-form ES: the control variate of the ES.
 */
export function factorExposures(
  items: readonly ResolvedItem[],
  include: readonly boolean[],
  market: ResolvedMarket,
  factors: FactorModel,
  horizons: Horizons,
  pnl: PnlVectors,
  minVolAnnual: number,
): Float64Array {
  const nT = horizons.timesDays.length;
  const out = new Float64Array(factors.names.length * nT);
  const add = (f: number, j: number, usd: number) => {
    if (f >= 0) out[f * nT + j] = out[f * nT + j]! + usd;
  };
  items.forEach((item, i) => {
    if (!include[i]) return;
    const j = horizons.itemTime[i]!;
    const p = item.priced;
    if (p.kind !== "option") {
      add(factors.priceFactor[i]!, j, pnl.coefficient[i]!);
      add(factors.basisFactor[i]!, j, pnl.coefficient[i]!);
      return;
    }
    const { years, fwdFactor, df } = optionAtHorizon(item, market, horizons.itemDays[i]!);
    const forwardUsd = underlyingStateOf(market, item.underlying, item.path).spotUsd * fwdFactor;
    const vol = Math.max(minVolAnnual, item.volAnnual);
    const g = black76({
      forwardUsd,
      strikeUsd: p.strikeUsd,
      years,
      volAnnual: vol,
      discountFactor: df,
      isCall: p.isCall,
    });
    add(factors.priceFactor[i]!, j, p.size * g.delta * forwardUsd);
    add(factors.volFactor[i]!, j, p.size * g.vega * vol);
  });
  return out;
}

/**
 * Standard deviation of the linear P&L sum_{f,j} a_fj G_f(t_j) of Brownian factors with daily covariance C:
 * Cov(G_f(t_j), G_g(t_k)) = C_fg min(t_j, t_k).
 */
export function exposureSd(exposures: Float64Array, covarianceDaily: Float64Array, timesDays: Float64Array): number {
  const nT = timesDays.length;
  const nF = exposures.length / nT;
  let v = 0;
  for (let f = 0; f < nF; f++) {
    for (let j = 0; j < nT; j++) {
      const a = exposures[f * nT + j]!;
      if (a === 0) continue;
      for (let g = 0; g < nF; g++) {
        const c = covarianceDaily[f * nF + g]!;
        if (c === 0) continue;
        for (let k = 0; k < nT; k++) v += a * exposures[g * nT + k]! * c * Math.min(timesDays[j]!, timesDays[k]!);
      }
    }
  }
  return Math.sqrt(Math.max(0, v));
}
