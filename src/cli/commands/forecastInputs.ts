import { loadHistoryFolder } from "../../backtest/history/loadHistoryFolder.js";
import { XmarginError } from "../../core/errors.js";
import { factorGroup } from "../../risk/forecast/currentVols.js";
import type { ForecastSeries } from "../../risk/forecast/features.js";
import type { MlpHyper } from "../../risk/forecast/mlp.js";
import type { FactorGroup } from "../../risk/forecast/walkForward.js";
import { RISK_FACTOR_SERIES } from "../../risk/riskFactorSeries.js";

/** The series whose returns feed every factor's cross-asset features. */
export const MARKET_SERIES = "BTC-USD";

/** Network hyper-parameters searched on the validation window (and the default of `xmargin train`). */
export const ML_GRID: readonly MlpHyper[] = [
  { hidden: 4, epochs: 8, l2: 1e-3, learningRate: 0.01, batchSize: 512, seed: 20 },
  { hidden: 12, epochs: 8, l2: 1e-4, learningRate: 0.01, batchSize: 512, seed: 20 },
  { hidden: 12, epochs: 20, l2: 1e-3, learningRate: 0.005, batchSize: 512, seed: 20 },
];

export interface ForecastHistory {
  market: ForecastSeries;
  factors: Array<{ factor: string; group: FactorGroup; series: ForecastSeries }>;
}

/** The factor series of a history folder (with volumes) and the market series; factors without a file are skipped. */
export function loadForecastHistory(dir: string): ForecastHistory {
  const history = loadHistoryFolder(dir, "--history");
  const market = history.get(MARKET_SERIES);
  if (!market) {
    throw new XmarginError(`${MARKET_SERIES}.csv not found in ${dir}`, {
      code: "IO_ERROR",
      path: "--history",
      details: "the learned forecaster's cross-asset features need the BTC series",
    });
  }
  const factors: ForecastHistory["factors"] = [];
  for (const { factor, series } of RISK_FACTOR_SERIES) {
    const s = history.get(series);
    // The series takes the factor's name (BTC, basis:stETH), as the risk estimate names its factors.
    if (s) factors.push({ factor, group: factorGroup(factor), series: { ...s, symbol: factor } });
  }
  return { market, factors };
}
