import type { ForecastWeights } from "./mlp.js";

/**
 * The artefacts usable at the close of `date` without look-ahead: per factor group, the latest version trained only on
 * targets dated on or before `date` (`trainedThrough`). A group with no such version has no forecaster that day, so its
 * factors keep their statistical vol and are named in the estimate's `source`.
 */
export function weightsAsOf(weights: readonly ForecastWeights[], date: string): ForecastWeights[] {
  const best = new Map<ForecastWeights["group"], ForecastWeights>();
  for (const w of weights) {
    if (w.trainedThrough > date) continue;
    const held = best.get(w.group);
    if (!held || w.trainedThrough > held.trainedThrough) best.set(w.group, w);
  }
  return [...best.values()];
}
