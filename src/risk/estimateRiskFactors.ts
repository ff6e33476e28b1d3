import { invalidInput } from "../core/errors.js";
import { utcDayNumber } from "../core/time.js";
import { eventDaysByFactor } from "../market/tokenEvents.js";
import { cleanBasisSeries } from "./cleanBasisSeries.js";
import { EWMA_DEFAULT_INIT_WINDOW } from "./ewma.js";
import { learnedVols } from "./forecast/currentVols.js";
import type { ForecastSeries } from "./forecast/features.js";
import type { ForecastWeights } from "./forecast/mlp.js";
import { fitGarch } from "./garch.js";
import { fitMoveResponse } from "./impliedVolResponse.js";
import { nearestCorrelation } from "./nearestCorrelation.js";
import type { PriceSeries } from "./priceHistory.js";
import {
  applyProcyclicality,
  checkProcyclicality,
  PROCYCLICALITY_DEFAULT,
  type Procyclicality,
} from "./procyclicality.js";
import { residualQuantiles } from "./residualQuantiles.js";

/** Vol methods: the statistical ones and the learned forecaster (`ml`, or `auto` where the report moved the default). */
export type VolMethod = "ewma" | "garch" | "ml" | "auto";

export interface RiskFactorEstimateOptions {
  /** Use closes up to and including this ISO date (no look-ahead). */
  toDate: string;
  /** EWMA decay, default 0.94 (RiskMetrics daily). */
  lambda?: number;
  /** Stress window length in returns, default 250. */
  stressWindowDays?: number;
  /** Weight of the stressed correlation, default 0.25 (EMIR RTS 153/2013 art. 28(1)(b)). */
  stressWeight?: number;
  /** Anti-procyclicality treatment of the vols, default 25% weight on stressed observations. */
  procyclicality?: Procyclicality;
  /**
   * Current vols: "ewma" (RiskMetrics, default) or "garch" (GARCH(1,1) by maximum likelihood per factor, its one-day
   * forecast; a factor whose fit does not converge keeps its EWMA vol and is named in `source`). "ml": the learned
   * forecaster (src/risk/forecast/, needs `ml`); a factor it cannot forecast keeps its EWMA vol and is named in
   * `source`. "auto": the learned forecaster only for the factors its artefacts list in `defaultFor` (where the
   * forecasting report found it better out of sample), EWMA for the rest.
   */
  method?: VolMethod;
  /** Artefacts and the cross-asset (BTC) series the "ml" and "auto" methods need. */
  ml?: { weights: readonly ForecastWeights[]; market: ForecastSeries };
  /**
   * Standardised residuals kept for a factor's residual quantiles (filtered historical simulation), the latest ones;
   * default 1461, four years of daily returns (`RESIDUAL_WINDOW_DAYS`).
   */
  residualWindowDays?: number;
  /** Clean `basis:*` series of one-day reversals before estimation (cleanBasisSeries), default true. */
  cleanBasis?: boolean;
  /**
   * Days left out of a factor's series, by factor; default the token-event catalogue's days in basis series
   * (src/market/tokenEvents.ts): an event is charged as an event, not again through the simulated basis.
   */
  excludeDays?: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface RiskFactorEstimate {
  names: string[];
  /** Current daily vols (EWMA or GARCH) of the cleaned series. */
  currentVolsDaily: Float64Array;
  /** Current daily vols of the raw series (before cleaning). */
  rawVolsDaily: Float64Array;
  /** Daily vols after the anti-procyclicality treatment. */
  volsDaily: Float64Array;
  /**
   * Daily vols of the 1-day P&L a VaR backtest sees: current vols before the floor, and for basis series the raw
   * (uncleaned) EWMA vol, since a one-day closing-price reversal is noise for the liquidation horizon but is in a 1-day
   * P&L marked at closes.
   */
  oneDayVolsDaily: Float64Array;
  /** Blended, repaired correlation, row-major. */
  correlation: Float64Array;
  /**
   * Per factor, the empirical quantiles of its EWMA-standardised residuals at the normal scores of
   * src/core/residualScores.ts (filtered historical simulation's marginal law), or undefined for a history shorter
   * than MIN_RESIDUALS residuals.
   */
  residualQuantiles: (Float64Array | undefined)[];
  /**
   * Per factor, an implied-vol factor's fitted response to its underlying's move, k in log change = k (z^2 - 1) + e
   * (impliedVolResponse.ts; its vol and correlations are then those of e); NaN for other factors.
   */
  moveResponse: Float64Array;
  /** Largest observed 1-day log move per factor (signed: the larger of the up and down moves in size). */
  largestMoveLog: Float64Array;
  fromDate: string;
  toDate: string;
  /** Each factor's own stress window. */
  stressWindows: Array<{ factor: string; startDate: string; endDate: string }>;
  /** Series dropped because they have no close on `toDate`. */
  excluded: string[];
  source: string;
}

const dayNumber = utcDayNumber;

/**
 * Four years of daily returns: a pool that holds a whole crypto cycle with several stress episodes (2020-03, 2021-05,
 * 2022-06 and 2022-11 are all in every 4-year window from 2022 on), without the thin markets of a series' first years
 * (BTC 2014-2017) that a full-history pool keeps for ever; reports/xchain-validation.md shows the full history and
 * 3- and 5-year windows beside it.
 */
export const RESIDUAL_WINDOW_DAYS = 1461;

/** One factor's daily-equivalent returns: a k-day gap's return is scaled by 1/sqrt(k) and kept as one observation. */
export interface FactorReturns {
  name: string;
  /** Day number (UTC days since epoch) of each return's end. */
  day: Int32Array;
  /** Calendar days each return spans. */
  span: Int32Array;
  /** Return / sqrt(span). */
  r: Float64Array;
  raw: Float64Array;
  firstDate: string;
  dates: string[];
}

function factorReturns(s: PriceSeries, clean: boolean): FactorReturns {
  const closes = clean ? cleanBasisSeries(s.closes).closes : s.closes;
  const n = s.dates.length - 1;
  const day = new Int32Array(n);
  const span = new Int32Array(n);
  const r = new Float64Array(n);
  const raw = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const d0 = dayNumber(s.dates[t]!);
    const d1 = dayNumber(s.dates[t + 1]!);
    day[t] = d1;
    span[t] = d1 - d0;
    r[t] = Math.log(closes[t + 1]! / closes[t]!) / Math.sqrt(d1 - d0);
    raw[t] = Math.log(s.closes[t + 1]! / s.closes[t]!) / Math.sqrt(d1 - d0);
  }
  return { name: s.symbol, day, span, r, raw, firstDate: s.dates[0]!, dates: s.dates.slice(1) };
}

/**
 * RiskMetrics EWMA vol of one return series, seeded with the mean square of the first 20 returns. `residuals`, when
 * given (length r.length - 20), receives each later return over the vol forecast the day before, r_t / sigma_{t|t-1}.
 */
function ewmaVol(r: Float64Array, lambda: number, residuals?: Float64Array): number {
  const k = Math.min(EWMA_DEFAULT_INIT_WINDOW, r.length);
  let v = 0;
  for (let t = 0; t < k; t++) v += r[t]! ** 2;
  v /= k;
  for (let t = k; t < r.length; t++) {
    if (residuals) residuals[t - k] = v > 0 ? r[t]! / Math.sqrt(v) : 0;
    v = lambda * v + (1 - lambda) * r[t]! ** 2;
  }
  return Math.sqrt(v);
}

/**
 * An implied-vol factor ("vol:X", its series the implied-vol level) with its underlying X in the set: fits X's move
 * response (impliedVolResponse.ts), replaces the factor's returns by the residual e (the part the simulation draws)
 * and returns k; NaN for any other factor.
 */
export function removeMoveResponse(f: FactorReturns, all: readonly FactorReturns[], lambda: number): number {
  const u = f.name.startsWith("vol:") ? all.find((g) => g.name === f.name.slice(4)) : undefined;
  if (!u) return Number.NaN;
  const z = new Float64Array(Math.max(0, u.r.length - EWMA_DEFAULT_INIT_WINDOW));
  ewmaVol(u.r, lambda, z);
  const fit = fitMoveResponse(f.r, f.day, z, u.day.subarray(u.day.length - z.length));
  f.r = fit.residual;
  f.raw = fit.residual;
  return fit.k;
}

/** The factor's own most volatile window of `w` returns (realised vol), earliest on ties. */
function ownStressWindow(r: Float64Array, w: number): { start: number; end: number; vol: number } {
  const len = Math.min(w, r.length);
  let sum = 0;
  for (let t = 0; t < len; t++) sum += r[t]! ** 2;
  let best = { start: 0, end: len, vol: Math.sqrt(sum / len) };
  for (let t = len; t < r.length; t++) {
    sum += r[t]! ** 2 - r[t - len]! ** 2;
    const vol = Math.sqrt(Math.max(0, sum) / len);
    if (vol > best.vol) best = { start: t - len + 1, end: t + 1, vol };
  }
  return best;
}

/**
 * Pairwise correlation of two factors over their common one-day returns (both spanning the same days): EWMA weights
 * (lambda, newest last) and, for the stressed one, equal weights over the union of the two stress windows.
 */
export function pairCorrelation(
  a: Pick<FactorReturns, "day" | "span" | "r">,
  b: Pick<FactorReturns, "day" | "span" | "r">,
  lambda: number,
  stressDays: (day: number) => boolean,
): { current: number; stressed: number } {
  let i = 0;
  let j = 0;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  let tab = 0;
  let taa = 0;
  let tbb = 0;
  while (i < a.day.length && j < b.day.length) {
    if (a.day[i]! < b.day[j]!) i++;
    else if (a.day[i]! > b.day[j]!) j++;
    else {
      if (a.span[i] === b.span[j]) {
        const x = a.r[i]!;
        const y = b.r[j]!;
        sab = lambda * sab + x * y;
        saa = lambda * saa + x * x;
        sbb = lambda * sbb + y * y;
        if (stressDays(a.day[i]!)) {
          tab += x * y;
          taa += x * x;
          tbb += y * y;
        }
      }
      i++;
      j++;
    }
  }
  const corr = (xy: number, xx: number, yy: number) => (xx > 0 && yy > 0 ? xy / Math.sqrt(xx * yy) : 0);
  return { current: corr(sab, saa, sbb), stressed: corr(tab, taa, tbb) };
}

/**
 * Per-factor risk estimate (docs/risk.md): each factor from its own full history up to `toDate` (no truncation to the
 * youngest series; gaps become one multi-day return scaled to a day), basis series cleaned of one-day reversals,
 * current vol EWMA (or GARCH), its own stress window, the anti-procyclicality treatment of EMIR RTS 153/2013 art. 28
 * chosen in `procyclicality`, and correlations from each pair's overlapping returns (75% current EWMA, 25% over the
 * pair's stress windows) repaired to the nearest valid correlation matrix (Higham 2002).
 * @param series one price (or price-ratio) series per factor; `symbol` is the factor name
 */
export function estimateRiskFactors(
  series: readonly (PriceSeries & { volumes?: Float64Array })[],
  options: RiskFactorEstimateOptions,
): RiskFactorEstimate {
  const settings = estimateSettings(options);
  const { lambda, method, cleanBasis, excludeDays } = settings;
  const excluded: string[] = [];
  const factors: FactorReturns[] = [];
  for (const s of series) {
    const end = s.dates.findLastIndex((d) => d <= options.toDate);
    if (end < 0 || s.dates[end] !== options.toDate) {
      excluded.push(s.symbol);
      continue;
    }
    if (end < 30) {
      throw invalidInput(
        "$.toDate",
        `only ${end} daily returns of ${s.symbol} up to ${options.toDate}; need at least 30`,
      );
    }
    const drop = excludeDays.get(s.symbol);
    const keep = (k: number) => k === end || !drop?.has(s.dates[k]!);
    const idx = Array.from({ length: end + 1 }, (_, k) => k).filter(keep);
    const cut = {
      symbol: s.symbol,
      dates: idx.map((k) => s.dates[k]!),
      closes: Float64Array.from(idx, (k) => s.closes[k]!),
    };
    factors.push(factorReturns(cut, cleanBasis && s.symbol.startsWith("basis:")));
  }
  if (factors.length === 0) throw invalidInput("$.toDate", `no series has a close on ${options.toDate}`);
  const moveResponse = factors.map((f) => removeMoveResponse(f, factors, lambda));
  const garchFailed: string[] = [];
  const learned = method === "ml" || method === "auto" ? learnedCurrentVols(series, options) : undefined;
  const stats = factors.map((f, i): FactorStatistics => {
    const ewma = ewmaFactorStatistics(f, settings, moveResponse[i]!);
    let current = ewma.currentVolDaily;
    const v = learned?.vols.get(f.name);
    if (v !== undefined) current = v;
    if (method === "garch") {
      const fit = fitGarch(f.r);
      if (fit.converged && Number.isFinite(fit.forecastVol) && fit.forecastVol > 0) current = fit.forecastVol;
      else garchFailed.push(f.name);
    }
    return { ...ewma, currentVolDaily: current };
  });
  const n = factors.length;
  const pairs: PairCorrelation[] = [];
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const wa = stats[a]!;
      const wb = stats[b]!;
      const inStress = (d: number) =>
        (d >= wa.stressFromDay && d <= wa.stressToDay) || (d >= wb.stressFromDay && d <= wb.stressToDay);
      pairs.push(pairCorrelation(factors[a]!, factors[b]!, lambda, inStress));
    }
  }
  return assembleEstimate(stats, pairs, settings, {
    toDate: options.toDate,
    excluded,
    volsText:
      method === "garch"
        ? "GARCH(1,1) MLE vols"
        : learned
          ? `learned forecaster vols for ${[...learned.vols.keys()].join(", ") || "no factor"}, else EWMA lambda ${lambda}`
          : ewmaVolsText(lambda),
    caveats:
      (garchFailed.length ? `; GARCH did not converge for ${garchFailed.join(", ")} (EWMA used)` : "") +
      (learned?.missing.length ? `; no learned forecast for ${learned.missing.join("; ")} (EWMA used)` : ""),
  });
}

/**
 * One factor's statistics from its whole return series up to the as-of date, with its EWMA vol as the current one
 * (the from-scratch estimate puts a GARCH or learned vol in its place when asked).
 * @param moveResponse the implied-vol factor's fitted k (`removeMoveResponse`, already applied to `f`), else NaN
 */
export function ewmaFactorStatistics(
  f: FactorReturns,
  settings: EstimateSettings,
  moveResponse: number,
): FactorStatistics {
  const { lambda, windowDays, procyclicality, residualWindowDays } = settings;
  const residuals = new Float64Array(Math.max(0, f.r.length - EWMA_DEFAULT_INIT_WINDOW));
  const current = ewmaVol(f.r, lambda, residuals);
  const residualTable = residualQuantiles(residuals.subarray(Math.max(0, residuals.length - residualWindowDays)));
  const w = ownStressWindow(f.r, windowDays);
  const lookbackFrom = procyclicality.kind === "lookback" ? f.day[f.day.length - 1]! - procyclicality.years * 365 : 0;
  let sum = 0;
  let count = 0;
  for (let t = 0; t < f.r.length; t++) {
    if (f.day[t]! <= lookbackFrom) continue;
    sum += f.r[t]! ** 2;
    count++;
  }
  let largest = 0;
  for (let t = 0; t < f.raw.length; t++) if (Math.abs(f.raw[t]!) > Math.abs(largest)) largest = f.raw[t]!;
  return {
    name: f.name,
    firstDate: f.firstDate,
    currentVolDaily: current,
    rawVolDaily: ewmaVol(f.raw, lambda),
    stressedVolDaily: w.vol,
    stressFromDay: f.day[w.start]!,
    stressToDay: f.day[w.end - 1]!,
    stressStartDate: f.dates[w.start]!,
    stressEndDate: f.dates[w.end - 1]!,
    longRunVolDaily: Math.sqrt(sum / count),
    largestMoveLog: largest,
    residualQuantiles: residualTable,
    moveResponse,
  };
}

/** How the source names EWMA vols. */
export const ewmaVolsText = (lambda: number) => `EWMA lambda ${lambda} vols`;

/** The estimate's options checked, with their defaults (shared by the from-scratch estimate and its incremental twin). */
export interface EstimateSettings {
  lambda: number;
  windowDays: number;
  stressWeight: number;
  procyclicality: Procyclicality;
  method: VolMethod;
  cleanBasis: boolean;
  excludeDays: ReadonlyMap<string, ReadonlySet<string>>;
  /** Newest standardised residuals whose quantiles are the factor's marginal law. */
  residualWindowDays: number;
}

export function estimateSettings(options: Omit<RiskFactorEstimateOptions, "toDate">): EstimateSettings {
  const lambda = options.lambda ?? 0.94;
  if (!(lambda > 0 && lambda < 1)) throw invalidInput("$.lambda", "must be in (0,1)", `got ${lambda}`);
  const windowDays = options.stressWindowDays ?? 250;
  if (!Number.isInteger(windowDays) || windowDays < 2) {
    throw invalidInput("$.stressWindowDays", "must be an integer >= 2");
  }
  const stressWeight = options.stressWeight ?? 0.25;
  if (!(stressWeight >= 0 && stressWeight <= 1)) throw invalidInput("$.stressWeight", "must be in [0,1]");
  const residualWindowDays = options.residualWindowDays ?? RESIDUAL_WINDOW_DAYS;
  if (!Number.isInteger(residualWindowDays) || residualWindowDays < 1) {
    throw invalidInput("$.residualWindowDays", "must be an integer >= 1");
  }
  return {
    lambda,
    windowDays,
    stressWeight,
    procyclicality: checkProcyclicality(options.procyclicality ?? PROCYCLICALITY_DEFAULT),
    method: options.method ?? "ewma",
    cleanBasis: options.cleanBasis ?? true,
    excludeDays: options.excludeDays ?? eventDaysByFactor(),
    residualWindowDays,
  };
}

/** One factor's statistics up to the as-of date, the inputs of `assembleEstimate`. */
export interface FactorStatistics {
  name: string;
  /** First date of the factor's (kept) closes. */
  firstDate: string;
  currentVolDaily: number;
  /** EWMA vol of the raw (uncleaned) series. */
  rawVolDaily: number;
  /** Realised vol of the factor's own stress window, its first and last return (day numbers and dates). */
  stressedVolDaily: number;
  stressFromDay: number;
  stressToDay: number;
  stressStartDate: string;
  stressEndDate: string;
  /** Equally weighted vol of the lookback (procyclicality). */
  longRunVolDaily: number;
  largestMoveLog: number;
  /** Quantiles of the newest standardised residuals (residualQuantiles), undefined when too few. */
  residualQuantiles: Float64Array | undefined;
  /** The implied-vol factor's fitted move response k; NaN for other factors. */
  moveResponse: number;
}

/** A pair's correlation over its common returns: EWMA (current) and equally weighted over its stress windows. */
export interface PairCorrelation {
  current: number;
  stressed: number;
}

/**
 * The estimate from its per-factor statistics and pair correlations (pairs in row order of the upper triangle): the
 * anti-procyclicality treatment of the vols, the blended correlation repaired to the nearest valid one, the source.
 */
export function assembleEstimate(
  stats: readonly FactorStatistics[],
  pairs: readonly PairCorrelation[],
  settings: EstimateSettings,
  run: { toDate: string; excluded: string[]; volsText: string; caveats: string },
): RiskFactorEstimate {
  const { windowDays, stressWeight, procyclicality, cleanBasis, excludeDays } = settings;
  const n = stats.length;
  const corr = new Float64Array(n * n);
  let k = 0;
  for (let a = 0; a < n; a++) {
    corr[a * n + a] = 1;
    for (let b = a + 1; b < n; b++) {
      const c = pairs[k++]!;
      const blended = (1 - stressWeight) * c.current + stressWeight * c.stressed;
      corr[a * n + b] = blended;
      corr[b * n + a] = blended;
    }
  }
  const correlation = nearestCorrelation(corr, n).matrix;
  const fromDate = stats.map((f) => f.firstDate).sort()[0] ?? "";
  const p = procyclicality;
  const treatment =
    p.kind === "stressWeight"
      ? `${p.weight * 100}% weight on each factor's own ${windowDays}-day stress window`
      : p.kind === "buffer"
        ? `${p.rate * 100}% buffer released in stress`
        : `${p.years}-year lookback floor`;
  return {
    names: stats.map((f) => f.name),
    currentVolsDaily: Float64Array.from(stats, (f) => f.currentVolDaily),
    rawVolsDaily: Float64Array.from(stats, (f) => f.rawVolDaily),
    volsDaily: Float64Array.from(stats, (f) =>
      applyProcyclicality(procyclicality, {
        current: f.currentVolDaily,
        stressed: f.stressedVolDaily,
        longRun: f.longRunVolDaily,
      }),
    ),
    oneDayVolsDaily: Float64Array.from(stats, (f) => (f.name.startsWith("basis:") ? f.rawVolDaily : f.currentVolDaily)),
    correlation,
    residualQuantiles: stats.map((f) => f.residualQuantiles),
    moveResponse: Float64Array.from(stats, (f) => f.moveResponse),
    largestMoveLog: Float64Array.from(stats, (f) => f.largestMoveLog),
    fromDate,
    toDate: run.toDate,
    stressWindows: stats.map((f) => ({ factor: f.name, startDate: f.stressStartDate, endDate: f.stressEndDate })),
    excluded: run.excluded,
    source:
      `${run.volsText} per factor on its own daily closes ` +
      `${fromDate}..${run.toDate}${cleanBasis ? ", basis series cleaned of one-day reversals" : ""}` +
      `${excludeDays.size > 0 ? ", token-event days left out of basis series" : ""}; ` +
      `vols with ${treatment} (EMIR RTS 153/2013 art. 28); pairwise correlation ${stressWeight * 100}% stressed` +
      run.caveats,
  };
}

/**
 * The learned forecaster's vols of the series (cut at the as-of date; volumes kept): every factor for "ml", the
 * artefacts' `defaultFor` factors for "auto". Factors it cannot serve are listed, never guessed.
 */
function learnedCurrentVols(
  series: readonly (PriceSeries & { volumes?: Float64Array })[],
  options: RiskFactorEstimateOptions,
): { vols: Map<string, number>; missing: string[] } {
  const ml = options.ml;
  if (!ml) throw invalidInput("$.ml", `method "${options.method}" needs the forecaster weights and the market series`);
  const cutAt = <T extends ForecastSeries>(s: T): ForecastSeries => {
    const end = s.dates.findLastIndex((d) => d <= options.toDate);
    return {
      symbol: s.symbol,
      dates: s.dates.slice(0, end + 1),
      closes: s.closes.slice(0, end + 1),
      ...(s.volumes ? { volumes: s.volumes.slice(0, end + 1) } : {}),
    };
  };
  const defaults = new Set(ml.weights.flatMap((w) => w.defaultFor));
  const use = series
    .filter((s) => s.dates.includes(options.toDate))
    .filter((s) => options.method === "ml" || defaults.has(s.symbol))
    .map(cutAt);
  const out = learnedVols(use, cutAt(ml.market), ml.weights);
  const vols = new Map<string, number>();
  use.forEach((s, i) => {
    const v = out.volsDaily[i]!;
    if (v > 0 && Number.isFinite(v)) vols.set(s.symbol, v);
  });
  return { vols, missing: out.missing };
}
