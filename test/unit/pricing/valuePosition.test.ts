import { describe, expect, it } from "vitest";
import { normalCdf, normalPdf } from "../../../src/core/normal.js";
import type { PricedPosition, UnderlyingState } from "../../../src/pricing/types.js";
import { ONE_DAY_YEARS, positionGreeks, valuePosition } from "../../../src/pricing/valuePosition.js";
import { expectInvalid } from "../../support/errors.js";
import { pos } from "../../support/pricedPosition.js";

const ETH: UnderlyingState = { spotUsd: 3000, carryRateAnnual: 0.08, riskFreeRateAnnual: 0.05 };
/** Hull's example (S = 42, K = 40, r = 10%, sigma = 20%, T = 0.5) as a spot market whose carry is r. */
const HULL_MARKET: UnderlyingState = { spotUsd: 42, carryRateAnnual: 0.1, riskFreeRateAnnual: 0.1 };
const HULL_CALL = 4.759422392871532;
const HULL_PUT = 0.808599372900101;

/** Values that are a few float operations from the hand calculation. */
const HAND_TOL = 1e-9;

describe("valuePosition: hand calculations", () => {
  it("spot: size * spot * priceRatio", () => {
    // 2.5 stETH at a 0.998 ratio to ETH at 3000: 2.5 * 3000 * 0.998 = 7485.
    expect(Math.abs(valuePosition(pos({ kind: "spot", size: 2.5, priceRatio: 0.998 }), ETH, 0) - 7485)).toBeLessThan(
      HAND_TOL,
    );
  });

  it("perp: size * (spot - entry) + accrued funding", () => {
    // Short 3 from 3100, spot 3000, +12.5 funding received: -3 * (3000 - 3100) + 12.5 = 312.5.
    const p = pos({ kind: "perp", size: -3, entryPriceUsd: 3100, fundingAccruedUsd: 12.5 });
    expect(valuePosition(p, ETH, 0)).toBe(312.5);
  });

  it("future: size * (spot e^{carry T} - entry), undiscounted; expired marks at spot", () => {
    // Long 2 from 3000, T = 0.5, carry 8%: F = 3000 e^{0.04}; 2 (F - 3000) = 6000 (e^{0.04} - 1)
    // = 6000 * 0.0408107742 = 244.86465...
    const p = pos({ kind: "future", size: 2, entryPriceUsd: 3000, expiryYears: 0.5 });
    expect(Math.abs(valuePosition(p, ETH, 0) - 6000 * (Math.exp(0.04) - 1))).toBeLessThan(HAND_TOL);
    expect(Math.abs(valuePosition(p, ETH, 0) - 244.86465)).toBeLessThan(1e-5);
    expect(valuePosition({ ...p, entryPriceUsd: 2900, expiryYears: -0.1 }, ETH, 0)).toBe(200);
  });

  it("option: size * Black-76 with F = S e^{cT}, DF = e^{-rT} (Hull's example through spot)", () => {
    const call = pos({ kind: "option", size: 3, strikeUsd: 40, expiryYears: 0.5, isCall: true });
    const put = pos({ kind: "option", size: -2, strikeUsd: 40, expiryYears: 0.5, isCall: false });
    expect(Math.abs(valuePosition(call, HULL_MARKET, 0.2) - 3 * HULL_CALL)).toBeLessThan(1e-6);
    expect(Math.abs(valuePosition(put, HULL_MARKET, 0.2) - -2 * HULL_PUT)).toBeLessThan(1e-6);
  });

  it("option with carry != rate obeys parity C - P = e^{-rT} (S e^{cT} - K)", () => {
    const base = { kind: "option" as const, size: 1, strikeUsd: 3300, expiryYears: 0.75 };
    const c = valuePosition(pos({ ...base, isCall: true }), ETH, 0.7);
    const p = valuePosition(pos({ ...base, isCall: false }), ETH, 0.7);
    const parity = Math.exp(-0.05 * 0.75) * (3000 * Math.exp(0.08 * 0.75) - 3300);
    expect(Math.abs(c - p - parity)).toBeLessThan(1e-10);
  });

  it("expired option: intrinsic value on spot, whatever the vol", () => {
    const call = pos({ kind: "option", size: 4, strikeUsd: 2800, expiryYears: 0, isCall: true });
    expect(valuePosition(call, ETH, 0.9)).toBe(800);
    expect(valuePosition({ ...call, expiryYears: -0.01, isCall: false }, ETH, 0.9)).toBe(0);
    expect(valuePosition({ ...call, strikeUsd: 3100, isCall: false }, ETH, 0)).toBe(400);
  });
});

describe("positionGreeks", () => {
  const market: UnderlyingState = { spotUsd: 2500, carryRateAnnual: 0.03, riskFreeRateAnnual: 0.045 };
  const positions: PricedPosition[] = [
    pos({ kind: "spot", size: 3, priceRatio: 1.01 }),
    pos({ kind: "perp", size: -2, entryPriceUsd: 2600, fundingAccruedUsd: 4 }),
    pos({ kind: "future", size: 1.5, entryPriceUsd: 2450, expiryYears: 0.3 }),
    pos({ kind: "option", size: 2, strikeUsd: 2700, expiryYears: 0.2, isCall: true }),
    pos({ kind: "option", size: -5, strikeUsd: 2300, expiryYears: 0.6, isCall: false }),
    pos({ kind: "option", size: 1, strikeUsd: 2500, expiryYears: 3 / 365, isCall: true }),
  ];
  const vol = 0.7;
  const valueAtSpot = (p: PricedPosition, spotUsd: number): number => valuePosition(p, { ...market, spotUsd }, vol);

  it("delta and gamma with respect to spot match central finite differences", () => {
    const h = 0.01; // USD, relative 4e-6
    /** Central difference: truncation h^2 |V'''| / 6 and rounding eps |V| / h, both far below 1e-6. */
    const DELTA_TOL = 1e-6;
    /** Second difference: rounding eps |V| / h^2 ~ 1e-8 per unit of value. */
    const GAMMA_TOL = 1e-6;
    for (const p of positions) {
      const g = positionGreeks(p, market, vol);
      const up = valueAtSpot(p, 2500 + h);
      const mid = valueAtSpot(p, 2500);
      const down = valueAtSpot(p, 2500 - h);
      expect(Math.abs(g.delta - (up - down) / (2 * h)), p.kind).toBeLessThan(DELTA_TOL);
      expect(Math.abs(g.gamma - (up - 2 * mid + down) / (h * h)), p.kind).toBeLessThan(GAMMA_TOL);
    }
  });

  it("vega per vol point matches a central difference scaled by 0.01", () => {
    /** Central difference in vol with h = 1e-5. */
    const VEGA_TOL = 1e-6;
    for (const p of positions) {
      const h = 1e-5;
      const fd = ((valuePosition(p, market, vol + h) - valuePosition(p, market, vol - h)) / (2 * h)) * 0.01;
      expect(Math.abs(positionGreeks(p, market, vol).vegaUsdPerVolPoint - fd), p.kind).toBeLessThan(VEGA_TOL);
    }
  });

  it("linear kinds: hand values", () => {
    expect(positionGreeks(positions[0]!, market, vol)).toEqual({
      delta: 3 * 1.01,
      gamma: 0,
      vegaUsdPerVolPoint: 0,
      thetaUsdPerDay: 0,
    });
    expect(positionGreeks(positions[1]!, market, vol)).toEqual({
      delta: -2,
      gamma: 0,
      vegaUsdPerVolPoint: 0,
      thetaUsdPerDay: 0,
    });
    // Future: delta = size e^{cT}; theta = size S (e^{c (T - 1/365)} - e^{cT}) (the forward rolls down to spot).
    const fut = positionGreeks(positions[2]!, market, vol);
    expect(Math.abs(fut.delta - 1.5 * Math.exp(0.03 * 0.3))).toBeLessThan(1e-12);
    const rollDown = 1.5 * 2500 * (Math.exp(0.03 * (0.3 - 1 / 365)) - Math.exp(0.03 * 0.3));
    expect(Math.abs(fut.thetaUsdPerDay - rollDown)).toBeLessThan(1e-9);
  });

  it("option greeks equal Black-Scholes closed forms when carry = rate (Hull's example)", () => {
    const p = pos({ kind: "option", size: 1, strikeUsd: 40, expiryYears: 0.5, isCall: true });
    const g = positionGreeks(p, HULL_MARKET, 0.2);
    const sqrtT = Math.sqrt(0.5);
    const d1 = (Math.log(42 / 40) + (0.1 + 0.02) * 0.5) / (0.2 * sqrtT);
    const d2 = d1 - 0.2 * sqrtT;
    // Hull: d1 = 0.7693, N(d1) = 0.7791.
    expect(Math.abs(d1 - 0.7693)).toBeLessThan(5e-5);
    expect(Math.abs(g.delta - 0.7791)).toBeLessThan(5e-5);
    expect(Math.abs(g.delta - normalCdf(d1))).toBeLessThan(1e-12);
    expect(Math.abs(g.gamma - normalPdf(d1) / (42 * 0.2 * sqrtT))).toBeLessThan(1e-12);
    expect(Math.abs(g.vegaUsdPerVolPoint - 0.01 * 42 * normalPdf(d1) * sqrtT)).toBeLessThan(1e-12);
    // Calendar theta per year (BS): -S phi(d1) sigma / (2 sqrt T) - r K e^{-rT} N(d2). One day of repricing differs
    // from theta / 365 by about theta' / (2 * 365^2), a few 1e-6 USD here.
    const thetaYear = (-42 * normalPdf(d1) * 0.2) / (2 * sqrtT) - 0.1 * 40 * Math.exp(-0.05) * normalCdf(d2);
    /** Second-order term of a one-day step. */
    const ONE_DAY_TOL = 2e-5;
    expect(Math.abs(g.thetaUsdPerDay - thetaYear * ONE_DAY_YEARS)).toBeLessThan(ONE_DAY_TOL);
    expect(g.thetaUsdPerDay).toBeLessThan(0);
  });

  it("theta of an option expiring within the day drops it to intrinsic on spot", () => {
    const p = pos({ kind: "option", size: 1, strikeUsd: 2500, expiryYears: 0.5 / 365, isCall: true });
    const value = valuePosition(p, market, 0.7);
    // At the money: intrinsic 0, so the whole time value goes.
    expect(Math.abs(positionGreeks(p, market, 0.7).thetaUsdPerDay - -value)).toBeLessThan(1e-12);
  });

  it("expired option: payoff slope on spot, no other greeks", () => {
    const itm = pos({ kind: "option", size: -2, strikeUsd: 2800, expiryYears: 0, isCall: false });
    expect(positionGreeks(itm, market, 0.7)).toEqual({ delta: 2, gamma: 0, vegaUsdPerVolPoint: 0, thetaUsdPerDay: 0 });
    const atm = pos({ kind: "option", size: 1, strikeUsd: 2500, expiryYears: -1, isCall: true });
    expect(positionGreeks(atm, market, 0.7).delta).toBe(0.5);
  });
});

describe("valuePosition: validation", () => {
  const path = "$.positions[3]";
  it("names the bad field and prints the bad value", () => {
    expectInvalid(
      () => valuePosition(pos({ kind: "spot", size: Number.NaN }), ETH, 0, path),
      `${path}.size`,
      "got NaN",
    );
    expectInvalid(
      () => valuePosition(pos({ kind: "spot", size: 1 }), { ...ETH, spotUsd: -1 }, 0, path),
      `${path}.market.spotUsd`,
      "got -1",
    );
    expectInvalid(
      () => valuePosition(pos({ kind: "perp", size: 1, entryPriceUsd: Number.POSITIVE_INFINITY }), ETH, 0, path),
      `${path}.entryPriceUsd`,
      "got Infinity",
    );
    expectInvalid(
      () => valuePosition(pos({ kind: "option", size: 1, strikeUsd: 100, expiryYears: 1 }), ETH, Number.NaN, path),
      `${path}.volAnnual`,
      "got NaN",
    );
    expectInvalid(
      () => valuePosition(pos({ kind: "option", size: 1, strikeUsd: -100, expiryYears: 1 }), ETH, 0.5, path),
      `${path}.strikeUsd`,
      "got -100",
    );
    expectInvalid(() => valuePosition(pos({ kind: "swap" as never }), ETH, 0, path), `${path}.kind`, "got swap");
    expectInvalid(
      () => positionGreeks(pos({ kind: "future", size: 1, expiryYears: Number.NaN }), ETH, 0),
      "$.expiryYears",
      "got NaN",
    );
  });

  it("does not check fields a kind does not use", () => {
    // A perp with a NaN strike and no vol is fine.
    expect(
      valuePosition(pos({ kind: "perp", size: 1, strikeUsd: Number.NaN, entryPriceUsd: 2900 }), ETH, Number.NaN),
    ).toBe(100);
  });
});
