import { describe, expect, it } from "vitest";
import { createVolSurface, impliedVol, type VolExpiry } from "../../../src/pricing/volSurface.js";
import { expectInvalid } from "../../support/errors.js";

/** Interpolated vols are a few arithmetic operations from the hand values. */
const TOL = 1e-14;

const EXPIRIES: VolExpiry[] = [
  { years: 0.25, expiryIso: "2025-04-01T08:00:00Z", strikesUsd: [2000, 3000, 4000], vols: [0.8, 0.6, 0.7] },
  { years: 1, strikesUsd: [2500, 3500], vols: [0.5, 0.55] },
];
const surface = createVolSurface(EXPIRIES, "$.volSurfaces[0]");

describe("impliedVol within one expiry", () => {
  it("is linear in vol between strikes", () => {
    // K = 2500 on the first expiry: 0.8 + (0.6 - 0.8) * (2500 - 2000) / (3000 - 2000) = 0.8 - 0.1 = 0.7.
    expect(impliedVol(surface, 0.25, 2500)).toBeCloseTo(0.7, 14);
    // K = 3600: 0.6 + (0.7 - 0.6) * 600 / 1000 = 0.66.
    expect(Math.abs(impliedVol(surface, 0.25, 3600) - 0.66)).toBeLessThanOrEqual(TOL);
    // On a node: the node's vol.
    expect(impliedVol(surface, 0.25, 3000)).toBe(0.6);
  });

  it("is flat beyond the first and last strikes", () => {
    expect(impliedVol(surface, 0.25, 1000)).toBe(0.8);
    expect(impliedVol(surface, 0.25, 0)).toBe(0.8);
    expect(impliedVol(surface, 0.25, 9000)).toBe(0.7);
    expect(impliedVol(surface, 1, 100)).toBe(0.5);
    expect(impliedVol(surface, 1, 1e6)).toBe(0.55);
  });
});

describe("impliedVol across expiries: linear in total variance at the same strike", () => {
  it("T = 0.5, K = 3000: hand calculation", () => {
    // First expiry at K = 3000: sigma1 = 0.6, w1 = 0.6^2 * 0.25 = 0.09.
    // Second expiry at K = 3000: sigma2 = 0.5 + 0.05 * (3000 - 2500) / 1000 = 0.525, w2 = 0.525^2 * 1 = 0.275625.
    // w(0.5) = 0.09 + (0.275625 - 0.09) * (0.5 - 0.25) / (1 - 0.25) = 0.09 + 0.061875 = 0.151875.
    // sigma = sqrt(0.151875 / 0.5) = sqrt(0.30375).
    expect(Math.abs(impliedVol(surface, 0.5, 3000) - Math.sqrt(0.30375))).toBeLessThanOrEqual(TOL);
    // Not the same as linear interpolation in vol (0.6 + (0.525 - 0.6) / 3 = 0.575).
    expect(Math.abs(impliedVol(surface, 0.5, 3000) - 0.575)).toBeGreaterThan(0.02);
  });

  it("T = 0.75, K = 2000: hand calculation with flat strike extrapolation on the second expiry", () => {
    // sigma1(2000) = 0.8, w1 = 0.64 * 0.25 = 0.16; sigma2(2000) = 0.5 (flat), w2 = 0.25.
    // w(0.75) = 0.16 + (0.25 - 0.16) * (0.75 - 0.25) / 0.75 = 0.16 + 0.06 = 0.22; sigma = sqrt(0.22 / 0.75).
    expect(Math.abs(impliedVol(surface, 0.75, 2000) - Math.sqrt(0.22 / 0.75))).toBeLessThanOrEqual(TOL);
  });

  it("total variance sigma^2 T is linear in T between the expiries", () => {
    const w = (t: number): number => impliedVol(surface, t, 3200) ** 2 * t;
    const w1 = w(0.25);
    const w2 = w(1);
    for (const t of [0.3, 0.41, 0.6, 0.99]) {
      expect(Math.abs(w(t) - (w1 + ((w2 - w1) * (t - 0.25)) / 0.75))).toBeLessThanOrEqual(TOL);
    }
  });

  it("returns each expiry's own vol on its expiry", () => {
    expect(Math.abs(impliedVol(surface, 0.25, 3200) - 0.62)).toBeLessThanOrEqual(TOL);
    expect(Math.abs(impliedVol(surface, 1, 3200) - 0.535)).toBeLessThanOrEqual(TOL);
  });

  it("is flat in vol before the first and after the last expiry", () => {
    expect(impliedVol(surface, 0.1, 2500)).toBeCloseTo(0.7, 14);
    expect(impliedVol(surface, 0, 2500)).toBeCloseTo(0.7, 14);
    expect(impliedVol(surface, -1, 2500)).toBeCloseTo(0.7, 14);
    expect(impliedVol(surface, 3, 3000)).toBeCloseTo(0.525, 14);
  });
});

describe("a single-point surface", () => {
  it("gives its one vol everywhere", () => {
    const one = createVolSurface([{ years: 0.5, strikesUsd: [3000], vols: [0.6] }]);
    for (const t of [0, 0.01, 0.5, 5]) {
      for (const k of [0, 100, 3000, 1e5]) expect(impliedVol(one, t, k)).toBe(0.6);
    }
  });
});

describe("createVolSurface", () => {
  it("copies its input, so later edits of the caller's arrays do not move the surface", () => {
    const strikes = [100, 200];
    const vols = [0.5, 0.7];
    const s = createVolSurface([{ years: 1, strikesUsd: strikes, vols }]);
    vols[0] = 9;
    strikes[1] = 1000;
    expect(impliedVol(s, 1, 150)).toBeCloseTo(0.6, 14);
    expect(Object.isFrozen(s.expiries[0]!.vols)).toBe(true);
  });

  it("rejects bad surfaces at the field's document path, printing the bad value", () => {
    const p = "$.volSurfaces[2]";
    expectInvalid(() => createVolSurface([], p), `${p}.expiries`, "at least one expiry");
    expectInvalid(
      () => createVolSurface([{ years: 0, expiryIso: "2024-01-01", strikesUsd: [1], vols: [0.5] }], p),
      `${p}.expiries[0].expiry`,
      "got 0 years (2024-01-01)",
    );
    expectInvalid(
      () =>
        createVolSurface(
          [
            { years: 1, strikesUsd: [1], vols: [0.5] },
            { years: 0.5, strikesUsd: [1], vols: [0.5] },
          ],
          p,
        ),
      `${p}.expiries[1].expiry`,
      "strictly ascending, got 0.5 years after 1 years",
    );
    expectInvalid(
      () => createVolSurface([{ years: 1, strikesUsd: [100, 100], vols: [0.5, 0.6] }], p),
      `${p}.expiries[0].strikes[1]`,
      "got 100 after 100",
    );
    expectInvalid(
      () => createVolSurface([{ years: 1, strikesUsd: [Number.NaN], vols: [0.5] }], p),
      `${p}.expiries[0].strikes[0]`,
      "got NaN",
    );
    expectInvalid(
      () => createVolSurface([{ years: 1, strikesUsd: [100, 200], vols: [0.5] }], p),
      `${p}.expiries[0].vols`,
      "2 strikes, got 1 vols",
    );
    expectInvalid(
      () => createVolSurface([{ years: 1, strikesUsd: [100, 200], vols: [0.5, -0.1] }], p),
      `${p}.expiries[0].vols[1]`,
      "got -0.1",
    );
    expectInvalid(
      () => createVolSurface([{ years: 1, strikesUsd: [100], vols: [0] }], p),
      `${p}.expiries[0].vols[0]`,
      "got 0",
    );
  });
});

describe("impliedVol validation", () => {
  it("checks a surface that did not come from createVolSurface", () => {
    const raw = { expiries: [{ years: 1, strikesUsd: [200, 100], vols: [0.5, 0.5] }] };
    expectInvalid(() => impliedVol(raw, 1, 150), "$.expiries[0].strikes[1]", "got 100 after 200");
    const ok = { expiries: [{ years: 1, strikesUsd: [100, 200], vols: [0.5, 0.7] }] };
    expect(impliedVol(ok, 1, 150)).toBeCloseTo(0.6, 14);
  });

  it("rejects a NaN time and a negative or infinite strike", () => {
    expectInvalid(() => impliedVol(surface, Number.NaN, 100), "$.years", "got NaN");
    expectInvalid(() => impliedVol(surface, 1, -5), "$.strikeUsd", "got -5");
    expectInvalid(() => impliedVol(surface, 1, Number.POSITIVE_INFINITY), "$.strikeUsd", "got Infinity");
  });
});
