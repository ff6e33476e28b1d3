import type { ReplayResult } from "./replay.js";
import {
  type ChristoffersenResult,
  christoffersen,
  kupiecPof,
  type LikelihoodRatioTest,
  type Procyclicality,
  procyclicality,
  type TrafficLight,
  trafficLight,
} from "./statistics.js";

/** Coverage statistics and capital figures of one replay. */
export interface BacktestSummary {
  accountId: string;
  model: string;
  firstDate: string;
  lastDate: string;
  /** Days with a margin. */
  days: number;
  /** Days with both a margin and a realised loss. */
  observations: number;
  horizonDays: number;
  /** Coverage level the tests assume (exception probability 1 - coverage). */
  coverage: number;
  exceptions: number;
  exceptionRate: number;
  kupiec: LikelihoodRatioTest;
  christoffersen: ChristoffersenResult | null;
  trafficLight: TrafficLight;
  averageMarginUsd: number;
  peakMarginUsd: number;
  averageInitialMarginUsd: number;
  averageEquityUsd: number;
  /** Largest realised loss and largest shortfall (loss - margin) over the run. */
  maxLossUsd: number;
  maxShortfallUsd: number;
  procyclicality: Procyclicality;
  /** Dates of the exceptions. */
  exceptionDates: string[];
}

/**
 * Statistics of a replay: Kupiec POF, Christoffersen independence / conditional coverage on the exception sequence
 * (days in date order; with a horizon longer than one day the losses overlap and exceptions cluster by construction),
 * Basel traffic light at `coverage`, margin level and procyclicality.
 * @param coverage the model's coverage level, default 0.99 (Basel 99% VaR convention)
 */
export function summarizeReplay(replay: ReplayResult, coverage = 0.99): BacktestSummary {
  const days = replay.days;
  const observed = days.filter((d) => d.lossUsd !== null);
  const hits = observed.map((d) => d.exception === true);
  const x = hits.filter(Boolean).length;
  const n = observed.length;
  const p = 1 - coverage;
  const margins = days.map((d) => d.marginUsd);
  const pro = procyclicality(
    margins,
    days.map((d) => d.dayNumber),
  );
  let maxLoss = 0;
  let maxShortfall = Number.NEGATIVE_INFINITY;
  for (const d of observed) {
    maxLoss = Math.max(maxLoss, d.lossUsd!);
    maxShortfall = Math.max(maxShortfall, d.lossUsd! - d.marginUsd);
  }
  const mean = (f: (d: (typeof days)[number]) => number) => days.reduce((s, d) => s + f(d), 0) / days.length;
  return {
    accountId: replay.accountId,
    model: replay.model,
    firstDate: days[0]?.date ?? "",
    lastDate: days.at(-1)?.date ?? "",
    days: days.length,
    observations: n,
    horizonDays: replay.horizonDays,
    coverage,
    exceptions: x,
    exceptionRate: n > 0 ? x / n : 0,
    kupiec: n > 0 ? kupiecPof(x, n, p) : { lr: 0, pValue: 1, dof: 1 },
    christoffersen: n >= 2 ? christoffersen(hits, p) : null,
    trafficLight: trafficLight(x, Math.max(1, n), coverage),
    averageMarginUsd: pro.averageUsd,
    peakMarginUsd: pro.peakUsd,
    averageInitialMarginUsd: mean((d) => d.initialMarginUsd),
    averageEquityUsd: mean((d) => d.equityUsd),
    maxLossUsd: maxLoss,
    maxShortfallUsd: n > 0 ? maxShortfall : 0,
    procyclicality: pro,
    exceptionDates: observed.filter((d) => d.exception).map((d) => d.date),
  };
}
