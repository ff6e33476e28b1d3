import quantileT from "@stdlib/stats-base-dists-t-quantile";
import { normalCdf } from "../core/normal.js";
import { RESIDUAL_SCORE_COUNT, residualScore } from "../core/residualScores.js";
import { estimateRiskFactors } from "../risk/estimateRiskFactors.js";
import type { Portfolio } from "../schema/portfolio.js";
import type { History } from "./history/history.js";
import { RISK_FACTOR_SERIES_BY_FACTOR } from "./history/seriesMap.js";
import { portfolioNeeds } from "./timeline.js";

/** One factor's standardised residuals (the filtered-historical marginal) against the Student-t(4) law they replace. */
export interface ResidualRow {
  factor: string;
  /** The residual quantile at probability Phi(-2.3) = 1.07% and at Phi(2.3), the grid points next to 1% and 99%. */
  lowQuantile: number;
  highQuantile: number;
  /** Unit-variance t(4) at the same probabilities. */
  tLow: number;
  tHigh: number;
  /** Smallest and largest residual of the pool. */
  min: number;
  max: number;
}

/** Grid index of normal score -2.3. */
const LOW = 17;

/**
 * The residual quantiles every example's factors carry on `toDate` (estimateRiskFactors, 4-year pool) beside the
 * t(4) law: how far the data's 1-day tails are from the parametric ones the simulated component used before.
 */
export function residualDiagnostics(history: History, portfolios: readonly Portfolio[], toDate: string): ResidualRow[] {
  const names = [...new Set(portfolios.flatMap((p) => portfolioNeeds(p).factors))].sort();
  const series = names.flatMap((name) => {
    const s = history.get(RISK_FACTOR_SERIES_BY_FACTOR[name] ?? "");
    return s?.dates.includes(toDate) ? [{ ...s, symbol: name }] : [];
  });
  const e = estimateRiskFactors(series, { toDate });
  const tAt = (k: number) => quantileT(normalCdf(residualScore(k)), 4) * Math.SQRT1_2;
  const high = RESIDUAL_SCORE_COUNT - 1 - LOW;
  return e.names.flatMap((factor, i) => {
    const q = e.residualQuantiles[i];
    if (!q) return [];
    return [
      {
        factor,
        lowQuantile: q[LOW]!,
        highQuantile: q[high]!,
        tLow: tAt(LOW),
        tHigh: tAt(high),
        min: q[0]!,
        max: q[RESIDUAL_SCORE_COUNT - 1]!,
      },
    ];
  });
}
