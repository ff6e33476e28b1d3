import { describe, expect, it } from "vitest";
import { type Black76Input, black76, black76PriceUnchecked } from "../../../src/pricing/black76.js";
import { expectInvalid } from "../../support/errors.js";

/**
 * Hull, "Options, Futures, and Other Derivatives", Black-Scholes example: S = 42, K = 40, r = 10%, sigma = 20%,
 * T = 0.5 gives c = 4.76 and p = 0.81. Black-Scholes on spot equals Black-76 with F = S e^{rT} and DF = e^{-rT}.
 */
const HULL = { spot: 42, strike: 40, rate: 0.1, vol: 0.2, years: 0.5 } as const;
const hullInput = (isCall: boolean): Black76Input => ({
  forwardUsd: HULL.spot * Math.exp(HULL.rate * HULL.years),
  strikeUsd: HULL.strike,
  years: HULL.years,
  volAnnual: HULL.vol,
  discountFactor: Math.exp(-HULL.rate * HULL.years),
  isCall,
});
/**
 * High-precision Hull prices. Cross-checked with mpmath at 40 digits (4.75942239287153322, 0.80859937290009358) and,
 * in this file, by integrating the payoff against the lognormal density.
 */
const HULL_CALL = 4.759422392871532;
const HULL_PUT = 0.808599372900101;

/** Rounding of the textbook's two-decimal prices. */
const TEXTBOOK_TOL = 0.005;
/** Price accuracy asked of the pricer. */
const PRICE_TOL = 1e-6;
/** Accuracy of the Simpson quadrature below (20000 panels on a smooth integrand). */
const QUADRATURE_TOL = 1e-10;
/** Put-call parity holds to rounding. */
const PARITY_TOL = 1e-12;

/**
 * DF E[payoff] under F_T = F exp(sigma sqrt(T) z - sigma^2 T / 2), z ~ N(0,1), by composite Simpson in z over the
 * in-the-money side of the kink z* (where the payoff is smooth), truncated at |z| = 12 (density ~ 1e-32 there).
 * Uses Math.exp only: independent of the normal cdf under test.
 */
function quadraturePrice(input: Black76Input): number {
  const { forwardUsd: f, strikeUsd: k, years, volAnnual: vol, discountFactor: df, isCall } = input;
  const sd = vol * Math.sqrt(years);
  const kink = (Math.log(k / f) + 0.5 * sd * sd) / sd;
  const [a, b] = isCall ? [kink, 12] : [-12, kink];
  const integrand = (z: number): number => {
    const fT = f * Math.exp(sd * z - 0.5 * sd * sd);
    const payoff = isCall ? fT - k : k - fT;
    return (payoff * Math.exp(-0.5 * z * z)) / Math.sqrt(2 * Math.PI);
  };
  const n = 20_000;
  const h = (b - a) / n;
  let sum = integrand(a) + integrand(b);
  for (let i = 1; i < n; i++) sum += (i % 2 === 1 ? 4 : 2) * integrand(a + i * h);
  return (df * sum * h) / 3;
}

describe("black76: Hull's example", () => {
  it("reproduces the textbook's c = 4.76 and p = 0.81", () => {
    expect(Math.abs(black76(hullInput(true)).priceUsd - 4.76)).toBeLessThanOrEqual(TEXTBOOK_TOL);
    expect(Math.abs(black76(hullInput(false)).priceUsd - 0.81)).toBeLessThanOrEqual(TEXTBOOK_TOL);
  });

  it("the high-precision references agree with a quadrature of the payoff against the lognormal density", () => {
    expect(Math.abs(quadraturePrice(hullInput(true)) - HULL_CALL)).toBeLessThanOrEqual(QUADRATURE_TOL);
    expect(Math.abs(quadraturePrice(hullInput(false)) - HULL_PUT)).toBeLessThanOrEqual(QUADRATURE_TOL);
  });

  it("prices to 1e-6 of the high-precision references", () => {
    expect(Math.abs(black76(hullInput(true)).priceUsd - HULL_CALL)).toBeLessThanOrEqual(PRICE_TOL);
    expect(Math.abs(black76(hullInput(false)).priceUsd - HULL_PUT)).toBeLessThanOrEqual(PRICE_TOL);
  });

  it("agrees with the quadrature away from the money and for other tenors", () => {
    for (const k of [20, 35, 40, 48, 70]) {
      for (const years of [0.02, 0.5, 3]) {
        for (const isCall of [true, false]) {
          const input: Black76Input = {
            forwardUsd: 44,
            strikeUsd: k,
            years,
            volAnnual: 0.45,
            discountFactor: 0.97,
            isCall,
          };
          const where = `K=${k} T=${years} ${isCall ? "call" : "put"}`;
          expect(Math.abs(black76(input).priceUsd - quadraturePrice(input)), where).toBeLessThanOrEqual(1e-9);
        }
      }
    }
  });
});

describe("black76: put-call parity C - P = DF (F - K)", () => {
  it("holds to 1e-12 across moneyness, vol and tenor", () => {
    for (const f of [50, 100, 180]) {
      for (const k of [0, 60, 100, 150]) {
        for (const vol of [0, 0.05, 0.8, 2.5]) {
          for (const years of [-1, 0, 1 / 365, 0.25, 4]) {
            const df = years > 0 ? Math.exp(-0.04 * years) : 1;
            const base = { forwardUsd: f, strikeUsd: k, years, volAnnual: vol, discountFactor: df };
            const call = black76({ ...base, isCall: true });
            const put = black76({ ...base, isCall: false });
            const where = `F=${f} K=${k} vol=${vol} T=${years}`;
            // Absolute tolerance scaled by the size of the prices (1e-12 relative to F).
            expect(Math.abs(call.priceUsd - put.priceUsd - df * (f - k)), where).toBeLessThanOrEqual(PARITY_TOL * f);
            // Parity differentiated: delta_C - delta_P = DF (away from expiry kinks), gammas and vegas equal.
            expect(Math.abs(call.delta - put.delta - df), where).toBeLessThanOrEqual(1e-14);
            expect(Math.abs(call.gamma - put.gamma), where).toBeLessThanOrEqual(1e-14);
            expect(Math.abs(call.vega - put.vega), where).toBeLessThanOrEqual(1e-12);
          }
        }
      }
    }
  });
});

describe("black76: greeks against central finite differences", () => {
  const cases: Black76Input[] = [
    {
      forwardUsd: 3000,
      strikeUsd: 3200,
      years: 0.25,
      volAnnual: 0.65,
      discountFactor: Math.exp(-0.05 * 0.25),
      isCall: true,
    },
    {
      forwardUsd: 3000,
      strikeUsd: 2500,
      years: 0.25,
      volAnnual: 0.65,
      discountFactor: Math.exp(-0.05 * 0.25),
      isCall: false,
    },
    {
      forwardUsd: 62000,
      strikeUsd: 60000,
      years: 7 / 365,
      volAnnual: 0.5,
      discountFactor: Math.exp((-0.03 * 7) / 365),
      isCall: true,
    },
    { forwardUsd: 1.02, strikeUsd: 1, years: 2, volAnnual: 0.1, discountFactor: Math.exp(0.01 * 2), isCall: false },
    hullInput(true),
    hullInput(false),
  ];
  const price = (c: Black76Input, patch: Partial<Black76Input>): number => black76({ ...c, ...patch }).priceUsd;

  it("delta = dV/dF and gamma = d2V/dF2", () => {
    for (const c of cases) {
      const h = 1e-4 * c.forwardUsd;
      const up = price(c, { forwardUsd: c.forwardUsd + h });
      const mid = price(c, {});
      const down = price(c, { forwardUsd: c.forwardUsd - h });
      const g = black76(c);
      /** Central difference, relative step 1e-4: truncation ~ 1e-8 relative to the greek. */
      const DELTA_TOL = 1e-7;
      /** Second difference: rounding ~ eps V / h^2 dominates; 1e-5 relative with a floor. */
      const GAMMA_REL_TOL = 1e-5;
      expect(Math.abs(g.delta - (up - down) / (2 * h))).toBeLessThanOrEqual(DELTA_TOL);
      const gammaFd = (up - 2 * mid + down) / (h * h);
      expect(Math.abs(g.gamma - gammaFd)).toBeLessThanOrEqual(GAMMA_REL_TOL * Math.abs(g.gamma) + 1e-12);
    }
  });

  it("vega = dV/dsigma per 1.00 of vol", () => {
    /** Central difference with h = 1e-5 in vol: truncation h^2 |volga| / 6, rounding eps V / h. */
    const VEGA_REL_TOL = 1e-7;
    for (const c of cases) {
      const h = 1e-5;
      const fd = (price(c, { volAnnual: c.volAnnual + h }) - price(c, { volAnnual: c.volAnnual - h })) / (2 * h);
      const vega = black76(c).vega;
      expect(Math.abs(vega - fd)).toBeLessThanOrEqual(VEGA_REL_TOL * vega + 1e-9);
    }
  });

  it("theta = dV/dt = -dV/dT with F, vol and the rate r = -ln(DF)/T fixed", () => {
    /** Central difference in T with h = 1e-6 years. */
    const THETA_REL_TOL = 1e-6;
    for (const c of cases) {
      const r = -Math.log(c.discountFactor) / c.years;
      const at = (years: number): number => price(c, { years, discountFactor: Math.exp(-r * years) });
      const h = 1e-6;
      const fd = -(at(c.years + h) - at(c.years - h)) / (2 * h);
      const theta = black76(c).theta;
      expect(Math.abs(theta - fd)).toBeLessThanOrEqual(THETA_REL_TOL * Math.abs(theta) + 1e-6);
    }
  });

  it("long options lose value with time when rates are zero", () => {
    const g = black76({ forwardUsd: 100, strikeUsd: 100, years: 1, volAnnual: 0.3, discountFactor: 1, isCall: true });
    // Closed form at the money with r = 0: theta = -F phi(sigma/2) sigma / 2.
    const d1 = 0.15;
    const expected = (-100 * Math.exp(-0.5 * d1 * d1) * 0.3) / (2 * Math.sqrt(2 * Math.PI));
    expect(Math.abs(g.theta - expected)).toBeLessThanOrEqual(1e-12);
  });
});

describe("black76: edges", () => {
  const base = { forwardUsd: 110, strikeUsd: 100, volAnnual: 0.4, discountFactor: 0.9 };

  it("expired (years <= 0): undiscounted intrinsic on the forward, no time value greeks", () => {
    for (const years of [0, -0.5, Number.NEGATIVE_INFINITY]) {
      const call = black76({ ...base, years, isCall: true });
      const put = black76({ ...base, years, isCall: false });
      expect(call).toEqual({ priceUsd: 10, delta: 1, gamma: 0, vega: 0, theta: 0 });
      expect(put).toEqual({ priceUsd: 0, delta: 0, gamma: 0, vega: 0, theta: 0 });
    }
    const otmPut = black76({ ...base, forwardUsd: 93, years: 0, isCall: false });
    expect(otmPut.priceUsd).toBe(7);
    expect(otmPut.delta).toBe(-1);
    const atm = black76({ ...base, forwardUsd: 100, years: 0, isCall: true });
    expect(atm.priceUsd).toBe(0);
    expect(atm.delta).toBe(0.5);
  });

  it("tends to intrinsic on the forward as T -> 0 with DF = e^{-rT}", () => {
    const years = 1e-10;
    const p = black76({ ...base, years, discountFactor: Math.exp(-0.05 * years), isCall: true }).priceUsd;
    expect(Math.abs(p - 10)).toBeLessThanOrEqual(1e-8);
  });

  it("zero vol: discounted intrinsic of the forward, and the small-vol limit agrees", () => {
    const call = black76({ ...base, years: 1, volAnnual: 0, isCall: true });
    const put = black76({ ...base, years: 1, volAnnual: 0, isCall: false });
    expect(call.priceUsd).toBeCloseTo(0.9 * 10, 14);
    expect(put.priceUsd).toBe(0);
    expect(call.delta).toBe(0.9);
    expect(call.gamma).toBe(0);
    expect(call.vega).toBe(0);
    // Deterministic value discounted at r = -ln 0.9: theta = r V.
    expect(Math.abs(call.theta - -Math.log(0.9) * 9)).toBeLessThanOrEqual(1e-14);
    const tiny = black76({ ...base, years: 1, volAnnual: 1e-9, isCall: true });
    expect(Math.abs(tiny.priceUsd - call.priceUsd)).toBeLessThanOrEqual(1e-12);
    // At the money the vega limit DF F sqrt(T) phi(0) is kept.
    const atm = black76({ ...base, forwardUsd: 100, years: 4, volAnnual: 0, isCall: true });
    expect(Math.abs(atm.vega - (0.9 * 100 * 2) / Math.sqrt(2 * Math.PI))).toBeLessThanOrEqual(1e-12);
  });

  it("strike 0: a call is the discounted forward, a put is worthless", () => {
    const call = black76({ ...base, strikeUsd: 0, years: 1, isCall: true });
    const put = black76({ ...base, strikeUsd: 0, years: 1, isCall: false });
    expect(call.priceUsd).toBeCloseTo(0.9 * 110, 12);
    expect(call.delta).toBe(0.9);
    expect(put.priceUsd).toBe(0);
    expect(put.delta).toBe(0);
  });

  it("forward 0: a put is the discounted strike, a call is worthless", () => {
    expect(black76({ ...base, forwardUsd: 0, years: 1, isCall: false }).priceUsd).toBeCloseTo(90, 12);
    expect(black76({ ...base, forwardUsd: 0, years: 1, isCall: true }).priceUsd).toBe(0);
  });

  it("the unchecked price equals the checked one", () => {
    const input = hullInput(false);
    expect(
      black76PriceUnchecked(
        input.forwardUsd,
        input.strikeUsd,
        input.years,
        input.volAnnual,
        input.discountFactor,
        input.isCall,
      ),
    ).toBe(black76(input).priceUsd);
  });
});

describe("black76: validation", () => {
  const good: Black76Input = hullInput(true);
  const bad: Array<[Partial<Black76Input>, string, string]> = [
    [{ forwardUsd: Number.NaN }, "$.forwardUsd", "NaN"],
    [{ forwardUsd: -1 }, "$.forwardUsd", "-1"],
    [{ strikeUsd: -40 }, "$.strikeUsd", "-40"],
    [{ strikeUsd: Number.POSITIVE_INFINITY }, "$.strikeUsd", "Infinity"],
    [{ years: Number.NaN }, "$.years", "NaN"],
    [{ years: Number.POSITIVE_INFINITY }, "$.years", "Infinity"],
    [{ volAnnual: -0.2 }, "$.volAnnual", "-0.2"],
    [{ volAnnual: Number.NaN }, "$.volAnnual", "NaN"],
    [{ discountFactor: 0 }, "$.discountFactor", "0"],
    [{ discountFactor: Number.NaN }, "$.discountFactor", "NaN"],
  ];
  for (const [patch, path, shown] of bad) {
    it(`rejects ${JSON.stringify(patch)} (${shown}) at ${path}`, () => {
      expectInvalid(() => black76({ ...good, ...patch }), path, `got ${shown}`);
    });
  }
});
