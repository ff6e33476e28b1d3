import { black76PriceUnchecked } from "../../pricing/black76.js";
import {
  fillOptionPnl,
  nodesRead,
  type OptionGridGeometry,
  optionGridGeometry,
  optionGridOn,
} from "../../pricing/optionPnlGrid.js";
import { fairForwardUsd } from "../resolve/fairForward.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedItem } from "../resolve/resolvedPortfolio.js";
import { underlyingStateOf } from "../resolve/underlyingFacts.js";
import type { Horizons } from "./horizons.js";
import { impliedVolMove } from "./impliedVolMove.js";
import type { FactorModel } from "./riskFactorModel.js";
import {
  countUnkeptVectors,
  firstSightOnTick,
  keepVector,
  newVector,
  peerVector,
  publishVector,
  type SharedScenarios,
  sharedVector,
  vectorsExchanged,
} from "./sharedScenarios.js";
import { type SummedOptionGrids, SummedOptionGridsBuilder } from "./summedOptionGrids.js";

const DAYS_PER_YEAR = 365;

/**
 * Simulated P&L of every item, stored compactly: item i's P&L on path s is `coefficient[i] * vectors[vector[i]][s]`
 * (USD). Linear items that read the same factors at the same horizon share one vector of relative moves, so the
 * exponential is computed once per group rather than once per item; each option instrument has one vector of P&L per
 * unit held, or is a member of a summed option grid (`summed`): its group has one P&L vector, and the item's own P&L is
 * read on chosen paths only (src/margin/xchain/pnlTerms.ts reads both kinds).
 */
export interface PnlVectors {
  nPaths: number;
  vectors: Float64Array[];
  /** Per item: index into `vectors`, or -1 for a member of a summed option grid. */
  vector: Int32Array;
  /** Per item: multiplier of its unit P&L (exposure in USD for linear items, size for options). */
  coefficient: Float64Array;
  summed: SummedOptionGrids;
}

/** An option's price and implied-vol log-moves on every path at its horizon, their key and ranges. */
interface OptionColumns {
  key: string;
  xs: Float64Array;
  ys: Float64Array;
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
  /** The grid nodes the paths read, per grid geometry (its x cell count: the rest follows from the ranges). */
  read: Map<number, Uint8Array>;
}

/** The nodes the columns' paths read on a grid of geometry `g` (computed once per geometry). */
function readBy(cols: OptionColumns, g: OptionGridGeometry): Uint8Array {
  let read = cols.read.get(g.nx);
  if (!read) {
    read = nodesRead(g, cols.xs, cols.ys);
    cols.read.set(g.nx, read);
  }
  return read;
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
 * drops earlier ticks' vectors first; beyond it, per report). Interpolated options no other report on the tick has
 * revalued are gathered by group and summed into one grid per group of at least MIN_SUMMED_INSTRUMENTS (`summedGrids`,
 * src/margin/xchain/summedOptionGrids.ts; false: every option its own vector, the reference path).
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
  summedGrids = true,
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
  // An option's complete vector: kept for the tick's other reports and handed to the other threads, if any.
  const share = (key: string, v: Float64Array): void => {
    remember(key, v);
    publishVector(shared, key, v);
  };
  const exchanged = vectorsExchanged(shared);
  const vector = new Int32Array(items.length);
  const coefficient = new Float64Array(items.length);

  // Per report: each option instrument's vector index (-1: summed into its group's grid).
  const route = new Map<string, number>();
  const summed = new SummedOptionGridsBuilder();
  // The (price, implied-vol) columns an option reads and their ranges, once per (factors, horizon, vol response).
  const optionCols = new Map<string, OptionColumns>();
  const optionColumns = (fP: number, fV: number, j: number, variance: number, k: number): OptionColumns => {
    const key = `${fP}|${fV}|${j}|${variance}|${k}`;
    let c = optionCols.get(key);
    if (!c) {
      const xs = column(fP, j);
      const ys = impliedVolMove(column(fV, j), xs, variance, k);
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
      c = { key, xs, ys, xMin, xMax, yMin, yMax, read: new Map() };
      optionCols.set(key, c);
    }
    return c;
  };
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
    const fV = factors.volFactor[i]!;
    const k = factors.moveResponse[fV] ?? volMoveResponse;
    const { years, fwdFactor, df } = optionAtHorizon(item, market, horizons.itemDays[i]!);
    // P&L per unit held: size x (unit value on the path - today's unit value).
    const base = p.size !== 0 ? item.valueUsd / p.size : 0;
    const key =
      `O${fP}|${fV}|${j}|${p.isCall}|${p.strikeUsd}|${years}|${spot}|${fwdFactor}|${df}|` +
      `${item.volAnnual}|${minVolAnnual}|${base}|${optionRevaluation}|${variance}|${k}`;
    coefficient[i] = p.size;
    const spec = {
      spotUsd: spot,
      forwardFactor: fwdFactor,
      strikeUsd: p.strikeUsd,
      years,
      volAnnual: item.volAnnual,
      minVolAnnual,
      discountFactor: df,
      isCall: p.isCall,
    };
    // The columns and the grid geometry only when the option is revalued here (not for a vector kept on the tick).
    const interpolated = optionRevaluation === "interpolated" && years > 0;
    const geometryOf = (cols: OptionColumns): OptionGridGeometry | undefined =>
      interpolated
        ? optionGridGeometry(item.volAnnual * Math.sqrt(years), cols.xMin, cols.xMax, cols.yMin, cols.yMax)
        : undefined;
    // This option's own P&L per unit on every path, kept for the tick's other reports (and threads) once complete.
    const revalue = (cols: OptionColumns, geometry: OptionGridGeometry | undefined, key: string): Float64Array => {
      const pnl = newVector(shared, nPaths);
      if (years <= 0) {
        for (let s = 0; s < nPaths; s++) {
          const st = spot * Math.exp(xs[s]!);
          pnl[s] = (p.isCall ? Math.max(st - p.strikeUsd, 0) : Math.max(p.strikeUsd - st, 0)) - base;
        }
      } else if (geometry) {
        fillOptionPnl(optionGridOn(spec, geometry, readBy(cols, geometry)), xs, cols.ys, 1, base, pnl);
      } else {
        const ys = cols.ys;
        for (let s = 0; s < nPaths; s++) {
          const vol = Math.max(minVolAnnual, item.volAnnual * Math.exp(ys[s]!));
          const unit = black76PriceUnchecked(
            spot * Math.exp(xs[s]!) * fwdFactor,
            p.strikeUsd,
            years,
            vol,
            df,
            p.isCall,
          );
          pnl[s] = unit - base;
        }
      }
      share(key, pnl);
      return pnl;
    };
    let v = route.get(key);
    if (v === undefined) {
      // The rule (docs/models/xchain.md, "summed option grids"): a vector kept on the tick is read; an instrument
      // another report on the tick already revalued gets its own kept vector (from its second holder on, one vector
      // serves every account); the first sight of an instrument goes to its group, summed if the group is large
      // enough (SummedOptionGridsBuilder.finish). Where a venue's workers exchange vectors, an instrument another thread
      // has not computed is claimed by this one (peerVector), which must then compute and hand it over: never summed.
      const known = sharedVector(shared, key, market) ?? peerVector(shared, key, market);
      if (known) v = vectors.push(known) - 1;
      else {
        const cols = optionColumns(fP, fV, j, variance, k);
        const geometry = geometryOf(cols);
        if (geometry && summedGrids && !exchanged && firstSightOnTick(shared, key, market)) v = -1;
        else v = vectors.push(revalue(cols, geometry, key)) - 1;
      }
      route.set(key, v);
    }
    vector[i] = v;
    // set by summed.finish: -1 if its group is summed, else its own vector
    if (v < 0) {
      const cols = optionColumns(fP, fV, j, variance, k);
      const geometry = geometryOf(cols)!;
      const groupKey = `${cols.key}|${item.underlying}|${item.chain}|${years}|${spot}|${fwdFactor}|${df}|${geometry.nx}`;
      summed.add(i, groupKey, key, cols, geometry, readBy(cols, geometry), spec, base, p.size);
    }
  });
  const grids = summed.finish(vectors, nPaths, vector, () => newVector(shared, nPaths), share);
  countUnkeptVectors(grids.groups.length);
  return { nPaths, vectors, vector, coefficient, summed: grids };
}
