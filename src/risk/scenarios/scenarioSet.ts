import { invalidInput } from "../../core/errors.js";

export type ScenarioLayout = "path-major" | "factor-major";

/** Index of (scenario s, time j, factor i) in `logReturns` for either layout. */
export function scenarioIndex(set: ScenarioSet, s: number, j: number, i: number): number {
  return set.layout === "factor-major"
    ? (i * set.nTimes + j) * set.nScenarios + s
    : (s * set.nTimes + j) * set.nFactors + i;
}

/**
 * Joint factor scenarios at several horizons. `logReturns[(s * nTimes + j) * nFactors + i]` is the cumulative
 * log-return of factor i from now to `timesDays[j]` in scenario s. Each scenario is one path, so a position with a
 * 2-day liquidation horizon and one with a 5-day horizon are read off the same path at their own time points.
 */
export interface ScenarioSet {
  factorNames: string[];
  nFactors: number;
  nScenarios: number;
  nTimes: number;
  /** Horizon time points in days, strictly ascending, > 0. */
  timesDays: Float64Array;
  /**
   * Length nScenarios * nTimes * nFactors. Layout [scenario][time][factor] ("path-major", the default), or
   * [factor][time][scenario] ("factor-major": each (factor, time) column is contiguous, for per-position loops).
   */
  logReturns: Float64Array;
  layout?: ScenarioLayout;
  /** Probability weights summing to 1; absent means equal weights. */
  weights?: Float64Array;
  /** One label per scenario, e.g. the historical date the path starts on. */
  labels?: string[];
}

/**
 * Checks horizon time points and returns them as a Float64Array.
 * @param timesDays horizons in days, finite, > 0, strictly ascending, at least one.
 */
export function checkTimesDays(timesDays: ArrayLike<number>): Float64Array {
  if (timesDays.length < 1) throw invalidInput("$.timesDays", "needs at least one time point");
  const out = Float64Array.from(timesDays);
  for (let j = 0; j < out.length; j++) {
    const t = out[j] ?? Number.NaN;
    if (!(t > 0) || !Number.isFinite(t)) throw invalidInput(`$.timesDays[${j}]`, "must be a finite number > 0");
    if (j > 0 && !(t > (out[j - 1] ?? 0))) throw invalidInput(`$.timesDays[${j}]`, "must be strictly ascending");
  }
  return out;
}
