import { parseDecimal } from "../core/decimal.js";
import { parseIsoToSec, yearsBetween } from "../core/time.js";
import type { VolSurfaceDoc } from "../schema/marketSnapshot.js";
import { SVI_MAX_TOTAL_VARIANCE } from "./sviVol.js";
import { createSviVolSurface, createVolSurface, type VolSurface } from "./volSurface.js";

/**
 * Turns a validated `volSurfaces[i]` document of either kind into a checked surface.
 * @param doc the surface document (grid or svi)
 * @param asOfSec snapshot time, epoch seconds; expiries become Act/365 years from it
 * @param path JSON path of the document, e.g. `$.volSurfaces[2]`
 * @throws XmarginError `INVALID_INPUT` naming the bad field
 */
export function volSurfaceFromDoc(doc: VolSurfaceDoc, asOfSec: number, path: string): VolSurface {
  const yearsTo = (iso: string, at: string) => yearsBetween(asOfSec, parseIsoToSec(iso, at));
  if (doc.kind === "svi") {
    return createSviVolSurface(
      doc.expiries.map((e, j) => {
        const at = `${path}.expiries[${j}]`;
        const years = yearsTo(e.expiry, `${at}.expiry`);
        return {
          years,
          expiryIso: e.expiry,
          slice: {
            a: parseDecimal(e.a, `${at}.a`),
            b: parseDecimal(e.b, `${at}.b`),
            rho: parseDecimal(e.rho, `${at}.rho`),
            m: parseDecimal(e.m, `${at}.m`),
            sig: parseDecimal(e.sig, `${at}.sig`),
            forwardUsd: parseDecimal(e.forward, `${at}.forward`),
            // Without its own reference time the fit is taken to refer to the time to expiry.
            years: e.years === undefined ? years : parseDecimal(e.years, `${at}.years`),
          },
        };
      }),
      doc.maxTotalVariance === undefined
        ? SVI_MAX_TOTAL_VARIANCE
        : parseDecimal(doc.maxTotalVariance, `${path}.maxTotalVariance`),
      path,
    );
  }
  return createVolSurface(
    doc.expiries.map((e, j) => ({
      years: yearsTo(e.expiry, `${path}.expiries[${j}].expiry`),
      strikesUsd: e.strikes.map((k, n) => parseDecimal(k, `${path}.expiries[${j}].strikes[${n}]`)),
      vols: e.vols.map((v, n) => parseDecimal(v, `${path}.expiries[${j}].vols[${n}]`)),
    })),
    path,
  );
}
