import { invalidInput } from "../core/errors.js";
import { lastIndexAtOrBefore } from "../core/time.js";
import {
  estimateRiskFactors,
  type RiskFactorEstimate,
  type RiskFactorEstimateOptions,
} from "../risk/estimateRiskFactors.js";
import { weightsAsOf } from "../risk/forecast/weightsAsOf.js";
import { IncrementalRiskFactors } from "../risk/incrementalRiskFactors.js";
import type { PriceSeries } from "../risk/priceHistory.js";

/** One factor's close series (ascending unique ISO dates). */
export interface FactorSeries {
  name: string;
  dates: readonly string[];
  closes: ArrayLike<number>;
  /** Daily USD volumes, same length (the learned forecaster's volume features read them). */
  volumes?: ArrayLike<number>;
}

export type RiskFactorTrackerOptions = Omit<RiskFactorEstimateOptions, "toDate">;

/** An implied-vol factor ("vol:ETH"): estimated when its history allows, never required. */
const isOptional = (name: string) => name.startsWith("vol:");

/** Fewest daily returns of every factor `estimateRiskFactors` accepts. */
export const MIN_FACTOR_RETURNS = 30;

/**
 * `estimateRiskFactors` (src/risk/estimateRiskFactors.ts, the one home of the estimate) walked forward in time over a
 * fixed set of factors: each estimate sees closes up to its date only, and is computed incrementally
 * (IncrementalRiskFactors, the same numbers at a cost per day independent of the history's length). Dates are the factors' common dates (calendar
 * information, fixed up front); each factor is still estimated from its own full history. With the learned forecaster,
 * each date uses only the artefact versions trained through that date (`weightsAsOf`).
 */
export class RiskFactorTracker {
  readonly names: string[];
  /** Common dates of all factors, ascending. */
  readonly dates: string[];
  private readonly series: (PriceSeries & { volumes?: Float64Array })[];
  private readonly options: RiskFactorTrackerOptions;
  private readonly dateIndex: Map<string, number>;
  private position = -1;
  /** The estimate walked forward incrementally (same numbers, constant cost per day); not for the learned forecaster. */
  private readonly incremental: IncrementalRiskFactors | undefined;

  constructor(series: readonly FactorSeries[], options: RiskFactorTrackerOptions = {}) {
    if (series.length === 0) throw invalidInput("$.series", "needs at least one factor");
    this.names = series.map((s) => s.name);
    if (new Set(this.names).size !== this.names.length) throw invalidInput("$.series", "factor names must be distinct");
    this.options = options;
    this.series = series.map((s) => ({
      symbol: s.name,
      dates: [...s.dates],
      closes: Float64Array.from(s.closes),
      ...(s.volumes ? { volumes: Float64Array.from(s.volumes) } : {}),
    }));
    // Implied-vol factors are optional: they start later (a vol history needs returns first) and never hold a day back.
    const required = series.filter((s) => !isOptional(s.name));
    const count = new Map<string, number>();
    for (const s of required) for (const d of s.dates) count.set(d, (count.get(d) ?? 0) + 1);
    this.dates = [...count].filter(([, c]) => c === required.length).map(([d]) => d);
    this.dates.sort();
    this.dateIndex = new Map(this.dates.map((d, t) => [d, t]));
    this.incremental = options.ml ? undefined : new IncrementalRiskFactors(this.series, options);
  }

  /** Whether `date` is a common date of every factor. */
  has(date: string): boolean {
    return this.dateIndex.has(date);
  }

  /**
   * The estimate with closes up to and including `date` (a common date, not before the last one asked for), or
   * undefined while some factor has fewer than 30 returns.
   */
  estimateAt(date: string): RiskFactorEstimate | undefined {
    const target = this.dateIndex.get(date);
    if (target === undefined)
      throw invalidInput("$.toDate", `${date} is not a common date of ${this.names.join(", ")}`);
    if (target < this.position) throw invalidInput("$.toDate", `${date} is before the tracker's position`);
    this.position = target;
    const ends = this.series.map((s) => lastIndexAtOrBefore(s.dates, date));
    const enough = (i: number) => ends[i]! >= MIN_FACTOR_RETURNS;
    if (this.series.some((s, i) => !isOptional(s.symbol) && !enough(i))) return undefined;
    // An implied-vol factor without enough history (or no close on `date`) is left out: the model then applies its
    // configured implied-vol law to it.
    const series = this.series.filter((s, i) => enough(i) && (!isOptional(s.symbol) || s.dates[ends[i]!] === date));
    if (this.incremental && series.length === this.series.length) return this.incremental.estimateAt(date);
    // The learned forecaster's weights: only versions trained on data up to `date` (no look-ahead).
    const ml = this.options.ml
      ? { ...this.options.ml, weights: weightsAsOf(this.options.ml.weights, date) }
      : undefined;
    return estimateRiskFactors(series, { ...this.options, ...(ml ? { ml } : {}), toDate: date });
  }
}
