import { type ScenarioSet, scenarioIndex } from "../../risk/scenarios/scenarioSet.js";
import { valueAtRisk } from "../../risk/varEs.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedItem } from "../resolve/resolvedPortfolio.js";
import type { XchainConfig } from "./config.js";
import type { Horizons } from "./horizons.js";
import { forEachPnlTerm } from "./pnlTerms.js";
import type { FactorModel } from "./riskFactorModel.js";
import type { SharedScenarios } from "./sharedScenarios.js";
import { simulatePnlVectors } from "./simulatePnlVectors.js";

/**
 * The model's 1-day VaR of the book's simulated P&L, the quantity a VaR backtest compares with the realised 1-day
 * P&L (Basel 2.5 / FRTB backtest a 1-day 99% VaR while the charge is a stressed or longer-horizon measure):
 * - the same paths as the charge (same draws, tails, cap, correlations, option revaluation), read at the first
 *   simulated time point and scaled to exactly 1 day (increments are Brownian: x sqrt(1 / t0));
 * - each factor at its current (EWMA or GARCH) vol rather than its anti-procyclicality floor: the paths are rescaled
 *   by current / floored vol per factor, which keeps the correlation (cov_now = D cov_floor D, D diagonal);
 * - the whole book's P&L, every chain at face value (the cross-chain offset rate, the floors and the add-ons are
 *   charging rules, not part of the P&L distribution the realised P&L is drawn from).
 * Not on the hot path: computed only when `backtesting.oneDayVar` asks for it.
 * @returns the VaR at `backtesting.confidence`, USD (positive = loss).
 */
export function oneDayVarUsd(
  items: readonly ResolvedItem[],
  market: ResolvedMarket,
  factors: FactorModel,
  horizons: Horizons,
  scenarios: ScenarioSet,
  config: XchainConfig,
): number {
  const nS = scenarios.nScenarios;
  const nF = scenarios.nFactors;
  const t0 = scenarios.timesDays[0]!;
  const logReturns = new Float64Array(nF * nS);
  for (let f = 0; f < nF; f++) {
    const floored = factors.volsDaily[f]!;
    const k = (floored > 0 ? factors.backtestVolsDaily[f]! / floored : 1) / Math.sqrt(t0);
    for (let s = 0; s < nS; s++) logReturns[f * nS + s] = k * scenarios.logReturns[scenarioIndex(scenarios, s, 0, f)]!;
  }
  // Only the fields of a plain set: a sampler's extra per-time arrays (QMC gaussian/mixing) do not fit one time point.
  const oneDay: ScenarioSet = {
    factorNames: scenarios.factorNames,
    nFactors: nF,
    nScenarios: nS,
    ...(scenarios.weights ? { weights: scenarios.weights } : {}),
    nTimes: 1,
    timesDays: Float64Array.of(1),
    logReturns,
    layout: "factor-major",
  };
  // A private set (rescaled paths): its vectors are not the tick's shared ones.
  const oneDayShared: SharedScenarios = { set: oneDay, vectors: new Map(), vectorBytesLeft: 0, seen: new Set() };
  const n = items.length;
  const oneDayHorizons: Horizons = {
    ...horizons,
    itemDays: new Float64Array(n).fill(1),
    timesDays: Float64Array.of(1),
    itemTime: new Int32Array(n),
  };
  const pnl = simulatePnlVectors(
    items,
    market,
    { ...factors, volsDaily: factors.backtestVolsDaily },
    oneDayHorizons,
    oneDayShared,
    config.impliedVol.minVolAnnual,
    config.simulation.optionRevaluation,
    config.impliedVol.moveResponse,
    config.simulation.optionGrids === "summed",
  );
  const losses = new Float64Array(nS);
  forEachPnlTerm(
    pnl,
    () => true,
    (v, a) => {
      const vec = pnl.vectors[v]!;
      for (let s = 0; s < nS; s++) losses[s] = losses[s]! - a * vec[s]!;
    },
  );
  // Importance-sampled paths carry probability weights (absent: equal weights).
  return valueAtRisk(losses, config.backtesting.confidence, scenarios.weights);
}
