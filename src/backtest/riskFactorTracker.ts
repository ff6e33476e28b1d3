import { invalidInput } from "../core/errors.js";
import type { RiskFactorEstimate } from "../risk/estimateRiskFactors.js";
import { covarianceToCorrelation, EWMA_DEFAULT_INIT_WINDOW } from "../risk/ewma.js";
import { nearestCorrelation } from "../risk/nearestCorrelation.js";

/** One factor's close series (ascending unique ISO dates). */
export interface FactorSeries {
  name: string;
  dates: readonly string[];
  closes: ArrayLike<number>;
}

export interface RiskFactorTrackerOptions {
  /** EWMA decay, default 0.94. */
  lambda?: number;
  /** Stress window in returns, default 250. */
  stressWindowDays?: number;
  /** Weight of the stressed correlation, default 0.25. */
  stressWeight?: number;
}

/** Fewest common returns `estimateRiskFactors` accepts. */
export const MIN_FACTOR_RETURNS = 30;

/**
 * Incremental `estimateRiskFactors` (src/risk/estimateRiskFactors.ts) for a fixed set of factors walked forward in
 * time. It gives the same numbers as the batch function cut at each date (the tests check this), at O(N^2) per day
 * instead of O(T N^2):
 * - the series are aligned on their common dates, as `alignSeries` does; a return is read only when the walk reaches
 *   its end date, so no estimate can see a later close;
 * - EWMA covariance: the seed (1/k) sum r r^T over the first k = 20 returns, then the RiskMetrics recursion, one step
 *   per new return, in the batch's arithmetic order;
 * - stress window: prefix sums of r^2; each new return adds one candidate window (the one ending on it) and the best
 *   so far is kept (ties to the earliest, as `findStressWindow`); while the history is shorter than the window, the
 *   whole history is the window (truncated);
 * - the stressed covariance is recomputed only when the window moves; the blend and the nearest-correlation repair
 *   are done per estimate (N is small).
 */
export class RiskFactorTracker {
  readonly names: string[];
  /** Common dates of all factors, ascending. */
  readonly dates: string[];
  private readonly n: number;
  private readonly closes: Float64Array;
  private readonly lambda: number;
  private readonly windowDays: number;
  private readonly stressWeight: number;
  /** Number of aligned dates consumed (returns = consumed - 1). */
  private consumed = 0;
  private readonly returns: Float64Array;
  private readonly prefix: Float64Array;
  private readonly cov: Float64Array;
  private readonly seed: Float64Array;
  private best: { start: number; vol: number } | undefined;
  private stressCache: { start: number; end: number; vols: Float64Array; correlation: Float64Array } | undefined;
  private readonly dateIndex: Map<string, number>;

  constructor(series: readonly FactorSeries[], options: RiskFactorTrackerOptions = {}) {
    if (series.length === 0) throw invalidInput("$.series", "needs at least one factor");
    this.names = series.map((s) => s.name);
    if (new Set(this.names).size !== this.names.length) throw invalidInput("$.series", "factor names must be distinct");
    this.lambda = options.lambda ?? 0.94;
    this.windowDays = options.stressWindowDays ?? 250;
    this.stressWeight = options.stressWeight ?? 0.25;
    if (!(this.lambda > 0 && this.lambda < 1)) throw invalidInput("$.lambda", "must be in (0,1)");
    if (!Number.isInteger(this.windowDays) || this.windowDays < 2) {
      throw invalidInput("$.stressWindowDays", "must be an integer >= 2");
    }
    const n = series.length;
    this.n = n;
    // Common dates: which dates exist is calendar information, not prices, so it is fixed up front.
    const count = new Map<string, number>();
    for (const s of series) for (const d of s.dates) count.set(d, (count.get(d) ?? 0) + 1);
    this.dates = [...count].filter(([, c]) => c === n).map(([d]) => d);
    this.dates.sort();
    this.dateIndex = new Map(this.dates.map((d, t) => [d, t]));
    this.closes = new Float64Array(this.dates.length * n).fill(Number.NaN);
    series.forEach((s, i) => {
      s.dates.forEach((d, k) => {
        const t = this.dateIndex.get(d);
        if (t !== undefined) this.closes[t * n + i] = s.closes[k] ?? Number.NaN;
      });
    });
    const nRet = Math.max(0, this.dates.length - 1);
    this.returns = new Float64Array(nRet * n);
    this.prefix = new Float64Array((nRet + 1) * n);
    this.cov = new Float64Array(n * n);
    this.seed = new Float64Array(n * n);
  }

  /** Number of returns consumed so far. */
  get nObs(): number {
    return Math.max(0, this.consumed - 1);
  }

  /** Whether `date` is a common date of every factor. */
  has(date: string): boolean {
    return this.dateIndex.has(date);
  }

  /** Consumes the next aligned date: one new return, one EWMA step, one candidate stress window. */
  private step(): void {
    const n = this.n;
    const t = this.consumed;
    this.consumed++;
    if (t === 0) return;
    const r = t - 1;
    for (let i = 0; i < n; i++) {
      const a = this.closes[(t - 1) * n + i]!;
      const b = this.closes[t * n + i]!;
      if (!(a > 0 && b > 0)) throw invalidInput(`$.closes[${t - 1}]`, `non-positive close for ${this.names[i]}`);
      const x = Math.log(b / a);
      this.returns[r * n + i] = x;
      this.prefix[(r + 1) * n + i] = this.prefix[r * n + i]! + x ** 2;
    }
    const k = EWMA_DEFAULT_INIT_WINDOW;
    if (r < k) {
      for (let i = 0; i < n; i++) {
        const ri = this.returns[r * n + i]!;
        for (let j = 0; j < n; j++) this.seed[i * n + j] = this.seed[i * n + j]! + ri * this.returns[r * n + j]!;
      }
    } else {
      if (r === k) for (let p = 0; p < n * n; p++) this.cov[p] = this.seed[p]! / k;
      const w = 1 - this.lambda;
      for (let i = 0; i < n; i++) {
        const ri = this.returns[r * n + i]!;
        for (let j = 0; j < n; j++) {
          this.cov[i * n + j] = this.lambda * this.cov[i * n + j]! + w * ri * this.returns[r * n + j]!;
        }
      }
    }
    const nObs = r + 1;
    const win = this.windowDays;
    if (nObs >= win) {
      const s = nObs - win;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        sum += Math.sqrt(Math.max(0, this.prefix[(s + win) * n + i]! - this.prefix[s * n + i]!) / win);
      }
      const vol = sum / n;
      if (this.best === undefined || vol > this.best.vol) this.best = { start: s, vol };
    }
  }

  private stressed(start: number, end: number): { vols: Float64Array; correlation: Float64Array } {
    const c = this.stressCache;
    if (c && c.start === start && c.end === end) return c;
    const n = this.n;
    const cov = new Float64Array(n * n);
    for (let t = start; t < end; t++) {
      for (let i = 0; i < n; i++) {
        const ri = this.returns[t * n + i]!;
        for (let j = 0; j < n; j++) cov[i * n + j] = cov[i * n + j]! + ri * this.returns[t * n + j]!;
      }
    }
    const len = end - start;
    for (let p = 0; p < n * n; p++) cov[p] = cov[p]! / len;
    const vols = new Float64Array(n);
    for (let i = 0; i < n; i++) vols[i] = Math.sqrt(cov[i * n + i]!);
    this.stressCache = { start, end, vols, correlation: covarianceToCorrelation(cov, vols) };
    return this.stressCache;
  }

  /**
   * Advances the walk to `date` (a common date, not before the last one asked for) and returns the estimate with
   * closes up to and including `date`, or undefined while there are fewer than 30 common returns.
   */
  estimateAt(date: string): RiskFactorEstimate | undefined {
    const target = this.dateIndex.get(date);
    if (target === undefined)
      throw invalidInput("$.toDate", `${date} is not a common date of ${this.names.join(", ")}`);
    if (target + 1 < this.consumed) throw invalidInput("$.toDate", `${date} is before the tracker's position`);
    while (this.consumed <= target) this.step();
    const nObs = this.nObs;
    if (nObs < MIN_FACTOR_RETURNS) return undefined;
    const n = this.n;
    // nObs >= 30 > k, so the recursion has started and `cov` is the batch's C_T.
    const cov = this.cov;
    const currentVols = new Float64Array(n);
    for (let i = 0; i < n; i++) currentVols[i] = Math.sqrt(cov[i * n + i]!);
    const currentCorr = covarianceToCorrelation(cov, currentVols);
    const truncated = nObs < this.windowDays;
    const start = truncated ? 0 : this.best!.start;
    const end = truncated ? nObs : start + this.windowDays;
    const stress = this.stressed(start, end);
    const vols = new Float64Array(n);
    for (let i = 0; i < n; i++) vols[i] = Math.max(currentVols[i]!, stress.vols[i]!);
    const w = this.stressWeight;
    const blend = new Float64Array(n * n);
    for (let p = 0; p < n * n; p++) blend[p] = (1 - w) * currentCorr[p]! + w * stress.correlation[p]!;
    for (let i = 0; i < n; i++) blend[i * n + i] = 1;
    const correlation = nearestCorrelation(blend, n).matrix;
    const fromDate = this.dates[0] ?? "";
    // Return r is dated by its later close, dates[r + 1].
    const startDate = this.dates[start + 1] ?? "";
    const endDate = this.dates[end] ?? "";
    return {
      names: [...this.names],
      currentVolsDaily: currentVols,
      volsDaily: vols,
      correlation,
      fromDate,
      toDate: date,
      stressWindow: { startDate, endDate },
      excluded: [],
      source:
        `EWMA lambda ${this.lambda} on daily closes ${fromDate}..${date}; vols floored at the ${this.windowDays}-day stress ` +
        `window ${startDate}..${endDate}; correlation ${w * 100}% stressed`,
    };
  }
}
