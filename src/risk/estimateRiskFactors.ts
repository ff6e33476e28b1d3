import { invalidInput } from "../core/errors.js";
import { ewmaCovariance } from "./ewma.js";
import { learnedVols } from "./forecast/currentVols.js";
import type { ForecastSeries } from "./forecast/features.js";
import type { ForecastWeights } from "./forecast/mlp.js";
import { fitGarch } from "./garch.js";
import { alignSeries, logReturns, type PriceSeries } from "./priceHistory.js";
import { stressedFloor } from "./stressedFloor.js";

export interface RiskFactorEstimateOptions {
  /** Use closes up to and including this ISO date (no look-ahead). */
  toDate: string;
  /** EWMA decay, default 0.94 (RiskMetrics daily). */
  lambda?: number;
  /** Stress window length in returns, default 250. */
  stressWindowDays?: number;
  /** Weight of the stressed correlation, default 0.25 (EMIR RTS art. 28). */
  stressWeight?: number;
  /**
   * Current vols: "ewma" (RiskMetrics, default) or "garch" (GARCH(1,1) fitted by maximum likelihood per factor, its
   * one-day forecast; a factor whose fit does not converge keeps its EWMA vol and is named in `source`).
   * "ml": the learned forecaster (src/risk/forecast/, needs `ml`); a factor it cannot forecast keeps its EWMA vol
   * and is named in `source`. "auto": the learned forecaster only for the factors its artefacts list in `defaultFor`
   * (where the forecasting report found it better out of sample), EWMA for the rest. Correlations are EWMA in every
   * case.
   */
  method?: "ewma" | "garch" | "ml" | "auto";
  /** Artefacts and the cross-asset (BTC) series the "ml" method needs. */
  ml?: { weights: readonly ForecastWeights[]; market: ForecastSeries };
}

export interface RiskFactorEstimate {
  names: string[];
  /** Current EWMA daily vols. */
  currentVolsDaily: Float64Array;
  /** Floored daily vols: max(current, stressed window). */
  volsDaily: Float64Array;
  /** Blended, repaired correlation, row-major. */
  correlation: Float64Array;
  fromDate: string;
  toDate: string;
  stressWindow: { startDate: string; endDate: string };
  /** Series dropped because they have no close on `toDate`. */
  excluded: string[];
  source: string;
}

/**
 * EWMA vols and correlations of factor series with a stressed floor: the series are cut at `toDate`, series without
 * a close on that date are dropped (they would silently stale the estimate), the rest are aligned on common dates,
 * and the floor of `stressedFloor` is applied.
 * @param series one price (or price-ratio) series per factor; `symbol` is the factor name
 */
export function estimateRiskFactors(
  series: readonly (PriceSeries & { volumes?: Float64Array })[],
  options: RiskFactorEstimateOptions,
): RiskFactorEstimate {
  const lambda = options.lambda ?? 0.94;
  const windowDays = options.stressWindowDays ?? 250;
  const stressWeight = options.stressWeight ?? 0.25;
  const excluded: string[] = [];
  const cut: ForecastSeries[] = [];
  for (const s of series) {
    const end = s.dates.findLastIndex((d) => d <= options.toDate);
    if (end < 0 || s.dates[end] !== options.toDate) {
      excluded.push(s.symbol);
      continue;
    }
    cut.push({
      symbol: s.symbol,
      dates: s.dates.slice(0, end + 1),
      closes: s.closes.slice(0, end + 1),
      ...(s.volumes ? { volumes: s.volumes.slice(0, end + 1) } : {}),
    });
  }
  if (cut.length === 0) throw invalidInput("$.toDate", `no series has a close on ${options.toDate}`);
  const aligned = alignSeries(cut);
  const returns = logReturns(aligned);
  if (returns.nObs < 30) {
    throw invalidInput(
      "$.toDate",
      `only ${returns.nObs} common daily returns up to ${options.toDate}; need at least 30`,
    );
  }
  const current = ewmaCovariance(returns, { lambda });
  const method = options.method ?? "ewma";
  const currentVols = Float64Array.from(current.vols);
  const garchFailed: string[] = [];
  if (method === "garch") {
    const column = new Float64Array(returns.nObs);
    for (let f = 0; f < returns.nFactors; f++) {
      for (let t = 0; t < returns.nObs; t++) column[t] = returns.data[t * returns.nFactors + f]!;
      const fit = fitGarch(column);
      if (fit.converged && Number.isFinite(fit.forecastVol) && fit.forecastVol > 0) currentVols[f] = fit.forecastVol;
      else garchFailed.push(returns.factorNames[f]!);
    }
  }
  const mlMissing: string[] = [];
  const learnedFactors: string[] = [];
  if (method === "ml" || method === "auto") {
    if (!options.ml)
      throw invalidInput("$.ml", `method "${method}" needs the forecaster weights and the market series`);
    const end = options.ml.market.dates.findLastIndex((d) => d <= options.toDate);
    const m = options.ml.market;
    const market = { symbol: m.symbol, dates: m.dates.slice(0, end + 1), closes: m.closes.slice(0, end + 1) };
    const defaults = new Set(options.ml.weights.flatMap((w) => w.defaultFor));
    const use = method === "ml" ? cut : cut.filter((s) => defaults.has(s.symbol));
    const learned = learnedVols(use, market, options.ml.weights);
    returns.factorNames.forEach((name, f) => {
      const k = use.findIndex((s) => s.symbol === name);
      const v = k < 0 ? undefined : learned.volsDaily[k];
      if (v !== undefined && v > 0 && Number.isFinite(v)) {
        currentVols[f] = v;
        learnedFactors.push(name);
      }
    });
    mlMissing.push(...learned.missing);
  }
  const floored = stressedFloor(returns, {
    windowDays,
    stressWeight,
    current: { vols: currentVols, correlation: current.correlation },
  });
  const fromDate = aligned.dates[0] ?? "";
  return {
    names: returns.factorNames,
    currentVolsDaily: currentVols,
    volsDaily: floored.vols,
    correlation: floored.correlation,
    fromDate,
    toDate: options.toDate,
    stressWindow: { startDate: floored.window.startDate, endDate: floored.window.endDate },
    excluded,
    source:
      `${method === "garch" ? "GARCH(1,1) MLE vols, EWMA" : method === "ml" ? "learned forecaster vols, EWMA" : method === "auto" ? `learned forecaster vols for ${learnedFactors.join(", ") || "no factor"}, EWMA` : "EWMA"} lambda ${lambda} on daily closes ${fromDate}..` +
      `${options.toDate}; vols floored at the ${windowDays}-day stress window ${floored.window.startDate}..` +
      `${floored.window.endDate}; correlation ${stressWeight * 100}% stressed` +
      (garchFailed.length ? `; GARCH did not converge for ${garchFailed.join(", ")} (EWMA used)` : "") +
      (mlMissing.length ? `; no learned forecast for ${mlMissing.join("; ")} (EWMA used)` : ""),
  };
}
