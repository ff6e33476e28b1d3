/**
 * Implied-volatility surface of one underlying and its interpolation. Two kinds: a strike/expiry grid (`grid`) and
 * one raw-SVI slice per expiry (`svi`, see `sviVol.ts`); `impliedVol` dispatches on the kind.
 *
 * - Within an expiry (svi): the slice's SVI formula with its strike clamp and variance cap.
 * - Within an expiry (grid): linear in vol across strikes, flat (constant vol) beyond the first and last strike.
 * - Across expiries, at the same strike: linear in total variance w = sigma^2 T, so
 *   sigma(T) = sqrt((w1 + (w2 - w1) (T - T1) / (T2 - T1)) / T) for T1 <= T <= T2; flat (constant vol) before the
 *   first expiry and after the last one.
 *
 * Error paths name the fields of the snapshot's `volSurfaces[i]` document: `expiries[j].expiry`, `.strikes[n]`,
 * `.vols[n]`.
 */
import { invalidInput } from "../core/errors.js";
import { SVI_MAX_TOTAL_VARIANCE, type SviSlice, sviImpliedVol } from "./sviVol.js";

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

export interface GridVolSurface {
  kind?: "grid";
  /** Expiries in ascending order; at least one. */
  expiries: readonly VolExpiry[];
}

/** One SVI expiry: the slice and the Act/365 years from the snapshot to the expiry. */
export interface SviExpiry {
  /** Act/365 years from the snapshot to this expiry (> 0, strictly ascending across expiries). */
  years: number;
  expiryIso?: string;
  slice: SviSlice;
}

export interface SviVolSurface {
  kind: "svi";
  expiries: readonly SviExpiry[];
  /** Cap on each slice's total variance (Derive: 144). */
  maxTotalVariance: number;
}

export type VolSurface = GridVolSurface | SviVolSurface;

/** Surfaces built by `createVolSurface`: frozen after validation, so `impliedVol` need not re-check them. */
const validated = new WeakSet<VolSurface>();

/**
 * Checks a surface and throws `INVALID_INPUT` at the first bad field.
 * @param surface the surface to check
 * @param path JSON path of the surface document, `$` by default
 */
export function validateVolSurface(surface: VolSurface, path = "$"): void {
  if (surface.kind === "svi") {
    validateSviVolSurface(surface, path);
    return;
  }
  const expiries = surface.expiries;
  if (!Array.isArray(expiries) || expiries.length === 0) {
    throw invalidInput(`${path}.expiries`, "a vol surface needs at least one expiry, got none");
  }
  let previousYears = 0;
  expiries.forEach((e, j) => {
    const at = `${path}.expiries[${j}]`;
    checkExpiryYears(e.years, previousYears, at, e.expiryIso);
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
export function createVolSurface(expiries: readonly VolExpiry[], path = "$"): GridVolSurface {
  const copy = expiries.map((e) =>
    Object.freeze({
      years: e.years,
      ...(e.expiryIso === undefined ? {} : { expiryIso: e.expiryIso }),
      strikesUsd: Object.freeze([...e.strikesUsd]),
      vols: Object.freeze([...e.vols]),
    }),
  );
  const surface: GridVolSurface = Object.freeze({ expiries: Object.freeze(copy) });
  validateVolSurface(surface, path);
  validated.add(surface);
  return surface;
}

function checkExpiryYears(years: number, previousYears: number, at: string, expiryIso?: string): void {
  const label = expiryIso === undefined ? "" : ` (${expiryIso})`;
  if (!Number.isFinite(years) || years <= 0) {
    throw invalidInput(`${at}.expiry`, `expiry must be after the snapshot time, got ${years} years${label}`);
  }
  if (years <= previousYears) {
    throw invalidInput(
      `${at}.expiry`,
      `expiries must be strictly ascending, got ${years} years${label} after ${previousYears} years`,
    );
  }
}

function validateSviVolSurface(surface: SviVolSurface, path: string): void {
  if (!Array.isArray(surface.expiries) || surface.expiries.length === 0) {
    throw invalidInput(`${path}.expiries`, "a vol surface needs at least one expiry, got none");
  }
  if (!(surface.maxTotalVariance > 0)) {
    throw invalidInput(`${path}.maxTotalVariance`, `must be a number > 0, got ${surface.maxTotalVariance}`);
  }
  let previousYears = 0;
  surface.expiries.forEach((e, j) => {
    const at = `${path}.expiries[${j}]`;
    checkExpiryYears(e.years, previousYears, at, e.expiryIso);
    previousYears = e.years;
    const { a, b, rho, m, sig, forwardUsd, years } = e.slice;
    for (const [name, v] of Object.entries({ a, m })) {
      if (!Number.isFinite(v)) throw invalidInput(`${at}.${name}`, `must be a finite number, got ${v}`);
    }
    for (const [name, v] of Object.entries({ b, sig })) {
      if (!Number.isFinite(v) || v < 0) throw invalidInput(`${at}.${name}`, `must be a finite number >= 0, got ${v}`);
    }
    if (!(Math.abs(rho) <= 1)) throw invalidInput(`${at}.rho`, `must lie in [-1, 1], got ${rho}`);
    if (!(forwardUsd > 0) || !Number.isFinite(forwardUsd)) {
      throw invalidInput(`${at}.forward`, `must be a finite number > 0, got ${forwardUsd}`);
    }
    if (!(years > 0) || !Number.isFinite(years)) {
      throw invalidInput(`${at}.years`, `must be a finite number > 0, got ${years}`);
    }
    // Minimum of the smile's total variance; below 0 some strikes would have no real vol.
    if (a + b * sig * Math.sqrt(1 - rho * rho) < 0) {
      throw invalidInput(`${at}.a`, "a + b sig sqrt(1 - rho^2) must be >= 0 (total variance would be negative)");
    }
  });
}

/**
 * Validates SVI expiries once and returns a frozen surface that `impliedVol` then trusts.
 * @param expiries years to expiry (ascending) and each expiry's SVI slice
 * @param maxTotalVariance cap on total variance, default 144 (Derive's)
 * @param path JSON path of the surface document for error messages
 * @throws XmarginError `INVALID_INPUT` at the first bad field
 * @example
 * const s = createSviVolSurface([{ years: 1, slice: { a: 0.04, b: 0, rho: 0, m: 0, sig: 0.1, forwardUsd: 100, years: 1 } }]);
 * impliedVol(s, 1, 90); // 0.2
 */
export function createSviVolSurface(
  expiries: readonly SviExpiry[],
  maxTotalVariance = SVI_MAX_TOTAL_VARIANCE,
  path = "$",
): SviVolSurface {
  const copy = expiries.map((e) =>
    Object.freeze({
      years: e.years,
      ...(e.expiryIso === undefined ? {} : { expiryIso: e.expiryIso }),
      slice: Object.freeze({ ...e.slice }),
    }),
  );
  const surface: SviVolSurface = Object.freeze({ kind: "svi", expiries: Object.freeze(copy), maxTotalVariance });
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
  const expiries: readonly { years: number }[] = surface.expiries;
  // Vol of expiry j at the strike, by the surface's kind.
  const volAt =
    surface.kind === "svi"
      ? (j: number) => sviImpliedVol(surface.expiries[j]!.slice, strikeUsd, surface.maxTotalVariance)
      : (j: number) => smileVol(surface.expiries[j]!, strikeUsd);
  const n = expiries.length;
  if (years <= expiries[0]!.years) return volAt(0);
  if (years >= expiries[n - 1]!.years) return volAt(n - 1);
  let j = 1;
  while (expiries[j]!.years < years) j++;
  const e0 = expiries[j - 1]!;
  const e1 = expiries[j]!;
  const v0 = volAt(j - 1);
  const v1 = volAt(j);
  const w0 = v0 * v0 * e0.years;
  const w1 = v1 * v1 * e1.years;
  const w = w0 + ((w1 - w0) * (years - e0.years)) / (e1.years - e0.years);
  return Math.sqrt(w / years);
}
