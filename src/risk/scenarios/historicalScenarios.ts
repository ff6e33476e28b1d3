import { missingData } from "../../core/errors.js";
import type { ReturnsMatrix } from "../priceHistory.js";
import type { ScenarioSet } from "./scenarioSet.js";
import { checkTimesDays } from "./scenarioSet.js";

/** Whole days of history a time point uses: ceil(t) for t >= 1 (1e-9 slack for rounding), 1 below. */
export function windowDays(t: number): number {
  return t <= 1 ? 1 : Math.ceil(t - 1e-9);
}

/**
 * Historical-simulation scenarios from overlapping windows of real joint daily returns. Scenario s is the path that
 * starts with return s: at time point t (days) its log-return is sum_{k < ceil(t)} r_{s+k} for t >= 1 (a fractional
 * horizon rounds up, the conservative side), and sqrt(t) r_s for t < 1 (square-root-of-time within a day). With
 * H = ceil(max t) there are nObs - H + 1 scenarios, all read on the same H-day paths. Overlapping windows are not
 * independent; that is the usual price for using multi-day history. Labels are the dates of each path's first return.
 * @param returns daily log-returns, oldest first.
 * @param timesDays horizon time points in days, strictly ascending.
 */
export function historicalScenarios(returns: ReturnsMatrix, timesDays: ArrayLike<number>): ScenarioSet {
  const times = checkTimesDays(timesDays);
  const nTimes = times.length;
  const n = returns.nFactors;
  const span = Int32Array.from(times, windowDays);
  const scale = Float64Array.from(times, (t) => (t < 1 ? Math.sqrt(t) : 1));
  const horizon = span[nTimes - 1] ?? 1;
  const nScenarios = returns.nObs - horizon + 1;
  if (nScenarios < 1) {
    throw missingData(
      "$.returns",
      `need at least ${horizon} returns for a ${horizon}-day window`,
      `have ${returns.nObs}`,
    );
  }
  const out = new Float64Array(nScenarios * nTimes * n);
  const cum = new Float64Array(n);
  const r = returns.data;
  for (let s = 0; s < nScenarios; s++) {
    cum.fill(0);
    let j = 0;
    for (let k = 0; k < horizon && j < nTimes; k++) {
      const row = (s + k) * n;
      for (let i = 0; i < n; i++) cum[i] = (cum[i] ?? 0) + (r[row + i] ?? 0);
      while (j < nTimes && span[j] === k + 1) {
        const base = (s * nTimes + j) * n;
        const c = scale[j] ?? 1;
        for (let i = 0; i < n; i++) out[base + i] = (cum[i] ?? 0) * c;
        j++;
      }
    }
  }
  return {
    factorNames: [...returns.factorNames],
    nFactors: n,
    nScenarios,
    nTimes,
    timesDays: times,
    logReturns: out,
    labels: returns.dates.slice(0, nScenarios),
  };
}
