import { formatUsd } from "../core/decimal.js";
import type { ModelBacktest } from "./compare.js";
import type { ReplayDay } from "./replay.js";

/** One replayed day as JSON (decimals are strings, as in the rest of the API). */
export interface BacktestDayJson {
  date: string;
  /** The requirement compared with the loss (IM + collateral haircuts), USD. */
  margin: string;
  initialMargin: string;
  /** Realised loss over the horizon (positive = loss); null for the last days, whose later close is not known yet. */
  loss: string | null;
  /** loss > margin; null when there is no loss. */
  exception: boolean | null;
}

/** The one JSON shape of a replayed day (CLI `backtest --json` and the service's account backtest). */
export function backtestDayJson(d: ReplayDay): BacktestDayJson {
  return {
    date: d.date,
    margin: formatUsd(d.marginUsd),
    initialMargin: formatUsd(d.initialMarginUsd),
    loss: d.lossUsd === null ? null : formatUsd(d.lossUsd),
    exception: d.exception,
  };
}

/**
 * The JSON of one model's backtest (`xmargin backtest --json`): statistics, crises and the days. Decimals of USD are
 * strings; the days are `backtestDayJson`'s, as in the service's per-account backtest.
 */
export function modelBacktestJson(r: ModelBacktest): unknown {
  const s = r.summary;
  return {
    portfolio: r.portfolio,
    model: r.replay.model,
    firstDate: s.firstDate,
    lastDate: s.lastDate,
    observations: s.observations,
    horizonDays: s.horizonDays,
    modelHorizonDays: r.replay.modelHorizonDays,
    coverage: s.coverage,
    exceptions: s.exceptions,
    exceptionRate: s.exceptionRate,
    exceptionDates: s.exceptionDates,
    kupiec: s.kupiec,
    christoffersen: s.christoffersen && {
      counts: s.christoffersen.counts,
      independence: s.christoffersen.independence,
      conditionalCoverage: s.christoffersen.conditionalCoverage,
    },
    trafficLight: s.trafficLight,
    averageMargin: formatUsd(s.averageMarginUsd),
    peakMargin: formatUsd(s.peakMarginUsd),
    averageInitialMargin: formatUsd(s.averageInitialMarginUsd),
    maxLoss: formatUsd(s.maxLossUsd),
    procyclicality: {
      maxIncrease5d: formatUsd(s.procyclicality.maxIncrease5dUsd),
      maxIncrease30d: formatUsd(s.procyclicality.maxIncrease30dUsd),
      maxIncrease5dRel: s.procyclicality.maxIncrease5dRel,
      maxIncrease30dRel: s.procyclicality.maxIncrease30dRel,
      peakToTrough: s.procyclicality.peakToTrough,
    },
    badDebt: formatUsd(r.badDebtUsd),
    crises: r.liquidation.map((o) => ({
      window: o.window.id,
      label: o.window.label,
      covered: o.covered,
      ...(o.covered
        ? {
            openDate: o.openDate,
            fundedEquity: formatUsd(o.fundedEquityUsd ?? 0),
            liquidated: o.liquidated,
            triggerDate: o.triggerDate ?? null,
            executionDate: o.executionDate ?? null,
            unwindCost: o.unwindCostUsd === undefined ? null : formatUsd(o.unwindCostUsd),
            badDebt: formatUsd(o.badDebtUsd ?? 0),
          }
        : { reason: o.reason }),
    })),
    days: r.replay.days.map(backtestDayJson),
  };
}
