import { black76PriceUnchecked } from "../../pricing/black76.js";
import { buildOptionGrid, fillOptionPnl } from "../../pricing/optionPnlGrid.js";
import { fairForwardUsd } from "../resolve/fairForward.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedItem } from "../resolve/resolvedPortfolio.js";
import { underlyingStateOf } from "../resolve/underlyingFacts.js";
import type { Horizons } from "./horizons.js";
import { impliedVolMove } from "./impliedVolMove.js";
import type { FactorModel } from "./riskFactorModel.js";
import {
  keepVector,
  newVector,
  peerVector,
  publishVector,
  type SharedScenarios,
  sharedVector,
} from "./sharedScenarios.js";

const DAYS_PER_YEAR = 365;

/**
 * Simulated P&L of every item, stored compactly: item i's P&L on path s is `coefficient[i] * vectors[vector[i]][s]`
 * (USD). Linear items that read the same factors at the same horizon share one vector of relative moves, so the
 * exponential is computed once per group rather than once per item; each option instrument has one vector of P&L per
 * unit held.
 */
export interface PnlVectors {
  nPaths: number;
  vectors: Float64Array[];
  /** Per item: index into `vectors`. */
  vector: Int32Array;
  /** Per item: multiplier of its vector (exposure in USD for linear items, size for options). */
  coefficient: Float64Array;
}

export type OptionRevaluation = "exact" | "interpolated";

/** The column of a factor an item does not have (USD), shared read-only so that a report does not allocate one. */
let zeroBuffer = new Float64Array(0);
function zeroColumn(nPaths: number): Float64Array {
  if (zeroBuffer.length < nPaths) zeroBuffer = new Float64Array(nPaths);
  return zeroBuffer.subarray(0, nPaths);
}

/**
 * An option as revalued at the end of its liquidation horizon: years left to expiry (0 once expired), the factor
 * from spot to that expiry's forward, and the discount factor.
 */
export function optionAtHorizon(
  item: ResolvedItem,
  market: ResolvedMarket,
  horizonDays: number,
): { years: number; fwdFactor: number; df: number } {
  const u = underlyingStateOf(market, item.underlying, item.path);
  const years = Math.max(0, item.priced.expiryYears - horizonDays / DAYS_PER_YEAR);
  return { years, fwdFactor: Math.exp(u.carryRateAnnual * years), df: Math.exp(-u.riskFreeRateAnnual * years) };
}

/**
 * P&L of every item on every path at the item's own liquidation horizon, USD:
 * - holdings: value x (exp(price return + basis return) - 1);
 * - perps: size x spot x (exp(r) - 1) (funding over the horizon is not projected);
 * - futures: size x forward x (exp(r) - 1);
 * - options: Black-76 revaluation at the shocked spot and implied vol with the horizon's time decay (expiring inside
 *   the horizon: intrinsic value at the shocked spot), either exact on every path or interpolated on a per-option
 *   grid of exact values (src/pricing/optionPnlGrid.ts).
 * Allocation is per factor column and per vector, never per path. Vectors are shared through `shared.vectors`:
 * a linear group's vector, and an option's P&L per unit (coefficient = size) keyed by every input of its
 * revaluation, are computed once per scenario set and reused by every report on the tick (the set's memory budget
 * drops earlier ticks' vectors first; beyond it, per report).
 */
export function simulatePnlVectors(
  items: readonly ResolvedItem[],
  market: ResolvedMarket,
  factors: FactorModel,
  horizons: Horizons,
  shared: SharedScenarios,
  minVolAnnual: number,
  optionRevaluation: OptionRevaluation,
  volMoveResponse = 0,
): PnlVectors {
  const scenarios = shared.set;
  const nPaths = scenarios.nScenarios;
  const nT = scenarios.nTimes;
  const nF = scenarios.nFactors;
  const r = scenarios.logReturns;
  const zeros = zeroColumn(nPaths);
  const columns = new Map<number, Float64Array>();
  const factorMajor = scenarios.layout === "factor-major";
  // The (factor, time) columns items read, contiguous so the loops below scan memory in order: a view of a
  // factor-major set, or a copy out of a path-major one.
  const column = (f: number, j: number): Float64Array => {
    if (f < 0) return zeros;
    if (factorMajor) return r.subarray((f * nT + j) * nPaths, (f * nT + j + 1) * nPaths);
    const key = f * nT + j;
    let c = columns.get(key);
    if (!c) {
      c = new Float64Array(nPaths);
      for (let s = 0; s < nPaths; s++) c[s] = r[(s * nT + j) * nF + f]!;
      columns.set(key, c);
    }
    return c;
  };
  const vectors: Float64Array[] = [];
  const linearGroups = new Map<string, number>();
  const remember = (key: string, v: Float64Array): void => keepVector(shared, key, v, market);
  const vector = new Int32Array(items.length);
  const coefficient = new Float64Array(items.length);

  items.forEach((item, i) => {
    const fP = factors.priceFactor[i]!;
    const fB = factors.basisFactor[i]!;
    const j = horizons.itemTime[i]!;
    const p = item.priced;
    const u = underlyingStateOf(market, item.underlying, item.path);
    const spot = u.spotUsd;
    const xs = column(fP, j);
    if (p.kind !== "option") {
      const key = `${fP}|${fB}|${j}`;
      let v = linearGroups.get(key);
      if (v === undefined) {
        let rel = sharedVector(shared, `L${key}`, market);
        if (!rel) {
          const bs = column(fB, j);
          rel = new Float64Array(nPaths);
          for (let s = 0; s < nPaths; s++) rel[s] = Math.exp(xs[s]! + bs[s]!) - 1;
          remember(`L${key}`, rel);
        }
        v = vectors.push(rel) - 1;
        linearGroups.set(key, v);
      }
      vector[i] = v;
      if (p.kind === "spot") coefficient[i] = item.valueUsd;
      else if (p.kind === "perp") coefficient[i] = p.size * spot;
      else coefficient[i] = p.size * fairForwardUsd(u, p.expiryYears);
      return;
    }
    // Implied vol answers the size of the underlying's move (impliedVolMove): part of the per-unit vector, so in its key.
    const variance = fP >= 0 ? factors.volsDaily[fP]! ** 2 * scenarios.timesDays[j]! : 0;
    const k = factors.moveResponse[factors.volFactor[i]!] ?? volMoveResponse;
    const { years, fwdFactor, df } = optionAtHorizon(item, market, horizons.itemDays[i]!);
    // P&L per unit held: size x (unit value on the path - today's unit value).
    const base = p.size !== 0 ? item.valueUsd / p.size : 0;
    const key =
      `O${fP}|${factors.volFactor[i]}|${j}|${p.isCall}|${p.strikeUsd}|${years}|${spot}|${fwdFactor}|${df}|` +
      `${item.volAnnual}|${minVolAnnual}|${base}|${optionRevaluation}|${variance}|${k}`;
    vector[i] = vectors.length;
    coefficient[i] = p.size;
    const known = sharedVector(shared, key, market) ?? peerVector(shared, key, market);
    if (known) {
      vectors.push(known);
      return;
    }
    const ys = impliedVolMove(column(factors.volFactor[i]!, j), xs, variance, k);
    const pnl = newVector(shared, nPaths);
    vectors.push(pnl);
    if (years <= 0) {
      for (let s = 0; s < nPaths; s++) {
        const st = spot * Math.exp(xs[s]!);
        pnl[s] = (p.isCall ? Math.max(st - p.strikeUsd, 0) : Math.max(p.strikeUsd - st, 0)) - base;
      }
    } else if (optionRevaluation === "interpolated") {
      let xMin = 0;
      let xMax = 0;
      let yMin = 0;
      let yMax = 0;
      for (let s = 0; s < nPaths; s++) {
        const x = xs[s]!;
        const y = ys[s]!;
        if (x < xMin) xMin = x;
        if (x > xMax) xMax = x;
        if (y < yMin) yMin = y;
        if (y > yMax) yMax = y;
      }
      const grid = buildOptionGrid(
        {
          spotUsd: spot,
          forwardFactor: fwdFactor,
          strikeUsd: p.strikeUsd,
          years,
          volAnnual: item.volAnnual,
          minVolAnnual,
          discountFactor: df,
          isCall: p.isCall,
        },
        xMin,
        xMax,
        yMin,
        yMax,
      );
      fillOptionPnl(grid, xs, ys, 1, base, pnl);
    } else {
      for (let s = 0; s < nPaths; s++) {
        const vol = Math.max(minVolAnnual, item.volAnnual * Math.exp(ys[s]!));
        const unit = black76PriceUnchecked(spot * Math.exp(xs[s]!) * fwdFactor, p.strikeUsd, years, vol, df, p.isCall);
        pnl[s] = unit - base;
      }
    }
    // kept and handed over once complete: a report that throws half way leaves no partial vector to others
    remember(key, pnl);
    publishVector(shared, key, pnl);
  });
  return { nPaths, vectors, vector, coefficient };
}
