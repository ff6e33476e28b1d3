import { invalidInput } from "../../core/errors.js";
import type { FactorForecasts } from "./baselines.js";
import { type FactorPanel, FEATURE_NAMES, N_FEATURES } from "./features.js";
import {
  FORECAST_WEIGHTS_VERSION,
  type ForecastWeights,
  type MlpHyper,
  type MlpKernel,
  mlpKernel,
  predictLogMultiplier,
} from "./mlp.js";
import { type EvaluationWindow, refitDates, segmentsByRefit, windowRows } from "./schedule.js";
import { trainMlp } from "./trainMlp.js";

export type FactorGroup = ForecastWeights["group"];

/** Rows of the panels whose target is dated before `before` (strictly): the only rows a model fitted then may see. */
export function trainingSet(panels: readonly FactorPanel[], before: string): { x: Float64Array; y: Float64Array } {
  let n = 0;
  for (const p of panels)
    for (let r = 0; r < p.nRows; r++) if (p.targetDates[r] !== "" && p.targetDates[r]! < before) n++;
  const x = new Float64Array(n * N_FEATURES);
  const y = new Float64Array(n);
  let k = 0;
  for (const p of panels) {
    for (let r = 0; r < p.nRows; r++) {
      if (!(p.targetDates[r] !== "" && p.targetDates[r]! < before)) continue;
      x.set(p.features.subarray(r * N_FEATURES, (r + 1) * N_FEATURES), k * N_FEATURES);
      y[k] = p.nextReturn[r]! ** 2 / p.baseVariance[r]!;
      k++;
    }
  }
  return { x, y };
}

/**
 * Fits the forecaster of one factor group on every row whose target is dated before `before`: the artefact that
 * `xmargin train` writes and the walk-forward refits build.
 */
export async function fitForecaster(
  panels: readonly FactorPanel[],
  group: FactorGroup,
  before: string,
  hyper: MlpHyper,
  onEpoch?: (done: number, total: number) => void,
): Promise<ForecastWeights> {
  const { x, y } = trainingSet(panels, before);
  if (y.length === 0) throw invalidInput("$.history", `no ${group} training rows before ${before}`);
  const trained = await trainMlp(x, y, hyper, onEpoch);
  let last = "";
  for (const p of panels) {
    for (let r = 0; r < p.nRows; r++) {
      const d = p.targetDates[r]!;
      if (d !== "" && d < before && d > last) last = d;
    }
  }
  return {
    kind: "xmargin-vol-forecaster",
    version: FORECAST_WEIGHTS_VERSION,
    group,
    features: [...FEATURE_NAMES],
    hyper: { ...hyper },
    trainedThrough: last,
    trainingRows: y.length,
    factors: panels.map((p) => p.factor),
    defaultFor: [],
    featureMean: trained.featureMean,
    featureStd: trained.featureStd,
    w1: trained.w1,
    b1: trained.b1,
    w2: trained.w2,
    b2: trained.b2,
  };
}

/** Variance forecast of one panel row: EWMA base x learned multiplier. */
export function kernelForecast(kernel: MlpKernel, panel: FactorPanel, row: number): number {
  return panel.baseVariance[row]! * Math.exp(predictLogMultiplier(kernel, panel.features, row * N_FEATURES));
}

/**
 * Walk-forward out-of-sample forecasts of the learned model for every panel of one group: at each refit date the
 * network is refitted on the expanding window (targets dated strictly before the refit) and used until the next
 * refit. `onRefit` reports progress.
 */
export async function mlForecasts(
  panels: readonly FactorPanel[],
  group: FactorGroup,
  window: EvaluationWindow,
  hyper: MlpHyper,
  onRefit?: (done: number, total: number) => void,
): Promise<Map<string, FactorForecasts>> {
  const refits = refitDates(window);
  const out = new Map<string, FactorForecasts>();
  const segments = panels.map((p) => {
    const rows = windowRows(p, window);
    out.set(p.factor, { rows, variance: new Float64Array(rows.length), notes: [] });
    return segmentsByRefit(p, rows, refits);
  });
  for (let k = 0; k < refits.length; k++) {
    onRefit?.(k, refits.length);
    if (panels.every((_, i) => segments[i]![k]![0] === segments[i]![k]![1])) continue;
    const weights = await fitForecaster(panels, group, refits[k]!, hyper);
    const kernel = mlpKernel(weights);
    panels.forEach((p, i) => {
      const f = out.get(p.factor)!;
      const [a, b] = segments[i]![k]!;
      for (let q = a; q < b; q++) {
        f.variance[q] = kernelForecast(kernel, p, f.rows[q]!);
      }
    });
  }
  onRefit?.(refits.length, refits.length);
  return out;
}
