/**
 * Vectorised "revalue positions x scenarios" kernel of the scenario-grid margin models.
 *
 * Positions of one underlying are laid out once as struct-of-arrays columns (`buildPositionBlock`); each call of
 * `revalueScenarios` then fills a dense P&L matrix without allocating. The formulas are those of `valuePosition`
 * (see there) applied to shocked spot and vol.
 *
 * Scenario conventions (scenario s, position i):
 * - spot:  S_s = S * spotMults[s]  (multiplicative: 1.2 = +20%).
 * - vol:   relative shock. volMultEff = 1 + (volMults[s] - 1) * volShockScale[i] (scale 1 when not given), and the
 *          option is priced at max(minVolAnnual, vol_i * volMultEff). E.g. volMults[s] = 1.3 with scale 0.5 gives
 *          +15% of the position's own vol. A tenor scaling such as (30 / DTE)^power goes in `volShockScale`.
 * - rates, carry and time to expiry are unchanged (instantaneous shock).
 * - P&L = scenario value - base value, USD; the base value uses spot S and each position's base vol unfloored.
 * The base value itself (`positionValueUnchecked`'s, to the kernel's bound) can be written too (`baseValueUsd`).
 */
import { invalidInput } from "../core/errors.js";
import { normalCdf } from "../core/normal.js";
import { black76PriceUnchecked } from "./black76.js";
import { KIND_CODE, type PricedPosition, type UnderlyingState } from "./types.js";
import { linearValueUnchecked, optionDiscountFactor, optionGrowth, validatePricingInputs } from "./valuePosition.js";
import { BLACK76_SIMD_CAPACITY, type Black76SimdKernel, black76SimdKernel } from "./wasm/black76Simd.js";

/** Codes of the `kind` column (defined with the kinds in types.ts). */
export { KIND_CODE };

/**
 * Spot exposure of a linear position, USD: the P&L of a relative spot move m is exposure x m. Spot tokens move with
 * their price ratio, perps with spot, futures with the forward (carry over the remaining years, none once expired).
 * @param kind `KIND_CODE` of a linear kind (spot, perp or future)
 * @param size signed size, units of the underlying
 * @param spotUsd spot of the underlying, USD
 * @param carryRateAnnual carry rate, per year
 * @param priceRatio spot tokens' price / underlying spot (ignored for other kinds)
 * @param expiryYears futures' years to expiry (ignored for other kinds)
 */
export function linearExposureUsd(
  kind: number,
  size: number,
  spotUsd: number,
  carryRateAnnual: number,
  priceRatio: number,
  expiryYears: number,
): number {
  if (kind === KIND_CODE.spot) return size * spotUsd * priceRatio;
  if (kind === KIND_CODE.perp) return size * spotUsd;
  return size * (spotUsd * Math.exp(carryRateAnnual * Math.max(expiryYears, 0)));
}

/** Struct-of-arrays view of the positions of one underlying; row i is position i. */
export interface PositionBlock {
  nPositions: number;
  /** `KIND_CODE` of each position. */
  kind: Uint8Array;
  /** Signed size, units of the underlying. */
  size: Float64Array;
  /** Spot tokens: token price / underlying spot (1 for 1:1). */
  priceRatio: Float64Array;
  /** Perp/future entry price, USD. */
  entryPriceUsd: Float64Array;
  /** Option strike, USD. */
  strikeUsd: Float64Array;
  /** Act/365 years to expiry; <= 0 means expired. */
  expiryYears: Float64Array;
  /** Option: 1 for a call, 0 for a put. */
  isCall: Uint8Array;
  /** Perp: accrued unsettled funding, USD. */
  fundingAccruedUsd: Float64Array;
  /** Base annualised vol of each option (0 for other kinds). */
  volAnnual: Float64Array;
}

export interface RevalueOptions {
  /** Floor of the shocked option vol, annualised (default 0). */
  minVolAnnual?: number;
  /** Per-position scale of the vol shock, length nPositions (default all 1). */
  volShockScale?: Float64Array;
  /**
   * Output, length >= nPositions: each position's base value, USD (size x value at spot S, base vol unfloored; the
   * value of `positionValueUnchecked`, options within the WASM kernel's bound when it is on).
   */
  baseValueUsd?: Float64Array;
}

/**
 * Lays positions out in columns, once per report.
 * @param positions resolved positions of one underlying
 * @param volsAnnual base vol of each position (0.6 = 60%), same length; only options' entries are used
 * @param u the underlying's market state, used here only to validate the positions against it (it is passed again
 *   to `revalueScenarios`, so one block can be revalued from several base states)
 * @param path JSON path of the positions array for error messages, `$.positions` by default
 * @throws XmarginError `INVALID_INPUT` on a length mismatch or an invalid position (see `validatePricingInputs`)
 */
export function buildPositionBlock(
  positions: readonly PricedPosition[],
  volsAnnual: ArrayLike<number>,
  u: UnderlyingState,
  path = "$.positions",
): PositionBlock {
  const n = positions.length;
  if (volsAnnual.length !== n) {
    throw invalidInput(
      "$.volsAnnual",
      `volsAnnual must have one vol per position: ${n} positions, got ${volsAnnual.length}`,
    );
  }
  const block: PositionBlock = {
    nPositions: n,
    kind: new Uint8Array(n),
    size: new Float64Array(n),
    priceRatio: new Float64Array(n),
    entryPriceUsd: new Float64Array(n),
    strikeUsd: new Float64Array(n),
    expiryYears: new Float64Array(n),
    isCall: new Uint8Array(n),
    fundingAccruedUsd: new Float64Array(n),
    volAnnual: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const p = positions[i]!;
    const vol = volsAnnual[i]!;
    validatePricingInputs(p, u, vol, `${path}[${i}]`);
    block.kind[i] = KIND_CODE[p.kind];
    block.size[i] = p.size;
    block.priceRatio[i] = p.kind === "spot" ? p.priceRatio : 0;
    block.entryPriceUsd[i] = p.kind === "perp" || p.kind === "future" ? p.entryPriceUsd : 0;
    block.strikeUsd[i] = p.kind === "option" ? p.strikeUsd : 0;
    block.expiryYears[i] = p.kind === "option" || p.kind === "future" ? p.expiryYears : 0;
    block.isCall[i] = p.kind === "option" && p.isCall ? 1 : 0;
    block.fundingAccruedUsd[i] = p.kind === "perp" ? p.fundingAccruedUsd : 0;
    block.volAnnual[i] = p.kind === "option" ? vol : 0;
  }
  return block;
}

/**
 * Reused scratch for the per-scenario spot moves (spotMults[s] - 1) and their logs, grown on demand: no allocation per
 * call.
 */
let spotMovesScratch = new Float64Array(64);
let logSpotMultsScratch = new Float64Array(64);

function checkMarketState(u: UnderlyingState): void {
  if (!Number.isFinite(u.spotUsd) || u.spotUsd < 0) {
    throw invalidInput("$.market.spotUsd", `spotUsd must be a finite number >= 0, got ${u.spotUsd}`);
  }
  if (!Number.isFinite(u.carryRateAnnual)) {
    throw invalidInput("$.market.carryRateAnnual", `carryRateAnnual must be a finite number, got ${u.carryRateAnnual}`);
  }
  if (!Number.isFinite(u.riskFreeRateAnnual)) {
    throw invalidInput(
      "$.market.riskFreeRateAnnual",
      `riskFreeRateAnnual must be a finite number, got ${u.riskFreeRateAnnual}`,
    );
  }
}

/**
 * Fills `out[i * nScenarios + s]` with the P&L (USD) of position i in scenario s; see the module header for the
 * shock conventions. Allocation-free.
 * @param block positions of one underlying, from `buildPositionBlock`
 * @param state base market state of that underlying (spot USD, carry and risk-free rates per year)
 * @param spotMults spot multiplier of each scenario (finite, >= 0)
 * @param volMults vol multiplier of each scenario (finite), same length as `spotMults`
 * @param out P&L matrix, length >= nPositions * nScenarios, row-major by position
 * @param options `minVolAnnual` floor (default 0) and per-position `volShockScale` (default 1)
 * @throws XmarginError `INVALID_INPUT` on mismatched lengths or non-finite multipliers
 */
export function revalueScenarios(
  block: PositionBlock,
  state: UnderlyingState,
  spotMults: Float64Array,
  volMults: Float64Array,
  out: Float64Array,
  options?: RevalueOptions,
): void {
  checkMarketState(state);
  const nPos = block.nPositions;
  const nScen = spotMults.length;
  if (volMults.length !== nScen) {
    throw invalidInput("$.volMults", `volMults must have one entry per scenario: ${nScen}, got ${volMults.length}`);
  }
  if (out.length < nPos * nScen) {
    throw invalidInput("$.out", `out needs ${nPos} x ${nScen} = ${nPos * nScen} entries, got ${out.length}`);
  }
  for (let s = 0; s < nScen; s++) {
    const m = spotMults[s]!;
    if (!Number.isFinite(m) || m < 0) throw invalidInput(`$.spotMults[${s}]`, `must be finite and >= 0, got ${m}`);
    const v = volMults[s]!;
    if (!Number.isFinite(v)) throw invalidInput(`$.volMults[${s}]`, `must be finite, got ${v}`);
  }
  const minVol = options?.minVolAnnual ?? 0;
  if (!Number.isFinite(minVol) || minVol < 0) {
    throw invalidInput("$.options.minVolAnnual", `minVolAnnual must be a finite number >= 0, got ${minVol}`);
  }
  const scale = options?.volShockScale;
  const baseOut = options?.baseValueUsd;
  if (baseOut !== undefined && baseOut.length < nPos) {
    throw invalidInput("$.options.baseValueUsd", `baseValueUsd needs ${nPos} entries, got ${baseOut.length}`);
  }
  if (scale !== undefined) {
    if (scale.length !== nPos) {
      throw invalidInput(
        "$.options.volShockScale",
        `volShockScale must have one entry per position: ${nPos}, got ${scale.length}`,
      );
    }
    for (let i = 0; i < nPos; i++) {
      if (!Number.isFinite(scale[i]!)) {
        throw invalidInput(`$.options.volShockScale[${i}]`, `must be finite, got ${scale[i]}`);
      }
    }
  }

  const spot = state.spotUsd;
  const carry = state.carryRateAnnual;
  const rf = state.riskFreeRateAnnual;
  if (spotMovesScratch.length < nScen) {
    spotMovesScratch = new Float64Array(Math.max(nScen, 2 * spotMovesScratch.length));
    logSpotMultsScratch = new Float64Array(spotMovesScratch.length);
  }
  const moves = spotMovesScratch;
  const logMults = logSpotMultsScratch;
  for (let s = 0; s < nScen; s++) {
    moves[s] = spotMults[s]! - 1;
    logMults[s] = Math.log(spotMults[s]!);
  }
  const kinds = block.kind;
  const sizes = block.size;
  const simd = black76SimdKernel();
  queued = 0;
  for (let i = 0; i < nPos; i++) {
    const row = i * nScen;
    const size = sizes[i]!;
    const kind = kinds[i]!;
    if (kind !== KIND_CODE.option) {
      // Linear kinds: P&L = exposure x spot move, one multiply per scenario.
      const exposure = linearExposureUsd(kind, size, spot, carry, block.priceRatio[i]!, block.expiryYears[i]!);
      for (let s = 0; s < nScen; s++) out[row + s] = exposure * moves[s]!;
      if (baseOut !== undefined) {
        baseOut[i] = linearValueUnchecked(
          kind,
          size,
          spot,
          carry,
          block.expiryYears[i]!,
          block.priceRatio[i]!,
          block.entryPriceUsd[i]!,
          block.fundingAccruedUsd[i]!,
        );
      }
    } else {
      const strike = block.strikeUsd[i]!;
      const years = block.expiryYears[i]!;
      const isCall = block.isCall[i] === 1;
      if (years <= 0) {
        // Expired: intrinsic value on spot, no vol dependence.
        const base = isCall ? Math.max(spot - strike, 0) : Math.max(strike - spot, 0);
        if (baseOut !== undefined) baseOut[i] = size * base;
        for (let s = 0; s < nScen; s++) {
          const st = spot * spotMults[s]!;
          const value = isCall ? Math.max(st - strike, 0) : Math.max(strike - st, 0);
          out[row + s] = size * (value - base);
        }
      } else {
        const growth = optionGrowth(carry, years);
        const df = optionDiscountFactor(rf, years);
        const vol = block.volAnnual[i]!;
        const k = scale === undefined ? 1 : scale[i]!;
        if (simd && nScen < BLACK76_SIMD_CAPACITY) {
          // WASM SIMD path: the row's scenarios and its base go to the kernel's columns, priced in batches.
          if (queued + nScen + 1 > BLACK76_SIMD_CAPACITY) queued = flushSimdRows(simd, queued, nScen, out, baseOut);
          const sqrtT = Math.sqrt(years);
          const forward = spot * growth;
          const { forwardUsd, stdDev } = simd;
          for (let s = 0; s < nScen; s++) {
            forwardUsd[queued + s] = forward * spotMults[s]!;
            stdDev[queued + s] = Math.max(minVol, vol * (1 + (volMults[s]! - 1) * k)) * sqrtT;
          }
          // The base (unfloored vol): equal inputs to an unshocked scenario's, so that scenario's P&L is exactly 0.
          forwardUsd[queued + nScen] = forward;
          stdDev[queued + nScen] = vol * sqrtT;
          simd.strikeUsd.fill(strike, queued, queued + nScen + 1);
          simd.discountFactor.fill(df, queued, queued + nScen + 1);
          simd.sign.fill(isCall ? 1 : -1, queued, queued + nScen + 1);
          queuedPosition[queuedRows] = i;
          queuedRow[queuedRows] = row;
          queuedSize[queuedRows++] = size;
          queued += nScen + 1;
          continue;
        }
        const base = black76PriceUnchecked(spot * growth, strike, years, vol, df, isCall);
        if (baseOut !== undefined) baseOut[i] = size * base;
        // black76PriceUnchecked inlined with the position's constants hoisted. ln(F_s / K) is taken as
        // ln(F / K) + ln(spotMult_s): one log per position instead of one per scenario (the last bits may differ from
        // ln(F_s / K); at spotMult 1 it is exactly the base's, so the unshocked scenario's P&L stays exactly 0).
        const sqrtT = Math.sqrt(years);
        const logForwardOverStrike = Math.log((spot * growth) / strike);
        for (let s = 0; s < nScen; s++) {
          const volEff = Math.max(minVol, vol * (1 + (volMults[s]! - 1) * k));
          const f = spot * spotMults[s]! * growth;
          const stdDev = volEff * sqrtT;
          let value: number;
          if (stdDev === 0 || strike === 0 || f === 0) {
            value = df * (isCall ? Math.max(f - strike, 0) : Math.max(strike - f, 0));
          } else {
            const d1 = (logForwardOverStrike + logMults[s]!) / stdDev + 0.5 * stdDev;
            const d2 = d1 - stdDev;
            value = isCall
              ? df * (f * normalCdf(d1) - strike * normalCdf(d2))
              : df * (strike * normalCdf(-d2) - f * normalCdf(-d1));
          }
          out[row + s] = size * (value - base);
        }
      }
    }
  }
  if (simd && queued > 0) flushSimdRows(simd, queued, nScen, out, baseOut);
}

/** Option rows queued in the SIMD kernel's columns: nScen scenario prices then the base price each, in order. */
let queued = 0;
let queuedRows = 0;
const queuedRow = new Int32Array(BLACK76_SIMD_CAPACITY);
const queuedPosition = new Int32Array(BLACK76_SIMD_CAPACITY);
const queuedSize = new Float64Array(BLACK76_SIMD_CAPACITY);

/**
 * Prices the queued rows in the kernel and writes their P&L, size x (scenario price - base price), and their base
 * value size x base price when `baseOut` is given; returns 0.
 */
function flushSimdRows(
  simd: Black76SimdKernel,
  n: number,
  nScen: number,
  out: Float64Array,
  baseOut: Float64Array | undefined,
): number {
  simd.price(n);
  const price = simd.priceUsd;
  for (let r = 0; r < queuedRows; r++) {
    const from = r * (nScen + 1);
    const base = price[from + nScen]!;
    const row = queuedRow[r]!;
    const size = queuedSize[r]!;
    for (let s = 0; s < nScen; s++) out[row + s] = size * (price[from + s]! - base);
    if (baseOut !== undefined) baseOut[queuedPosition[r]!] = size * base;
  }
  queuedRows = 0;
  return 0;
}

/**
 * Sums a P&L matrix over positions: `target[s] = sum_i out[i * nScenarios + s]`, USD.
 * @param out P&L matrix from `revalueScenarios`
 * @param nPositions number of rows
 * @param nScenarios number of columns
 * @param target output, length >= nScenarios (overwritten)
 */
export function totalPnlByScenario(
  out: Float64Array,
  nPositions: number,
  nScenarios: number,
  target: Float64Array,
): void {
  if (!Number.isInteger(nPositions) || nPositions < 0 || !Number.isInteger(nScenarios) || nScenarios < 0) {
    throw invalidInput("$", `nPositions and nScenarios must be integers >= 0, got ${nPositions} and ${nScenarios}`);
  }
  if (out.length < nPositions * nScenarios) {
    throw invalidInput("$.out", `out needs ${nPositions} x ${nScenarios} entries, got ${out.length}`);
  }
  if (target.length < nScenarios) {
    throw invalidInput("$.target", `target needs ${nScenarios} entries, got ${target.length}`);
  }
  target.fill(0, 0, nScenarios);
  for (let i = 0; i < nPositions; i++) {
    const row = i * nScenarios;
    for (let s = 0; s < nScenarios; s++) target[s] = target[s]! + out[row + s]!;
  }
}
