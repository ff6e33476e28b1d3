import type { VolMethod } from "../risk/estimateRiskFactors.js";
import { factorGroup } from "../risk/forecast/currentVols.js";
import { buildFactorPanel, type ForecastSeries } from "../risk/forecast/features.js";
import type { ForecastWeights, MlpHyper } from "../risk/forecast/mlp.js";
import { type FactorGroup, fitForecaster } from "../risk/forecast/walkForward.js";
import { RISK_FACTOR_SERIES } from "../risk/riskFactorSeries.js";
import type { MarketSnapshotInput } from "../schema/marketSnapshot.js";
import type { Portfolio } from "../schema/portfolio.js";
import type { BacktestRunOptions } from "./compare.js";
import type { History } from "./history/history.js";
import { type ExampleValidation, validateXchain } from "./xchainValidation.js";

/**
 * Walk-forward artefacts of the learned forecaster: one fit per group at each refit date, on targets dated before it
 * (expanding window). The backtest picks, each day, the latest version trained through that day (`weightsAsOf`).
 * @param defaultFor factors where the forecasting report made ml the default ("auto" uses them)
 */
export async function walkForwardWeights(
  history: History,
  refitDates: readonly string[],
  hyper: Record<FactorGroup, MlpHyper>,
  defaultFor: readonly string[],
): Promise<ForecastWeights[]> {
  const btc = history.get("BTC-USD");
  if (!btc) return [];
  const market: ForecastSeries = { ...btc, symbol: "BTC" };
  const out: ForecastWeights[] = [];
  for (const group of ["underlying", "basis"] as const) {
    const panels = RISK_FACTOR_SERIES.filter((r) => factorGroup(r.factor) === group).flatMap(({ factor, series }) => {
      const s = history.get(series);
      return s ? [buildFactorPanel({ ...s, symbol: factor }, market, group === "basis")] : [];
    });
    if (panels.length === 0) continue;
    for (const before of refitDates) {
      const fitted = await fitForecaster(panels, group, before, hyper[group]);
      out.push({ ...fitted, defaultFor: defaultFor.filter((f) => fitted.factors.includes(f)) });
    }
  }
  return out;
}

export interface VolMethodRun {
  method: VolMethod;
  examples: ExampleValidation[];
}

/**
 * The xchain validation (exceptions, Kupiec, average IM, bad debt) of every example once per vol method, the method
 * carried by the xchain config (`riskFactors.volMethod`) as any model run would.
 */
export function backtestVolMethods(
  history: History,
  examples: ReadonlyArray<{ name: string; portfolio: Portfolio }>,
  reference: MarketSnapshotInput,
  methods: readonly VolMethod[],
  weights: readonly ForecastWeights[],
  options: BacktestRunOptions,
  onMethod?: (method: VolMethod) => void,
): VolMethodRun[] {
  return methods.map((method) => {
    onMethod?.(method);
    return {
      method,
      examples: validateXchain(history, examples, reference, {
        ...options,
        volMethod: method,
        forecastWeights: weights,
      }),
    };
  });
}
