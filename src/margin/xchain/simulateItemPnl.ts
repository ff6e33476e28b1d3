import { black76PriceUnchecked } from "../../pricing/black76.js";
import type { ScenarioSet } from "../../risk/scenarios/scenarioSet.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedItem } from "../resolve/resolvedPortfolio.js";
import type { Horizons } from "./horizons.js";
import type { FactorModel } from "./riskFactorModel.js";

const DAYS_PER_YEAR = 365;

/**
 * P&L of every item on every path at the item's own liquidation horizon, USD, written to
 * `out[item * nPaths + path]`:
 * - holdings: value x (exp(price return + basis return) - 1);
 * - perps: size x spot x (exp(r) - 1) (funding over the horizon is not projected);
 * - futures: size x forward x (exp(r) - 1);
 * - options: full Black-76 revaluation at the shocked spot and implied vol with the horizon's time decay
 *   (expiring inside the horizon: intrinsic value at the shocked spot).
 * No allocation inside the path loops.
 */
export function simulateItemPnl(
  items: readonly ResolvedItem[],
  market: ResolvedMarket,
  factors: FactorModel,
  horizons: Horizons,
  scenarios: ScenarioSet,
  minVolAnnual: number,
  out: Float64Array,
): void {
  const nPaths = scenarios.nScenarios;
  const nT = scenarios.nTimes;
  const nF = scenarios.nFactors;
  const r = scenarios.logReturns;
  items.forEach((item, i) => {
    const fP = factors.priceFactor[i]!;
    const fB = factors.basisFactor[i]!;
    const fV = factors.volFactor[i]!;
    const j = horizons.itemTime[i]!;
    const rowOut = i * nPaths;
    const p = item.priced;
    const u = market.underlyings.get(item.underlying);
    const spot = u?.spotUsd ?? 1;
    if (p.kind === "option") {
      const years = Math.max(0, p.expiryYears - horizons.itemDays[i]! / DAYS_PER_YEAR);
      const carry = u?.carryRateAnnual ?? 0;
      const df = Math.exp(-(u?.riskFreeRateAnnual ?? 0) * years);
      const fwdFactor = Math.exp(carry * years);
      const base = item.valueUsd;
      for (let s = 0; s < nPaths; s++) {
        const off = (s * nT + j) * nF;
        const shockedSpot = spot * Math.exp(fP >= 0 ? r[off + fP]! : 0);
        let unit: number;
        if (years <= 0) {
          unit = p.isCall ? Math.max(shockedSpot - p.strikeUsd, 0) : Math.max(p.strikeUsd - shockedSpot, 0);
        } else {
          const vol = Math.max(minVolAnnual, item.volAnnual * Math.exp(fV >= 0 ? r[off + fV]! : 0));
          unit = black76PriceUnchecked(shockedSpot * fwdFactor, p.strikeUsd, years, vol, df, p.isCall);
        }
        out[rowOut + s] = p.size * unit - base;
      }
      return;
    }
    let exposure: number;
    if (p.kind === "spot") exposure = item.valueUsd;
    else if (p.kind === "perp") exposure = p.size * spot;
    else exposure = p.size * spot * Math.exp((u?.carryRateAnnual ?? 0) * Math.max(0, p.expiryYears));
    for (let s = 0; s < nPaths; s++) {
      const off = (s * nT + j) * nF;
      const ret = (fP >= 0 ? r[off + fP]! : 0) + (fB >= 0 ? r[off + fB]! : 0);
      out[rowOut + s] = exposure * Math.expm1(ret);
    }
  });
}
