import { Matrix, solve } from "ml-matrix";
import { ewmaVolSeries } from "../ewma.js";
import { fitGarch } from "../garch.js";
import type { FactorPanel } from "./features.js";
import { type EvaluationWindow, refitDates, segmentsByRefit, windowRows } from "./schedule.js";

/** Out-of-sample one-day-ahead variance forecasts of one factor, aligned with `windowRows`. */
export interface FactorForecasts {
  rows: Int32Array;
  variance: Float64Array;
  /** Notes on fallbacks used (e.g. a GARCH fit that did not converge). */
  notes: string[];
}

/** EWMA(lambda) variance of r_{t+1} from returns up to r_t: no parameters to refit. */
export function ewmaForecasts(panel: FactorPanel, window: EvaluationWindow, lambda: number): FactorForecasts {
  const rows = windowRows(panel, window);
  const vol = ewmaVolSeries(panel.returns, { lambda });
  const variance = Float64Array.from(rows, (r) => vol[panel.returnIndex[r]! + 1]! ** 2);
  return { rows, variance, notes: [] };
}

/** Number of returns dated before `date` (returns are in date order). */
function countBefore(dates: readonly string[], date: string): number {
  let n = 0;
  while (n < dates.length && dates[n]! < date) n++;
  return n;
}

/**
 * GARCH(1,1) by maximum likelihood refitted on the expanding window of returns dated before each refit date, then
 * filtered forward with fixed parameters until the next refit. A fit that does not converge falls back to EWMA(0.94)
 * for its segment and says so.
 */
export function garchForecasts(panel: FactorPanel, window: EvaluationWindow): FactorForecasts {
  const rows = windowRows(panel, window);
  const refits = refitDates(window);
  const segments = segmentsByRefit(panel, rows, refits);
  const variance = new Float64Array(rows.length);
  const notes: string[] = [];
  const ewma = ewmaVolSeries(panel.returns, { lambda: 0.94 });
  const r = panel.returns;
  segments.forEach(([a, b], k) => {
    if (a === b) return;
    const n = countBefore(panel.returnDates, refits[k]!);
    const fit = fitGarch(r.subarray(0, n));
    if (!fit.converged) notes.push(`GARCH fit at ${refits[k]} did not converge; EWMA(0.94) used`);
    const { omega, alpha, beta } = fit.params;
    let v = fit.initialVariance;
    let s = 0;
    for (let p = a; p < b; p++) {
      const t = panel.returnIndex[rows[p]!]!;
      // v holds sigma^2 of r_s; advance it to sigma^2 of r_t, then one more step is the forecast of r_{t+1}.
      for (; s < t; s++) v = omega + alpha * r[s]! * r[s]! + beta * v;
      variance[p] = fit.converged ? omega + alpha * r[t]! * r[t]! + beta * v : ewma[t + 1]! ** 2;
    }
  });
  return { rows, variance, notes };
}

function meanSq(r: Float64Array, end: number, window: number): number {
  let s = 0;
  for (let k = end - window + 1; k <= end; k++) s += r[k]! * r[k]!;
  return s / window;
}

/**
 * HAR-OLS (Corsi 2009) on daily squared returns: r^2_{t+1} = b0 + b1 r^2_t + b5 RV5_t + b22 RV22_t, fitted by
 * ordinary least squares on the expanding window of targets dated before each refit. A non-positive forecast falls
 * back to RV22 (the regression has no positivity constraint).
 */
export function harForecasts(panel: FactorPanel, window: EvaluationWindow): FactorForecasts {
  const rows = windowRows(panel, window);
  const refits = refitDates(window);
  const segments = segmentsByRefit(panel, rows, refits);
  const variance = new Float64Array(rows.length);
  const r = panel.returns;
  let fallbacks = 0;
  segments.forEach(([a, b], k) => {
    if (a === b) return;
    const nTargets = countBefore(panel.returnDates, refits[k]!);
    const xtx = new Matrix(4, 4);
    const xty = new Matrix(4, 1);
    const x = new Float64Array(4);
    for (let t = 21; t + 1 < nTargets; t++) {
      x[0] = 1;
      x[1] = r[t]! * r[t]!;
      x[2] = meanSq(r, t, 5);
      x[3] = meanSq(r, t, 22);
      const y = r[t + 1]! * r[t + 1]!;
      for (let i = 0; i < 4; i++) {
        xty.set(i, 0, xty.get(i, 0) + x[i]! * y);
        for (let j = 0; j < 4; j++) xtx.set(i, j, xtx.get(i, j) + x[i]! * x[j]!);
      }
    }
    const beta = solve(xtx, xty, true).getColumn(0);
    for (let p = a; p < b; p++) {
      const t = panel.returnIndex[rows[p]!]!;
      const rv22 = meanSq(r, t, 22);
      const f = beta[0]! + beta[1]! * r[t]! * r[t]! + beta[2]! * meanSq(r, t, 5) + beta[3]! * rv22;
      if (f > 0) variance[p] = f;
      else {
        variance[p] = rv22;
        fallbacks++;
      }
    }
  });
  return { rows, variance, notes: fallbacks ? [`HAR forecast <= 0 on ${fallbacks} days; RV22 used`] : [] };
}
