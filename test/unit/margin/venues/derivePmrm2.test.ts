/** PMRM_2 maths by hand (../shared/design/venues/derive-pmrm2.md): small accounts whose margins are worked out here. */
import { describe, expect, it } from "vitest";
import { arrangeSubAccount } from "../../../../src/margin/venues/derivePmrm2/arrangeSubAccount.js";
import { computePmrm2 } from "../../../../src/margin/venues/derivePmrm2/computePmrm2.js";
import { nakedShorts } from "../../../../src/margin/venues/derivePmrm2/contingencies.js";
import { pmrm2GoldenDefaults } from "../../../../src/margin/venues/derivePmrm2/defaults.js";
import { type Pmrm2Params, pmrm2ParamsSchema } from "../../../../src/margin/venues/derivePmrm2/params.js";
import { staticDiscounts } from "../../../../src/margin/venues/derivePmrm2/staticDiscounts.js";
import type { Pmrm2Expiry, Pmrm2SubAccount } from "../../../../src/margin/venues/derivePmrm2/subAccount.js";
import { volShockMultipliers } from "../../../../src/margin/venues/derivePmrm2/volShocks.js";
import { errorOf } from "../../../support/errors.js";

const P = pmrm2GoldenDefaults;

function account(overrides: Partial<Pmrm2SubAccount> = {}): Pmrm2SubAccount {
  return {
    spot: 100,
    spotConfidence: 1,
    perpAmount: 0,
    perpPrice: 100,
    perpConfidence: 1,
    perpUnsettledCash: 0,
    cash: 0,
    stablePrice: 1,
    pegStablePrice: 1,
    expiries: [],
    collaterals: [],
    ...overrides,
  };
}

function expiry(options: Pmrm2Expiry["options"], overrides: Partial<Pmrm2Expiry> = {}): Pmrm2Expiry {
  return {
    secondsToExpiry: 30 * 86_400,
    forwardFixed: 0,
    forwardVariable: 100,
    forwardConfidence: 1,
    rateAnnual: 0,
    rateConfidence: 1,
    volConfidence: 1,
    options,
    ...overrides,
  };
}

describe("PMRM_2 assembly by hand", () => {
  it("one long perp: worst loss is the -18% move; MM = 0.8 (-18) - 1.5% N, IM = -18 - 2% N", () => {
    // q = 1, P = S = 100: the -18% scenario loses 18; tails lose at most 0.66 x 100 x 0.0545 = 3.6; B = 0.
    const r = computePmrm2(account({ perpAmount: 1 }), P);
    expect(r.minSpan).toBeCloseTo(-18, 12);
    expect(r.maintenanceMargin).toBeCloseTo(-14.4 - 1.5, 12);
    expect(r.initialMargin).toBeCloseTo(-18 - 0.5 - 1.5, 12);
    expect(P.scenarios[r.worstIndex]!.spotMult).toBeCloseTo(0.82, 12);
  });

  it("cash and a stable coin: no scenario risk, only haircuts; a depeg adds f_peg (th - p) to the IM factor", () => {
    const usdt = {
      label: "USDT",
      amount: 1000,
      priceUsd: 1,
      confidence: 1,
      isRiskCancelling: false,
      mmHaircut: 0.02,
      imHaircut: 0.03,
    };
    const r = computePmrm2(account({ cash: 500, collaterals: [usdt] }), P);
    expect(r.worstIndex).toBe(P.scenarios.length); // all P&L 0: the basis contingency (0) wins the tie
    expect(r.maintenanceMargin).toBeCloseTo(1500 - 20, 12);
    expect(r.initialMargin).toBeCloseTo(1500 - 20 - 30, 12);
    // Stable price 0.97: value 1000 / 0.97; IM factor 1 + 2 x (0.98 - 0.97) = 1.02 (no loss to scale here).
    const depeg = computePmrm2(account({ cash: 500, collaterals: [usdt], stablePrice: 0.97, pegStablePrice: 0.97 }), P);
    expect(depeg.imLossFactor).toBeCloseTo(1.02, 14);
    expect(depeg.collateralMtm).toBeCloseTo(1000 / 0.97, 10);
  });

  it("the peg-loss factor scales the worst loss in IM only", () => {
    const r = computePmrm2(account({ perpAmount: 1, stablePrice: 0.97, pegStablePrice: 0.97 }), P);
    expect(r.initialMargin).toBeCloseTo(1.02 * -18 - 0.5 - 1.5, 12);
    expect(r.maintenanceMargin).toBeCloseTo(0.8 * -18 - 1.5, 12);
  });

  it("oracle confidence: below 0.55 IM charges (1 - c) x notional; collateral uses spot confidence, not the perp's", () => {
    const eth = {
      label: "ETH",
      amount: 10,
      priceUsd: 100,
      confidence: 1,
      isRiskCancelling: true,
      mmHaircut: 0,
      imHaircut: 0,
    };
    const r = computePmrm2(account({ perpAmount: -10, perpConfidence: 0.5, collaterals: [eth] }), P);
    expect(r.oracleCont.perp).toBeCloseTo(0.5 * 1000, 10);
    expect(r.oracleCont.collateral).toBe(0);
    const lowSpot = computePmrm2(account({ perpAmount: -10, spotConfidence: 0.4, collaterals: [eth] }), P);
    expect(lowSpot.oracleCont.collateral).toBeCloseTo(0.6 * 1000, 10);
    // Uncertainty never lowers margin.
    expect(lowSpot.initialMargin).toBeLessThan(
      computePmrm2(account({ perpAmount: -10, collaterals: [eth] }), P).initialMargin,
    );
  });

  it("an expired option is worth its intrinsic value against the fixed forward and ignores spot moves", () => {
    const opts = [{ strike: 90, isCall: true, amount: 1, volAnnual: 0.5 }];
    const e = expiry(opts, { secondsToExpiry: 0, forwardFixed: 100, forwardVariable: 0 });
    const r = computePmrm2(account({ expiries: [e] }), { ...P, volShock: { ...P.volShock, dteFloorDays: 1 } });
    expect(r.optionMtm).toBe(10);
    // No spot sensitivity: every regular and tail P&L is the static discount alone, 10 x (0.95 - 1), dampened.
    for (let k = 0; k < 29; k++) expect(r.scenarioPnl[k]).toBeCloseTo(-0.5 * P.scenarios[k]!.dampening, 12);
  });
});

describe("PMRM_2 building blocks", () => {
  it("naked shorts per strike: a long put covers a short call at the same strike, never across strikes", () => {
    const count = (options: Pmrm2Expiry["options"]) =>
      nakedShorts(arrangeSubAccount(account({ expiries: [expiry(options)] }), P), 0);
    const o = (strike: number, isCall: boolean, amount: number) => ({ strike, isCall, amount, volAnnual: 0.5 });
    expect(count([o(100, true, -2)])).toBe(2);
    expect(count([o(100, true, -2), o(100, false, 1.5)])).toBe(0.5);
    expect(count([o(100, true, -2), o(100, false, 3)])).toBe(0);
    expect(count([o(100, true, -2), o(100, false, -1)])).toBe(3);
    expect(count([o(100, true, 2), o(100, false, 1)])).toBe(0);
    expect(count([o(100, true, -2), o(110, false, 5)])).toBe(2);
  });

  it("vol shocks: g = (30 d / max(s, floor))^p with the short power up to 30 days", () => {
    const sevenDays = volShockMultipliers(7 * 86_400, P.volShock);
    const g = (30 / 7) ** 0.3;
    expect(sevenDays.up).toBeCloseTo(1 + 0.5 * g, 14);
    expect(sevenDays.down).toBeCloseTo(1 - 0.275 * g, 14);
    const year = volShockMultipliers(365 * 86_400, P.volShock);
    expect(year.up).toBeCloseTo(1 + 0.5 * (30 / 365) ** 0.13, 14);
    // The floor: an hour is shocked like a day. A big down range floors the multiplier at 0.
    expect(volShockMultipliers(3600, P.volShock).up).toBeCloseTo(1 + 0.5 * 30 ** 0.3, 14);
    expect(volShockMultipliers(3600, { ...P.volShock, volRangeDown: 10 }).down).toBe(0);
  });

  it("static discounts: at expiry delta+ = bL and delta- = min(1, bS); before, the mark-up stops at 1 / D", () => {
    expect(staticDiscounts(0, 0.1, 1, P.margin)).toEqual({ positive: 0.95, negative: 1 });
    const years = 0.5;
    const d = staticDiscounts(years, 0.1, Math.exp(-0.05), P.margin);
    expect(d.positive).toBeCloseTo(0.95 * Math.exp(-0.5 * (0.1 + 0.08)), 14);
    expect(d.negative).toBeCloseTo(Math.min(Math.exp(0.05), 1.04 * Math.exp(0.5 * (0.05 + 0.08))), 14);
  });
});

describe("PMRM_2 errors where Derive's contract reverts", () => {
  const opt = [{ strike: 100, isCall: true, amount: 1, volAnnual: 0.5 }];
  const noFloor: Pmrm2Params = { ...P, volShock: { ...P.volShock, dteFloorDays: 0 } };

  it("an expired expiry with a zero DTE floor", () => {
    const e = errorOf(() => computePmrm2(account({ expiries: [expiry(opt, { secondsToExpiry: 0 })] }), noFloor));
    expect(e.code).toBe("CALCULATION_FAILED");
    expect(e.path).toBe("$.expiries[0].secondsToExpiry");
  });

  it("k* = 0 in a skew scenario, and a strike of 0 there", () => {
    const zeroK: Pmrm2Params = { ...P, skewShock: { ...P.skewShock, minKStar: 0, widthScale: 0 } };
    expect(errorOf(() => computePmrm2(account({ expiries: [expiry(opt)] }), zeroK)).message).toContain("k*");
    const zeroStrike = [{ strike: 0, isCall: true, amount: 1, volAnnual: 0.5 }];
    const zero = errorOf(() => computePmrm2(account({ expiries: [expiry(zeroStrike)] }), P));
    expect(zero.message).toContain("strike");
    expect(zero.path).toBe("$.expiries[0].options[0]");
  });

  it("a discount factor that rounds to 0 on chain", () => {
    const e = expiry(opt, { secondsToExpiry: 365 * 86_400, rateAnnual: 50 });
    expect(errorOf(() => computePmrm2(account({ expiries: [e] }), P)).code).toBe("CALCULATION_FAILED");
  });

  it("duplicate holdings and too many expiries are invalid input", () => {
    expect(errorOf(() => computePmrm2(account({ expiries: [expiry([...opt, ...opt])] }), P)).path).toBe(
      "$.expiries[0].options[1]",
    );
    const many = Array.from({ length: 12 }, (_, i) => expiry(opt, { secondsToExpiry: (i + 1) * 86_400 }));
    expect(errorOf(() => computePmrm2(account({ expiries: many }), P)).path).toBe("$.expiries");
  });

  it("the scenario list rule: at most one Linear and one Abs, each at spot multiplier 1", () => {
    const bad = { ...P, scenarios: [...P.scenarios, { spotMult: 1.1, volShock: "linear" as const, dampening: 1 }] };
    const result = pmrm2ParamsSchema.safeParse(bad);
    expect(result.success).toBe(false);
    const messages = result.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(messages).toContain('scenarios.31.spotMult: at most one "linear" scenario');
    expect(messages).toContain('scenarios.31.spotMult: a "linear" scenario must have spotMult 1, got 1.1');
  });
});
