import { buildFactorPanel, type ForecastSeries } from "./features.js";
import { type ForecastWeights, mlpKernel } from "./mlp.js";
import { type FactorGroup, kernelForecast } from "./walkForward.js";

/** Group of a risk factor name: token bases (`basis:stETH`) against underlyings. */
export function factorGroup(factor: string): FactorGroup {
  return factor.startsWith("basis:") ? "basis" : "underlying";
}

export interface LearnedVols {
  /** Daily vol per series, in input order; NaN where no forecast could be made (see `missing`). */
  volsDaily: Float64Array;
  /** Factors without a forecast, with the reason: the caller keeps its statistical vol for them. */
  missing: string[];
}

/**
 * Next-day vols of each series from the learned forecaster, as of each series' last close (the caller cuts the
 * series at the as-of date). A factor whose group has no artefact, or whose history is too short for the features,
 * is listed in `missing` rather than given a guessed number.
 * @param market the cross-asset (BTC) series, cut at the same date
 */
export function learnedVols(
  series: readonly ForecastSeries[],
  market: ForecastSeries,
  weights: readonly ForecastWeights[],
): LearnedVols {
  const volsDaily = new Float64Array(series.length).fill(Number.NaN);
  const missing: string[] = [];
  series.forEach((s, i) => {
    const group = factorGroup(s.symbol);
    const w = weights.find((x) => x.group === group);
    if (!w) {
      missing.push(`${s.symbol} (no ${group} forecaster)`);
      return;
    }
    try {
      const panel = buildFactorPanel(s, market, group === "basis");
      const v = Math.sqrt(kernelForecast(mlpKernel(w), panel, panel.nRows - 1));
      if (v > 0 && Number.isFinite(v)) volsDaily[i] = v;
      else missing.push(`${s.symbol} (forecast not a positive number: ${v})`);
    } catch (err) {
      missing.push(`${s.symbol} (${err instanceof Error ? err.message : String(err)})`);
    }
  });
  return { volsDaily, missing };
}
