import { describe, expect, it } from "vitest";
import { resolveMarket } from "../../../src/margin/resolve/resolveMarket.js";
import { SVI_MAX_TOTAL_VARIANCE, type SviSlice, sviImpliedVol } from "../../../src/pricing/sviVol.js";
import { impliedVol } from "../../../src/pricing/volSurface.js";
import { marketSnapshotSchema } from "../../../src/schema/marketSnapshot.js";
import { parseDocument } from "../../../src/schema/validate.js";
import { errorOf, expectInvalid } from "../../support/errors.js";
import { market } from "../../support/fixtures.js";

const slice: SviSlice = { a: 0.01, b: 0.1, rho: -0.5, m: 0, sig: 0.1, forwardUsd: 100, years: 0.5 };

describe("sviImpliedVol", () => {
  it("a flat smile (b = 0) has vol sqrt(a / T) at every strike", () => {
    const flat = { ...slice, a: 0.04, b: 0, years: 1 };
    for (const k of [50, 100, 180]) expect(sviImpliedVol(flat, k)).toBeCloseTo(0.2, 15);
  });

  it("at the money: w = a + b sig = 0.02, vol = sqrt(0.02 / 0.5) = 0.2", () => {
    expect(sviImpliedVol(slice, 100)).toBeCloseTo(0.2, 15);
  });

  it("at K = 110, by hand: k = 0.0953102, w = 0.01 + 0.1 (0.1381449 - 0.0476551) = 0.0190490", () => {
    // sqrt(0.0953102^2 + 0.1^2) = sqrt(0.0190840) = 0.1381449; rho k = -0.0476551
    expect(sviImpliedVol(slice, 110)).toBeCloseTo(Math.sqrt(0.019049 / 0.5), 5);
  });

  it("clamps log-moneyness at B = 4 sqrt(a + b sig): far wings take the vol at the bound", () => {
    const bound = 4 * Math.sqrt(0.02);
    const atBound = sviImpliedVol(slice, 100 * Math.exp(bound));
    expect(sviImpliedVol(slice, 100 * Math.exp(3))).toBeCloseTo(atBound, 14);
    expect(sviImpliedVol(slice, 100 * Math.exp(-3))).toBeCloseTo(sviImpliedVol(slice, 100 * Math.exp(-bound)), 14);
    expect(sviImpliedVol(slice, 100 * Math.exp(bound * 0.9))).toBeLessThan(atBound);
  });

  it("caps total variance at 144 by default (Derive's MAX_TOTAL_VAR) or at the given cap", () => {
    const huge = { ...slice, a: 200, b: 0, years: 1 };
    expect(SVI_MAX_TOTAL_VARIANCE).toBe(144);
    expect(sviImpliedVol(huge, 100)).toBe(12);
    expect(sviImpliedVol(huge, 100, 20)).toBeCloseTo(Math.sqrt(20), 15);
  });

  it("a strike of 0 has vol 0; a zero forward or a negative variance is an error, never a made-up vol", () => {
    expect(sviImpliedVol(slice, 0)).toBe(0);
    expect(errorOf(() => sviImpliedVol({ ...slice, forwardUsd: 0 }, 100, 144, "$.s")).path).toBe("$.s.forward");
    const negative = errorOf(() => sviImpliedVol({ ...slice, a: -0.1 }, 100));
    expect(negative.code).toBe("CALCULATION_FAILED");
  });
});

const sviSurface = (expiries: unknown[]) =>
  market({ volSurfaces: [{ underlying: "ETH", kind: "svi", expiries } as never] });
const sviExpiry = (expiry: string, extra: Record<string, string> = {}) => ({
  expiry,
  a: "0.01",
  b: "0.1",
  rho: "-0.5",
  m: "0",
  sig: "0.1",
  forward: "2000",
  ...extra,
});

describe("SVI vol surfaces in a MarketSnapshot", () => {
  it("is read by every model's vol lookup: at an expiry, the slice's own vol", () => {
    const snap = parseDocument(marketSnapshotSchema, sviSurface([sviExpiry("2024-07-01T12:00:00Z")]), "M");
    const surface = resolveMarket(snap).volSurfaces.get("ETH")!;
    expect(surface.kind).toBe("svi");
    // 182.5 days = 0.5 years: the same numbers as the at-the-money hand calculation above.
    expect(impliedVol(surface, 0.5, 2000)).toBeCloseTo(0.2, 14);
  });

  it("interpolates between SVI expiries linearly in total variance", () => {
    const snap = parseDocument(
      marketSnapshotSchema,
      sviSurface([
        sviExpiry("2024-07-01T12:00:00Z", { years: "0.5" }),
        sviExpiry("2024-12-31T00:00:00Z", { a: "0.07", years: "1" }),
      ]),
      "M",
    );
    const surface = resolveMarket(snap).volSurfaces.get("ETH")!;
    // w(0.5) = 0.02, w(1) = 0.08 -> w(0.75) = 0.05, vol = sqrt(0.05 / 0.75)
    expect(impliedVol(surface, 0.75, 2000)).toBeCloseTo(Math.sqrt(0.05 / 0.75), 12);
  });

  it("rejects a bad slice with the JSON path of the field", () => {
    expectInvalid(
      () => parseDocument(marketSnapshotSchema, sviSurface([sviExpiry("2024-07-01T00:00:00Z", { rho: "1.5" })]), "M"),
      "$.volSurfaces[0].expiries[0].rho",
      "[-1, 1]",
    );
    expectInvalid(
      () => parseDocument(marketSnapshotSchema, sviSurface([sviExpiry("2024-07-01T00:00:00Z", { a: "-0.5" })]), "M"),
      "$.volSurfaces[0].expiries[0].a",
      "total variance would be negative",
    );
    expectInvalid(
      () => parseDocument(marketSnapshotSchema, sviSurface([sviExpiry("2024-07-01T00:00:00Z", { forward: "0" })]), "M"),
      "$.volSurfaces[0].expiries[0].forward",
      "greater than 0",
    );
  });
});
