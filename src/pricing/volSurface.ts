/**
 * Implied-volatility surface of one underlying and its interpolation.
 *
 * - Within an expiry: linear in vol across strikes, flat (constant vol) beyond the first and last strike.
 * - Across expiries, at the same strike: linear in total variance w = sigma^2 T, so
 *   sigma(T) = sqrt((w1 + (w2 - w1) (T - T1) / (T2 - T1)) / T) for T1 <= T <= T2; flat (constant vol) before the
 *   first expiry and after the last one.
 *
 * Error paths name the fields of the snapshot's `volSurfaces[i]` document: `expiries[j].expiry`, `.strikes[n]`,
 * `.vols[n]`.
 */
import { invalidInput } from "../core/errors.js";

/** One expiry (smile) of a surface. */
export interface VolExpiry {
  /** Act/365 years from the snapshot to this expiry (> 0, strictly ascending across expiries). */
  years: number;
  /** ISO-8601 expiry time, informational only. */
  expiryIso?: string;
  /** Strikes, USD, strictly ascending and > 0; at least one. */
  strikesUsd: readonly number[];
  /** Annualised implied vols (0.6 = 60%), one per strike, each finite and > 0. */
  vols: readonly number[];
}

export interface VolSurface {
  /** Expiries in ascending order; at least one. */
  expiries: readonly VolExpiry[];
}

/** Surfaces built by `createVolSurface`: frozen after validation, so `impliedVol` need not re-check them. */
const validated = new WeakSet<VolSurface>();

/**
 * Checks a surface and throws `INVALID_INPUT` at the first bad field.
 * @param surface the surface to check
 * @param path JSON path of the surface document, `$` by default
 */
export function validateVolSurface(surface: VolSurface, path = "$"): void {
  const expiries = surface.expiries;
  if (!Array.isArray(expiries) || expiries.length === 0) {
    throw invalidInput(`${path}.expiries`, "a vol surface needs at least one expiry, got none");
  }
  let previousYears = 0;
  expiries.forEach((e, j) => {
    const at = `${path}.expiries[${j}]`;
    const label = e.expiryIso === undefined ? "" : ` (${e.expiryIso})`;
    if (!Number.isFinite(e.years) || e.years <= 0) {
      throw invalidInput(`${at}.expiry`, `expiry must be after the snapshot time, got ${e.years} years${label}`);
    }
    if (j > 0 && e.years <= previousYears) {
      throw invalidInput(
        `${at}.expiry`,
        `expiries must be strictly ascending, got ${e.years} years${label} after ${previousYears} years`,
      );
    }
    previousYears = e.years;
    const { strikesUsd, vols } = e;
    if (!Array.isArray(strikesUsd) || strikesUsd.length === 0) {
      throw invalidInput(`${at}.strikes`, "an expiry needs at least one strike, got none");
    }
    if (!Array.isArray(vols) || vols.length !== strikesUsd.length) {
      const got = Array.isArray(vols) ? vols.length : String(vols);
      throw invalidInput(`${at}.vols`, `one vol per strike is needed: ${strikesUsd.length} strikes, got ${got} vols`);
    }
    strikesUsd.forEach((k, n) => {
      if (!Number.isFinite(k) || k <= 0) {
        throw invalidInput(`${at}.strikes[${n}]`, `strike must be a finite number > 0, got ${k}`);
      }
      if (n > 0 && k <= strikesUsd[n - 1]!) {
        throw invalidInput(
          `${at}.strikes[${n}]`,
          `strikes must be strictly ascending, got ${k} after ${strikesUsd[n - 1]}`,
        );
      }
    });
    vols.forEach((v, n) => {
      if (!Number.isFinite(v) || v <= 0) {
        throw invalidInput(`${at}.vols[${n}]`, `vol must be a finite number > 0, got ${v}`);
      }
    });
  });
}

/**
 * Validates expiries once and returns a frozen surface that `impliedVol` then trusts without re-checking.
 * @param expiries years to expiry (ascending), strikes in USD and annualised vols
 * @param path JSON path of the surface document for error messages, `$` by default
 * @throws XmarginError `INVALID_INPUT` at the first bad field (see `validateVolSurface`)
 * @example
 * const s = createVolSurface([{ years: 0.25, strikesUsd: [3000], vols: [0.6] }]);
 * impliedVol(s, 0.1, 2500); // 0.6
 */
export function createVolSurface(expiries: readonly VolExpiry[], path = "$"): VolSurface {
  const copy = expiries.map((e) =>
    Object.freeze({
      years: e.years,
      ...(e.expiryIso === undefined ? {} : { expiryIso: e.expiryIso }),
      strikesUsd: Object.freeze([...e.strikesUsd]),
      vols: Object.freeze([...e.vols]),
    }),
  );
  const surface: VolSurface = Object.freeze({ expiries: Object.freeze(copy) });
  validateVolSurface(surface, path);
  validated.add(surface);
  return surface;
}

/** Vol of one expiry at a strike: linear between strikes, flat outside. */
function smileVol(e: VolExpiry, strikeUsd: number): number {
  const ks = e.strikesUsd;
  const vs = e.vols;
  const n = ks.length;
  if (strikeUsd <= ks[0]!) return vs[0]!;
  if (strikeUsd >= ks[n - 1]!) return vs[n - 1]!;
  // Binary search for ks[lo] <= strike < ks[hi], hi = lo + 1.
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (ks[mid]! <= strikeUsd) lo = mid;
    else hi = mid;
  }
  const k0 = ks[lo]!;
  const v0 = vs[lo]!;
  return v0 + ((vs[hi]! - v0) * (strikeUsd - k0)) / (ks[hi]! - k0);
}

/**
 * Implied vol at a time to expiry and strike.
 * @param surface a surface (validated on each call unless it came from `createVolSurface`)
 * @param years Act/365 time to expiry, years; at or before the first expiry (including <= 0) the first expiry's vol
 *   is used, at or after the last expiry the last one's
 * @param strikeUsd strike, USD (finite, >= 0)
 * @returns annualised vol (0.6 = 60%)
 * @throws XmarginError `INVALID_INPUT` on a NaN time, a negative or non-finite strike, or an invalid surface
 */
export function impliedVol(surface: VolSurface, years: number, strikeUsd: number): number {
  if (!validated.has(surface)) validateVolSurface(surface);
  if (Number.isNaN(years)) throw invalidInput("$.years", `years must be a number, got ${years}`);
  if (!Number.isFinite(strikeUsd) || strikeUsd < 0) {
    throw invalidInput("$.strikeUsd", `strikeUsd must be a finite number >= 0, got ${strikeUsd}`);
  }
  const expiries = surface.expiries;
  const first = expiries[0]!;
  if (years <= first.years) return smileVol(first, strikeUsd);
  const last = expiries[expiries.length - 1]!;
  if (years >= last.years) return smileVol(last, strikeUsd);
  let j = 1;
  while (expiries[j]!.years < years) j++;
  const e0 = expiries[j - 1]!;
  const e1 = expiries[j]!;
  const v0 = smileVol(e0, strikeUsd);
  const v1 = smileVol(e1, strikeUsd);
  const w0 = v0 * v0 * e0.years;
  const w1 = v1 * v1 * e1.years;
  const w = w0 + ((w1 - w0) * (years - e0.years)) / (e1.years - e0.years);
  return Math.sqrt(w / years);
}
