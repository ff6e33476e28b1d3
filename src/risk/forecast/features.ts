import { invalidInput, missingData } from "../../core/errors.js";
import { ewmaVolSeries } from "../ewma.js";

/** A daily close series with its (optional) volume column; NaN volume = not reported. */
export interface ForecastSeries {
  symbol: string;
  /** ISO dates, strictly ascending. */
  dates: string[];
  closes: Float64Array;
  volumes?: Float64Array;
}

/** Names of the feature columns, in order; the weights artefact stores them so a reordering cannot go unnoticed. */
export const FEATURE_NAMES = [
  "lnRv1OverBase",
  "lnRv5OverBase",
  "lnRv22OverBase",
  "signedReturnZ",
  "absReturnZ",
  "lnBaseOverLongRun",
  "marketLnRv5OverRv22",
  "marketCorrelation22",
  "basisSpreadPct",
  "lnVolumeOverMean22",
] as const;
export const N_FEATURES = FEATURE_NAMES.length;

/** EWMA decay of the base variance every learned forecast multiplies (RiskMetrics daily). */
export const BASE_EWMA_LAMBDA = 0.94;
/** Returns needed before the first feature row: the 22-day window plus a settled EWMA. */
export const WARMUP_RETURNS = 60;
const LONG_RUN_DAYS = 250;
const CLIP_Z = 10;

/**
 * Features and targets of one factor, one row per as-of day t (the close of return r_t): features use returns up to
 * r_t only; the target is the next return r_{t+1}, absent (NaN) on the last row, which is the live forecast row.
 */
export interface FactorPanel {
  factor: string;
  /** Date of the close each row's forecast is made at. */
  asOfDates: string[];
  /** Date of the return each row forecasts ("" on the last row). */
  targetDates: string[];
  nRows: number;
  /** Row-major nRows x N_FEATURES. */
  features: Float64Array;
  /** Base forecast: EWMA(0.94) variance of r_{t+1} from returns up to r_t, daily. */
  baseVariance: Float64Array;
  /** r_{t+1}, daily log-return (NaN on the last row). */
  nextReturn: Float64Array;
  /** All daily log-returns of the factor and their end dates (for the statistical baselines). */
  returns: Float64Array;
  returnDates: string[];
  /** Index into `returns` of each row's r_t. */
  returnIndex: Int32Array;
}

function logReturnsOf(s: ForecastSeries): Float64Array {
  const out = new Float64Array(s.closes.length - 1);
  for (let t = 0; t < out.length; t++) out[t] = Math.log(s.closes[t + 1]! / s.closes[t]!);
  return out;
}

function meanSq(r: Float64Array, end: number, window: number): number {
  const start = Math.max(0, end - window + 1);
  let s = 0;
  for (let k = start; k <= end; k++) s += r[k]! * r[k]!;
  return s / (end - start + 1);
}

/** Pearson correlation of x and y over the `window` days ending at the given indices (0 when undefined). */
function correlation(x: Float64Array, xEnd: number, y: Float64Array, yEnd: number, window: number): number {
  if (xEnd + 1 < window || yEnd + 1 < window) return 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let k = 0; k < window; k++) {
    const a = x[xEnd - k]!;
    const b = y[yEnd - k]!;
    sx += a;
    sy += b;
    sxx += a * a;
    syy += b * b;
    sxy += a * b;
  }
  const cov = sxy / window - (sx / window) * (sy / window);
  const vx = sxx / window - (sx / window) ** 2;
  const vy = syy / window - (sy / window) ** 2;
  return vx > 0 && vy > 0 ? cov / Math.sqrt(vx * vy) : 0;
}

const clip = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/**
 * Builds the feature panel of one factor. HAR realised variances (1, 5, 22 days), the signed and absolute last
 * return and the long-run level are divided by the EWMA base variance, so one model serves factors of very
 * different scale. Cross-asset features come from `market` (BTC): its short/long variance ratio and the factor's
 * 22-day correlation with it on common dates. `basisSpreadPct` is |ln close| x 100 for basis factors (distance from
 * peg or par ratio) and 0 for underlyings; volume enters as ln(volume / 22-day mean), 0 where the file has none.
 * @param isBasis the series is a ratio or a peg (STETH-ETH, WBTC-BTC, USDC-USD, ...)
 */
export function buildFactorPanel(series: ForecastSeries, market: ForecastSeries, isBasis: boolean): FactorPanel {
  if (series.closes.length !== series.dates.length) {
    throw invalidInput(`$.${series.symbol}.closes`, "length must equal dates length");
  }
  const r = logReturnsOf(series);
  if (r.length < WARMUP_RETURNS + 2) {
    throw missingData(`$.${series.symbol}`, `need at least ${WARMUP_RETURNS + 2} returns, got ${r.length}`);
  }
  const returnDates = series.dates.slice(1);
  const vol = ewmaVolSeries(r, { lambda: BASE_EWMA_LAMBDA });
  const mr = logReturnsOf(market);
  const marketIndex = new Map<string, number>(market.dates.slice(1).map((d, k) => [d, k]));
  const first = WARMUP_RETURNS - 1;
  const nRows = r.length - first;
  const features = new Float64Array(nRows * N_FEATURES);
  const baseVariance = new Float64Array(nRows);
  const nextReturn = new Float64Array(nRows);
  const returnIndex = new Int32Array(nRows);
  const asOfDates: string[] = [];
  const targetDates: string[] = [];
  for (let row = 0; row < nRows; row++) {
    const t = first + row;
    const base = vol[t + 1]! ** 2;
    if (!(base > 0)) throw missingData(`$.${series.symbol}`, `zero EWMA variance on ${returnDates[t]}`);
    const f = row * N_FEATURES;
    const z = r[t]! / Math.sqrt(base);
    features[f] = Math.log((r[t]! * r[t]!) / base + 0.01);
    features[f + 1] = Math.log(meanSq(r, t, 5) / base + 1e-4);
    features[f + 2] = Math.log(meanSq(r, t, 22) / base + 1e-4);
    features[f + 3] = clip(z, -CLIP_Z, CLIP_Z);
    features[f + 4] = clip(Math.abs(z), 0, CLIP_Z);
    features[f + 5] = Math.log(base / (meanSq(r, t, LONG_RUN_DAYS) + 1e-12) + 1e-4);
    const m = marketIndex.get(returnDates[t]!);
    if (m !== undefined && m >= 21) {
      features[f + 6] = Math.log((meanSq(mr, m, 5) + 1e-12) / (meanSq(mr, m, 22) + 1e-12));
      features[f + 7] = correlation(r, t, mr, m, 22);
    }
    features[f + 8] = isBasis ? Math.abs(Math.log(series.closes[t + 1]!)) * 100 : 0;
    const volumes = series.volumes;
    if (volumes) {
      const v = volumes[t + 1]!;
      let s = 0;
      let n = 0;
      for (let k = Math.max(0, t - 20); k <= t + 1; k++) {
        const x = volumes[k]!;
        if (x > 0) {
          s += x;
          n++;
        }
      }
      if (v > 0 && n > 0) features[f + 9] = clip(Math.log(v / (s / n)), -5, 5);
    }
    baseVariance[row] = base;
    nextReturn[row] = t + 1 < r.length ? r[t + 1]! : Number.NaN;
    returnIndex[row] = t;
    asOfDates.push(returnDates[t]!);
    targetDates.push(t + 1 < r.length ? returnDates[t + 1]! : "");
  }
  return {
    factor: series.symbol,
    asOfDates,
    targetDates,
    nRows,
    features,
    baseVariance,
    nextReturn,
    returns: r,
    returnDates,
    returnIndex,
  };
}
