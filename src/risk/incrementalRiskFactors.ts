/**
 * The incremental twin of `estimateRiskFactors` (the one home of the estimate's definition) for a walk forward in
 * time, as the backtest's daily snapshots need: each call gives exactly the from-scratch estimate at that date (tested
 * day by day on the real history), at a cost per day that does not grow with the history.
 *
 * What makes it exact rather than close: every statistic of the estimate is a left-to-right recursion over a factor's
 * returns (EWMA variances and covariances, the rolling stress-window sum, the long-run sum, the largest move, the
 * reversal cleaning), so carrying each recursion's state forward repeats the same floating-point operations in the
 * same order. Only the newest points are provisional: a basis close is cleaned against the next close, and a
 * token-event day is kept while it is the as-of date but left out once a later date exists. So the state is committed
 * up to the second-newest permanent point, and each call replays the last one or two returns on a copy of it. The
 * stressed correlation (equal weights over the union of two stress windows) is summed afresh over the windows when
 * they move, in the same order. An implied-vol factor beside its underlying has its move response refitted over the
 * whole history every day, which changes every one of its returns: its statistics and its pairs are computed from its
 * whole return series each day, by the from-scratch estimate's own functions (O(history) for that factor only).
 * Anything else (GARCH and learned vols, the lookback floor, a factor without a close on the date, a history shorter
 * than the stress window) is handed to `estimateRiskFactors` itself.
 */
import { lastIndexAtOrBefore, utcDayNumber } from "../core/time.js";
import { CLEANING_DEFAULTS, reversalReplacement } from "./cleanBasisSeries.js";
import {
  assembleEstimate,
  type EstimateSettings,
  estimateRiskFactors,
  estimateSettings,
  ewmaFactorStatistics,
  ewmaVolsText,
  type FactorReturns,
  type FactorStatistics,
  type PairCorrelation,
  pairCorrelation,
  type RiskFactorEstimate,
  type RiskFactorEstimateOptions,
  removeMoveResponse,
} from "./estimateRiskFactors.js";
import { EWMA_DEFAULT_INIT_WINDOW } from "./ewma.js";
import type { PriceSeries } from "./priceHistory.js";
import { MIN_RESIDUALS, quantilesOfSorted, residualQuantiles } from "./residualQuantiles.js";

type Series = PriceSeries & { volumes?: Float64Array };

/** One daily-equivalent return (estimateRiskFactors' factorReturns, one step). */
interface OneReturn {
  day: number;
  span: number;
  r: number;
  raw: number;
  date: string;
}

/** One factor's returns: committed ones (final) followed by the call's provisional tail. */
interface Returns {
  day: number[];
  span: number[];
  r: number[];
  raw: number[];
  date: string[];
}

/** State of the recursions over one factor's returns (numbers only: copied for each call's tail). */
interface FactorRecursions {
  count: number;
  ewma: number;
  ewmaRaw: number;
  stressSum: number;
  bestStart: number;
  bestEnd: number;
  bestVol: number;
  longRunSum: number;
  largest: number;
}

const INIT = EWMA_DEFAULT_INIT_WINDOW;

/** The standardised residual r_t / sigma_{t|t-1} of the next return, as estimateRiskFactors' ewmaVol records it. */
function residualOf(rec: FactorRecursions, r: number): number | undefined {
  if (rec.count < INIT) return undefined;
  return rec.ewma > 0 ? r / Math.sqrt(rec.ewma) : 0;
}

/** Feeds return number `rec.count` (r, raw) to the recursions, as `estimateRiskFactors` reads them in order. */
function feed(rec: FactorRecursions, r: number, raw: number, rAt: (t: number) => number, w: number, lambda: number) {
  const t = rec.count;
  if (t < INIT) {
    rec.ewma += r ** 2;
    rec.ewmaRaw += raw ** 2;
    if (t + 1 === INIT) {
      rec.ewma /= INIT;
      rec.ewmaRaw /= INIT;
    }
  } else {
    rec.ewma = lambda * rec.ewma + (1 - lambda) * r ** 2;
    rec.ewmaRaw = lambda * rec.ewmaRaw + (1 - lambda) * raw ** 2;
  }
  if (t < w) {
    rec.stressSum += r ** 2;
    if (t + 1 === w) {
      rec.bestStart = 0;
      rec.bestEnd = w;
      rec.bestVol = Math.sqrt(rec.stressSum / w);
    }
  } else {
    rec.stressSum += r ** 2 - rAt(t - w) ** 2;
    const vol = Math.sqrt(Math.max(0, rec.stressSum) / w);
    if (vol > rec.bestVol) {
      rec.bestStart = t - w + 1;
      rec.bestEnd = t + 1;
      rec.bestVol = vol;
    }
  }
  rec.longRunSum += r ** 2;
  if (Math.abs(raw) > Math.abs(rec.largest)) rec.largest = raw;
  rec.count = t + 1;
}

/** One factor walked forward: permanent points, their cleaned closes, committed returns and recursions. */
class FactorTrack {
  readonly name: string;
  private readonly clean: boolean;
  private readonly drop: ReadonlySet<string> | undefined;
  /** Next index of the series not yet examined. */
  private scan = 0;
  /** Indices of the closes kept on every later date (not token-event days), ascending. */
  private readonly permanent: number[] = [];
  /** Cleaned close of each permanent point whose next permanent point is known (so its cleaning is final). */
  private readonly cleaned: number[] = [];
  readonly committed: Returns = { day: [], span: [], r: [], raw: [], date: [] };
  /** Standardised residuals of the committed returns after the EWMA's seed window. */
  private readonly residuals: number[] = [];
  /**
   * The newest `residualWindowDays` committed residuals in ascending order, kept sorted as residuals come and go (a
   * residual is never -0 or NaN, so the order is the one `Float64Array.prototype.sort` gives): each day's quantiles
   * then merge in the day's one or two provisional residuals instead of sorting the window again.
   */
  private sorted = new Float64Array(0);
  private held = 0;
  private readonly rec: FactorRecursions = {
    count: 0,
    ewma: 0,
    ewmaRaw: 0,
    stressSum: 0,
    bestStart: 0,
    bestEnd: 0,
    bestVol: 0,
    longRunSum: 0,
    largest: 0,
  };

  constructor(
    readonly series: Series,
    private readonly settings: EstimateSettings,
  ) {
    this.name = series.symbol;
    this.clean = settings.cleanBasis && series.symbol.startsWith("basis:");
    this.drop = settings.excludeDays.get(series.symbol);
  }

  /** Commits every point before `end` whose cleaned close can no longer change. */
  advance(end: number): void {
    const { dates } = this.series;
    for (; this.scan < end; this.scan++) if (!this.drop?.has(dates[this.scan]!)) this.permanent.push(this.scan);
    while (this.cleaned.length < this.permanent.length - 1) {
      const j = this.cleaned.length;
      const c = this.cleanedClose(j, this.permanent[j + 1]!);
      this.cleaned.push(c);
      if (j > 0) {
        const ret = this.returnBetween(this.permanent[j - 1]!, this.cleaned[j - 1]!, this.permanent[j]!, c);
        const out = this.committed;
        out.day.push(ret.day);
        out.span.push(ret.span);
        out.r.push(ret.r);
        out.raw.push(ret.raw);
        out.date.push(ret.date);
        const z = residualOf(this.rec, ret.r);
        if (z !== undefined) this.commitResidual(z);
        feed(this.rec, ret.r, ret.raw, (t) => out.r[t]!, this.settings.windowDays, this.settings.lambda);
      }
    }
  }

  /** Returns in all on `end` (committed plus the provisional tail). */
  countAt(): number {
    return this.committed.r.length + Math.min(2, this.permanent.length);
  }

  /**
   * The factor's statistics with closes up to index `end` (after `advance(end)`): the tail (last permanent point,
   * then `end`) replayed on a copy of the recursions. `tail` receives the tail's returns.
   */
  statisticsAt(end: number, tail: Returns): FactorStatistics {
    const rets = this.tailAt(end, tail);
    const rec = { ...this.rec };
    const n0 = this.committed.r.length;
    const at = <K extends keyof Returns>(k: K, t: number): Returns[K][number] =>
      t < n0 ? this.committed[k][t]! : tail[k][t - n0]!;
    const tailResiduals: number[] = [];
    for (const ret of rets) {
      const z = residualOf(rec, ret.r);
      if (z !== undefined) tailResiduals.push(z);
      feed(rec, ret.r, ret.raw, (t) => at("r", t), this.settings.windowDays, this.settings.lambda);
    }
    return {
      name: this.name,
      firstDate: this.series.dates[this.permanent[0]!]!,
      currentVolDaily: Math.sqrt(rec.ewma),
      rawVolDaily: Math.sqrt(rec.ewmaRaw),
      stressedVolDaily: rec.bestVol,
      stressFromDay: at("day", rec.bestStart),
      stressToDay: at("day", rec.bestEnd - 1),
      stressStartDate: at("date", rec.bestStart),
      stressEndDate: at("date", rec.bestEnd - 1),
      longRunVolDaily: Math.sqrt(rec.longRunSum / rec.count),
      largestMoveLog: rec.largest,
      residualQuantiles: this.residualQuantilesWith(tailResiduals),
      // Implied-vol factors (the only ones with a move response) are estimated from scratch.
      moveResponse: Number.NaN,
    };
  }

  /** The provisional tail on `end` (after `advance(end)`): the last permanent point's return, then `end`'s; pushed to `tail`. */
  tailAt(end: number, tail: Returns): OneReturn[] {
    const m = this.cleaned.length;
    const last = this.permanent[m]!;
    const lastClean = this.cleanedClose(m, end);
    const rets = [
      ...(m > 0 ? [this.returnBetween(this.permanent[m - 1]!, this.cleaned[m - 1]!, last, lastClean)] : []),
      this.returnBetween(last, lastClean, end, this.series.closes[end]!),
    ];
    for (const ret of rets) {
      tail.day.push(ret.day);
      tail.span.push(ret.span);
      tail.r.push(ret.r);
      tail.raw.push(ret.raw);
      tail.date.push(ret.date);
    }
    return rets;
  }

  /** The whole return series on the call's date (committed, then its `tail`), as `estimateRiskFactors` builds it. */
  returnsWith(tail: Returns): FactorReturns {
    const c = this.committed;
    const n0 = c.r.length;
    const n = n0 + tail.r.length;
    const day = new Int32Array(n);
    const span = new Int32Array(n);
    const r = new Float64Array(n);
    const raw = new Float64Array(n);
    for (let t = 0; t < n0; t++) {
      day[t] = c.day[t]!;
      span[t] = c.span[t]!;
      r[t] = c.r[t]!;
      raw[t] = c.raw[t]!;
    }
    for (let t = n0; t < n; t++) {
      day[t] = tail.day[t - n0]!;
      span[t] = tail.span[t - n0]!;
      r[t] = tail.r[t - n0]!;
      raw[t] = tail.raw[t - n0]!;
    }
    const firstDate = this.series.dates[this.permanent[0]!]!;
    return { name: this.name, day, span, r, raw, firstDate, dates: c.date.concat(tail.date) };
  }

  /** Adds a committed residual to the list and to the sorted window, dropping the one that leaves the window. */
  private commitResidual(z: number): void {
    const w = this.settings.residualWindowDays;
    if (this.sorted.length === 0) this.sorted = new Float64Array(w);
    this.residuals.push(z);
    if (this.held === w) {
      const k = lowerBound(this.sorted, this.residuals[this.residuals.length - 1 - w]!, this.held);
      this.sorted.copyWithin(k, k + 1, this.held);
      this.held--;
    }
    const k = lowerBound(this.sorted, z, this.held);
    this.sorted.copyWithin(k + 1, k, this.held);
    this.sorted[k] = z;
    this.held++;
  }

  /**
   * The newest `take` residuals (committed, then `tail`) in ascending order, merged from the sorted window: the
   * window's oldest members that fall out of the newest `take` are skipped, the tail's residuals slotted in.
   */
  private windowWith(tail: readonly number[], take: number): Float64Array {
    const c = this.residuals.length;
    const drop = this.held - (take - tail.length);
    const gone = Float64Array.from({ length: drop }, (_, j) => this.residuals[c - this.held + j]!).sort();
    const extra = Float64Array.from(tail).sort();
    const out = new Float64Array(take);
    let g = 0;
    let e = 0;
    let o = 0;
    for (let i = 0; i < this.held; i++) {
      const v = this.sorted[i]!;
      if (g < gone.length && v === gone[g]) {
        g++;
        continue;
      }
      while (e < extra.length && extra[e]! < v) out[o++] = extra[e++]!;
      out[o++] = v;
    }
    while (e < extra.length) out[o++] = extra[e++]!;
    return out;
  }

  /** Quantiles of the newest residuals (committed ones, then the call's tail), as the from-scratch estimate takes them. */
  private residualQuantilesWith(tail: readonly number[]): Float64Array | undefined {
    const all = this.residuals.length + tail.length;
    const take = Math.min(all, this.settings.residualWindowDays);
    if (take < MIN_RESIDUALS) return undefined;
    if (take >= tail.length) return quantilesOfSorted(this.windowWith(tail, take));
    const window = new Float64Array(take);
    for (let k = 0; k < take; k++) {
      const t = all - take + k;
      window[k] = t < this.residuals.length ? this.residuals[t]! : tail[t - this.residuals.length]!;
    }
    return residualQuantiles(window);
  }

  /** Cleaned close of permanent point j, the next kept close being index `next` (cleanBasisSeries' rule). */
  private cleanedClose(j: number, next: number): number {
    const closes = this.series.closes;
    const b = closes[this.permanent[j]!]!;
    if (j === 0 || !this.clean) return b;
    const c = reversalReplacement(
      this.cleaned[j - 1]!,
      b,
      closes[next]!,
      CLEANING_DEFAULTS.minMoveRel,
      CLEANING_DEFAULTS.keepShare,
    );
    return c ?? b;
  }

  /** The daily-equivalent return from index i0 to i1 (estimateRiskFactors' factorReturns). */
  private returnBetween(i0: number, clean0: number, i1: number, clean1: number): OneReturn {
    const { dates, closes } = this.series;
    const d0 = utcDayNumber(dates[i0]!);
    const d1 = utcDayNumber(dates[i1]!);
    return {
      day: d1,
      span: d1 - d0,
      r: Math.log(clean1 / clean0) / Math.sqrt(d1 - d0),
      raw: Math.log(closes[i1]! / closes[i0]!) / Math.sqrt(d1 - d0),
      date: dates[i1]!,
    };
  }
}

/** A factor's returns as the pair merge reads them. */
interface ReturnSeq {
  n: number;
  day(i: number): number;
  span(i: number): number;
  r(i: number): number;
}

/** The committed returns followed by a tail. */
function joined(c: Returns, tail?: Returns): ReturnSeq {
  const n0 = c.day.length;
  const pick = (k: "day" | "span" | "r") => (i: number) => (i < n0 ? c[k][i]! : tail![k][i - n0]!);
  return { n: n0 + (tail?.day.length ?? 0), day: pick("day"), span: pick("span"), r: pick("r") };
}

/** Common returns of a pair (days ascending). */
interface Matched {
  day: number[];
  x: number[];
  y: number[];
}

/** Where the merge of a pair's returns stands: next index in each factor and the EWMA sums. */
interface MergeState {
  ia: number;
  ib: number;
  sab: number;
  saa: number;
  sbb: number;
}

/** The EWMA sums of a pair merged over their committed returns, and their common returns (for the stressed sums). */
class PairTrack {
  private state: MergeState = { ia: 0, ib: 0, sab: 0, saa: 0, sbb: 0 };
  private readonly matched: Matched = { day: [], x: [], y: [] };
  private cacheKey = "";
  private cached: [number, number, number] = [0, 0, 0];

  constructor(
    private readonly a: FactorTrack,
    private readonly b: FactorTrack,
    private readonly lambda: number,
  ) {}

  /** Merges the committed returns of both factors as far as both go (the first steps of the full merge). */
  advance(): void {
    this.state = this.merge(joined(this.a.committed), joined(this.b.committed), this.state, this.matched);
  }

  /** The pair's correlations on the call's date, given the factors' tails and stress windows (day numbers). */
  correlationAt(
    tailA: Returns,
    tailB: Returns,
    wa: { from: number; to: number },
    wb: { from: number; to: number },
  ): PairCorrelation {
    const extra: Matched = { day: [], x: [], y: [] };
    const s = this.merge(joined(this.a.committed, tailA), joined(this.b.committed, tailB), this.state, extra);
    const key = `${wa.from},${wa.to},${wb.from},${wb.to}`;
    let stressed: [number, number, number];
    if (key === this.cacheKey) stressed = this.cached;
    else {
      stressed = this.stressedSums(extra, wa, wb);
      // Final once both windows end on committed common returns: every later one is after them.
      if (Math.max(wa.to, wb.to) <= (this.matched.day.at(-1) ?? Number.NEGATIVE_INFINITY)) {
        this.cacheKey = key;
        this.cached = stressed;
      }
    }
    const corr = (xy: number, xx: number, yy: number) => (xx > 0 && yy > 0 ? xy / Math.sqrt(xx * yy) : 0);
    return { current: corr(s.sab, s.saa, s.sbb), stressed: corr(stressed[0], stressed[1], stressed[2]) };
  }

  /** estimateRiskFactors' pairCorrelation merge continued from `from` to the ends of `a` and `b`. */
  private merge(a: ReturnSeq, b: ReturnSeq, from: MergeState, matched: Matched): MergeState {
    let { ia: i, ib: j, sab, saa, sbb } = from;
    const lambda = this.lambda;
    while (i < a.n && j < b.n) {
      const da = a.day(i);
      const db = b.day(j);
      if (da < db) i++;
      else if (da > db) j++;
      else {
        if (a.span(i) === b.span(j)) {
          const x = a.r(i);
          const y = b.r(j);
          sab = lambda * sab + x * y;
          saa = lambda * saa + x * x;
          sbb = lambda * sbb + y * y;
          matched.day.push(da);
          matched.x.push(x);
          matched.y.push(y);
        }
        i++;
        j++;
      }
    }
    return { ia: i, ib: j, sab, saa, sbb };
  }

  /** Equal-weight sums over the common returns in the union of the two windows, oldest first (committed, then extra). */
  private stressedSums(
    extra: Matched,
    wa: { from: number; to: number },
    wb: { from: number; to: number },
  ): [number, number, number] {
    const inStress = (d: number) => (d >= wa.from && d <= wa.to) || (d >= wb.from && d <= wb.to);
    const lo = Math.min(wa.from, wb.from);
    const hi = Math.max(wa.to, wb.to);
    let tab = 0;
    let taa = 0;
    let tbb = 0;
    for (const part of [this.matched, extra]) {
      for (let k = lowerBound(part.day, lo); k < part.day.length && part.day[k]! <= hi; k++) {
        if (!inStress(part.day[k]!)) continue;
        const x = part.x[k]!;
        const y = part.y[k]!;
        tab += x * y;
        taa += x * x;
        tbb += y * y;
      }
    }
    return [tab, taa, tbb];
  }
}

/** First index of ascending `xs` (its first `n` values, default all) with a value >= v. */
function lowerBound(xs: ArrayLike<number>, v: number, n: number = xs.length): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * `estimateRiskFactors(series, { ...options, toDate })` for non-decreasing `toDate`s, in time independent of the
 * history's length but for refitted implied-vol factors (EWMA vols; other methods and the lookback floor are computed
 * from scratch each call).
 */
export class IncrementalRiskFactors {
  private readonly settings: EstimateSettings;
  private readonly factors: FactorTrack[];
  /** Pair trackers in row order of the upper triangle; none for a pair with a refitted factor. */
  private readonly pairs: (PairTrack | undefined)[] = [];
  private lastDate = "";
  /** Calls handed to the from-scratch estimate (the method, the floor, the date or a short history asked for it). */
  fromScratchCalls = 0;
  /**
   * Per factor: an implied-vol factor with its underlying in the set. Its returns are the residual of a move-response
   * fit over the whole history, refitted every day, so its statistics and its pairs' correlations are computed afresh
   * each day from the returns (the other factors' recursions are carried forward as usual).
   */
  private readonly refitted: boolean[];

  constructor(
    private readonly series: readonly Series[],
    private readonly options: Omit<RiskFactorEstimateOptions, "toDate">,
  ) {
    this.settings = estimateSettings(options);
    this.factors = series.map((s) => new FactorTrack(s, this.settings));
    const names = new Set(series.map((s) => s.symbol));
    this.refitted = series.map((s) => s.symbol.startsWith("vol:") && names.has(s.symbol.slice(4)));
    for (let a = 0; a < this.factors.length; a++) {
      for (let b = a + 1; b < this.factors.length; b++) {
        const fresh = this.refitted[a] || this.refitted[b];
        this.pairs.push(fresh ? undefined : new PairTrack(this.factors[a]!, this.factors[b]!, this.settings.lambda));
      }
    }
  }

  /** The estimate with closes up to `toDate`, equal to `estimateRiskFactors`'; dates must not go backwards. */
  estimateAt(toDate: string): RiskFactorEstimate {
    const fromScratch = () => {
      this.fromScratchCalls++;
      return estimateRiskFactors(this.series, { ...this.options, toDate });
    };
    const { method, procyclicality, windowDays } = this.settings;
    if (method !== "ewma" || procyclicality.kind === "lookback" || toDate < this.lastDate) return fromScratch();
    // Binary search: not a scan of the whole history every day.
    const ends = this.series.map((s) => lastIndexAtOrBefore(s.dates, toDate));
    if (ends.some((end, i) => end < 30 || this.series[i]!.dates[end] !== toDate)) return fromScratch();
    this.lastDate = toDate;
    this.factors.forEach((f, i) => {
      f.advance(ends[i]!);
    });
    if (this.factors.some((f) => f.countAt() < Math.max(INIT, windowDays))) return fromScratch();
    for (const p of this.pairs) p?.advance();
    const tails = this.factors.map((): Returns => ({ day: [], span: [], r: [], raw: [], date: [] }));
    const carried = this.factors.map((f, i) => {
      if (!this.refitted[i]) return f.statisticsAt(ends[i]!, tails[i]!);
      f.tailAt(ends[i]!, tails[i]!);
      return undefined;
    });
    // The refitted factors as estimateRiskFactors treats them: every fit first, then each residual's statistics.
    const all = this.refitted.some((x) => x) ? this.factors.map((f, i) => f.returnsWith(tails[i]!)) : [];
    const k = all.map((f) => removeMoveResponse(f, all, this.settings.lambda));
    const stats = carried.map((s, i) => s ?? ewmaFactorStatistics(all[i]!, this.settings, k[i]!));
    const pairs: PairCorrelation[] = [];
    let p = 0;
    for (let a = 0; a < stats.length; a++) {
      for (let b = a + 1; b < stats.length; b++) {
        const wa = stats[a]!;
        const wb = stats[b]!;
        const track = this.pairs[p++];
        if (track) {
          const windowOf = (s: FactorStatistics) => ({ from: s.stressFromDay, to: s.stressToDay });
          pairs.push(track.correlationAt(tails[a]!, tails[b]!, windowOf(wa), windowOf(wb)));
          continue;
        }
        const inStress = (d: number) =>
          (d >= wa.stressFromDay && d <= wa.stressToDay) || (d >= wb.stressFromDay && d <= wb.stressToDay);
        pairs.push(pairCorrelation(all[a]!, all[b]!, this.settings.lambda, inStress));
      }
    }
    return assembleEstimate(stats, pairs, this.settings, {
      toDate,
      excluded: [],
      volsText: ewmaVolsText(this.settings.lambda),
      caveats: "",
    });
  }
}
