import { ewmaForecasts, type FactorForecasts, garchForecasts, harForecasts } from "../risk/forecast/baselines.js";
import { dieboldMariano, lossSeries, mean, qlike, squaredError, varExceptions } from "../risk/forecast/evaluate.js";
import { buildFactorPanel, type FactorPanel, type ForecastSeries } from "../risk/forecast/features.js";
import type { MlpHyper } from "../risk/forecast/mlp.js";
import type { EvaluationWindow } from "../risk/forecast/schedule.js";
import { type FactorGroup, mlForecasts } from "../risk/forecast/walkForward.js";
import { normalQuantile } from "../risk/normalQuantile.js";
import { kupiecPof } from "./statistics.js";

export const FORECAST_METHODS = ["ewma", "garch", "har", "ml"] as const;
export type ForecastMethod = (typeof FORECAST_METHODS)[number];
const STATISTICAL: readonly ForecastMethod[] = ["ewma", "garch", "har"];

/** Split and search space of the comparison; every choice is made on `validation`, scored on `test`. */
export interface ForecastStudyOptions {
  validation: EvaluationWindow;
  test: EvaluationWindow;
  ewmaLambdas: readonly number[];
  mlGrid: readonly MlpHyper[];
  /** One-sided DM significance for the learned model to become a factor's default. */
  significance: number;
  /** VaR coverage used for the exception count and Kupiec test (0.99). */
  coverage: number;
}

export interface FactorInput {
  factor: string;
  group: FactorGroup;
  series: ForecastSeries;
}

export interface MethodScore {
  qlike: number;
  mse: number;
  exceptions: number;
  kupiecPValue: number;
}

export interface FactorResult {
  factor: string;
  group: FactorGroup;
  testDays: number;
  testFrom: string;
  testTo: string;
  ewmaLambda: number;
  scores: Record<ForecastMethod, MethodScore>;
  bestStatistical: ForecastMethod;
  /** DM of ml against the best statistical method on QLIKE: negative statistic = ml better. */
  dmStatistic: number;
  dmPValue: number;
  mlWins: boolean;
  coverageNotWorse: boolean;
  defaultMethod: "ewma" | "ml";
  notes: string[];
}

export interface ForecastStudy {
  options: ForecastStudyOptions;
  chosenHyper: Record<FactorGroup, MlpHyper>;
  validationQlike: Record<FactorGroup, number[]>;
  factors: FactorResult[];
}

function meanQlike(panels: readonly FactorPanel[], forecasts: Map<string, FactorForecasts>): number {
  let s = 0;
  let n = 0;
  for (const p of panels) {
    const f = forecasts.get(p.factor);
    if (!f) continue;
    const next = Float64Array.from(f.rows, (r) => p.nextReturn[r]!);
    const l = lossSeries(next, f.variance, qlike);
    for (let i = 0; i < l.length; i++) s += l[i]!;
    n += l.length;
  }
  return n > 0 ? s / n : Number.POSITIVE_INFINITY;
}

function score(next: Float64Array, variance: Float64Array, coverage: number, z: number): MethodScore {
  const exceptions = varExceptions(next, variance, z);
  return {
    qlike: mean(lossSeries(next, variance, qlike)),
    mse: mean(lossSeries(next, variance, squaredError)),
    exceptions,
    kupiecPValue: kupiecPof(exceptions, next.length, 1 - coverage).pValue,
  };
}

/**
 * Out-of-sample comparison of EWMA, GARCH(1,1), HAR-OLS and the learned forecaster, per factor: EWMA's lambda (per
 * factor) and the network's hyper-parameters (per group) are chosen by QLIKE on the validation window, which ends
 * before the test window starts; all four are then scored walk-forward on the test window. The learned model becomes
 * a factor's default only if a one-sided Diebold-Mariano test on QLIKE against the best statistical method has
 * p < significance and its VaR coverage is not worse (Kupiec p >= 0.05, or no more exceptions than that method).
 */
export async function runForecastStudy(
  inputs: readonly FactorInput[],
  market: ForecastSeries,
  options: ForecastStudyOptions,
  progress?: (stage: string, done: number, total: number) => void,
): Promise<ForecastStudy> {
  const panels = new Map<string, FactorPanel>();
  for (const i of inputs) panels.set(i.factor, buildFactorPanel(i.series, market, i.group === "basis"));
  const groups: FactorGroup[] = ["underlying", "basis"];
  const chosenHyper = {} as Record<FactorGroup, MlpHyper>;
  const validationQlike = {} as Record<FactorGroup, number[]>;
  const mlTest = new Map<string, FactorForecasts>();
  for (const g of groups) {
    const gp = inputs.filter((i) => i.group === g).map((i) => panels.get(i.factor)!);
    if (gp.length === 0) continue;
    const losses: number[] = [];
    for (const [h, hyper] of options.mlGrid.entries()) {
      const f = await mlForecasts(gp, g, options.validation, hyper, (d, t) =>
        progress?.(`${g} validation ${h + 1}/${options.mlGrid.length}`, d, t),
      );
      losses.push(meanQlike(gp, f));
    }
    validationQlike[g] = losses;
    const best = losses.indexOf(Math.min(...losses));
    chosenHyper[g] = options.mlGrid[best]!;
    const f = await mlForecasts(gp, g, options.test, chosenHyper[g], (d, t) => progress?.(`${g} test`, d, t));
    for (const [k, v] of f) mlTest.set(k, v);
  }
  // One-sided normal VaR multiplier of the coverage (0.99 -> 2.3263).
  const z = normalQuantile(options.coverage);
  const factors: FactorResult[] = [];
  for (const [n, input] of inputs.entries()) {
    progress?.("statistical baselines", n, inputs.length);
    const p = panels.get(input.factor)!;
    const lambdaLoss = options.ewmaLambdas.map((l) =>
      meanQlike([p], new Map([[p.factor, ewmaForecasts(p, options.validation, l)]])),
    );
    const ewmaLambda = options.ewmaLambdas[lambdaLoss.indexOf(Math.min(...lambdaLoss))]!;
    const forecasts: Record<ForecastMethod, FactorForecasts> = {
      ewma: ewmaForecasts(p, options.test, ewmaLambda),
      garch: garchForecasts(p, options.test),
      har: harForecasts(p, options.test),
      ml: mlTest.get(p.factor)!,
    };
    const rows = forecasts.ewma.rows;
    if (rows.length < 10) continue;
    const next = Float64Array.from(rows, (r) => p.nextReturn[r]!);
    const scores = Object.fromEntries(
      FORECAST_METHODS.map((m) => [m, score(next, forecasts[m].variance, options.coverage, z)]),
    ) as Record<ForecastMethod, MethodScore>;
    const bestStatistical = STATISTICAL.reduce((a, b) => (scores[b].qlike < scores[a].qlike ? b : a));
    const dm = dieboldMariano(
      lossSeries(next, forecasts.ml.variance, qlike),
      lossSeries(next, forecasts[bestStatistical].variance, qlike),
    );
    const mlWins = dm.meanDiff < 0 && dm.pValueABetter < options.significance;
    const coverageNotWorse =
      scores.ml.kupiecPValue >= 0.05 || scores.ml.exceptions <= scores[bestStatistical].exceptions;
    factors.push({
      factor: input.factor,
      group: input.group,
      testDays: rows.length,
      testFrom: p.asOfDates[rows[0]!]!,
      testTo: p.asOfDates[rows[rows.length - 1]!]!,
      ewmaLambda,
      scores,
      bestStatistical,
      dmStatistic: dm.statistic,
      dmPValue: dm.pValueABetter,
      mlWins,
      coverageNotWorse,
      defaultMethod: mlWins && coverageNotWorse ? "ml" : "ewma",
      notes: [...forecasts.garch.notes, ...forecasts.har.notes],
    });
  }
  return { options, chosenHyper, validationQlike, factors };
}
