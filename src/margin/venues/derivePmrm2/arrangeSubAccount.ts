/**
 * Turns a sub-account into dense arrays once (spec sections 2, 4, 5): per expiry the clamped rate, discount factor,
 * forward portions, vol-shock multipliers, static discounts and confidence; per option its expiry, strike, amount
 * and vol. Scenario loops then touch only these typed arrays.
 */
import { XmarginError } from "../../../core/errors.js";
import { SECONDS_PER_YEAR } from "../../../core/time.js";
import type { Pmrm2Params } from "./params.js";
import { staticDiscounts } from "./staticDiscounts.js";
import type { Pmrm2SubAccount } from "./subAccount.js";
import { volShockMultipliers } from "./volShocks.js";

export interface ArrangedSubAccount {
  expiryCount: number;
  optionCount: number;
  /** Per expiry: options [optionStart[e], optionStart[e + 1]). */
  optionStart: Int32Array;
  seconds: Float64Array;
  years: Float64Array;
  /** Rate after the clamp at 0. */
  rate: Float64Array;
  discount: Float64Array;
  forwardFixed: Float64Array;
  forwardVariable: Float64Array;
  volUp: Float64Array;
  volDown: Float64Array;
  discountPositive: Float64Array;
  discountNegative: Float64Array;
  /** min(portfolio, forward, rate and, with options, vol confidence). */
  confidence: Float64Array;
  strike: Float64Array;
  amount: Float64Array;
  vol: Float64Array;
  isCall: Uint8Array;
  /** Scratch: shocked vol per option, rewritten by each scenario. */
  shockedVol: Float64Array;
  /** Portfolio confidence: spot, and the perp's when a perp is held. */
  portfolioConfidence: number;
  /** JSON path of the sub-account, for errors raised while scenarios run. */
  path: string;
}

/** ln(2e18): beyond it the discount factor is below half a unit of 1e-18 and rounds to 0 on chain. */
const MAX_DISCOUNT_EXPONENT = Math.log(2e18);

function calcError(path: string, message: string): XmarginError {
  return new XmarginError(message, { code: "CALCULATION_FAILED", path });
}

/**
 * @throws XmarginError `INVALID_INPUT` for more than `maxExpiries` expiries, duplicate holdings or non-finite
 *   numbers; `CALCULATION_FAILED` where Derive's contract would revert (spec section 9)
 */
export function arrangeSubAccount(account: Pmrm2SubAccount, params: Pmrm2Params, path = "$"): ArrangedSubAccount {
  const expiries = account.expiries;
  if (expiries.length > params.maxExpiries) {
    throw new XmarginError(`at most ${params.maxExpiries} expiries, got ${expiries.length}`, {
      code: "INVALID_INPUT",
      path: `${path}.expiries`,
    });
  }
  const n = expiries.length;
  const optionCount = expiries.reduce((s, e) => s + e.options.length, 0);
  const a: ArrangedSubAccount = {
    expiryCount: n,
    optionCount,
    optionStart: new Int32Array(n + 1),
    seconds: new Float64Array(n),
    years: new Float64Array(n),
    rate: new Float64Array(n),
    discount: new Float64Array(n),
    forwardFixed: new Float64Array(n),
    forwardVariable: new Float64Array(n),
    volUp: new Float64Array(n),
    volDown: new Float64Array(n),
    discountPositive: new Float64Array(n),
    discountNegative: new Float64Array(n),
    confidence: new Float64Array(n),
    strike: new Float64Array(optionCount),
    amount: new Float64Array(optionCount),
    vol: new Float64Array(optionCount),
    isCall: new Uint8Array(optionCount),
    shockedVol: new Float64Array(optionCount),
    portfolioConfidence:
      account.perpAmount !== 0 ? Math.min(account.spotConfidence, account.perpConfidence) : account.spotConfidence,
    path,
  };
  let o = 0;
  expiries.forEach((e, i) => {
    const at = `${path}.expiries[${i}]`;
    a.optionStart[i] = o;
    const seconds = Math.max(e.secondsToExpiry, 0);
    const years = seconds / SECONDS_PER_YEAR;
    const rate = Math.max(e.rateAnnual, 0);
    // 1 / D reverts on chain once D rounds to 0.
    if (rate * years > MAX_DISCOUNT_EXPONENT) {
      throw calcError(`${at}.rateAnnual`, "discount factor underflows: rate x time too large");
    }
    const discount = Math.exp(-rate * years);
    a.seconds[i] = seconds;
    a.years[i] = years;
    a.rate[i] = rate;
    a.discount[i] = discount;
    a.forwardFixed[i] = e.forwardFixed;
    a.forwardVariable[i] = e.forwardVariable;
    const shocks = volShockMultipliers(seconds, params.volShock, `${at}.secondsToExpiry`);
    a.volUp[i] = shocks.up;
    a.volDown[i] = shocks.down;
    const d = staticDiscounts(years, rate, discount, params.margin, `${at}.rateAnnual`);
    a.discountPositive[i] = d.positive;
    a.discountNegative[i] = d.negative;
    let c = Math.min(a.portfolioConfidence, e.forwardConfidence, e.rateConfidence);
    if (e.options.length > 0) c = Math.min(c, e.volConfidence);
    a.confidence[i] = c;
    const seen = new Set<string>();
    e.options.forEach((opt, j) => {
      const key = `${opt.strike}|${opt.isCall}`;
      if (seen.has(key)) {
        throw new XmarginError("duplicate holding: at most one per (expiry, strike, call/put)", {
          code: "INVALID_INPUT",
          path: `${at}.options[${j}]`,
        });
      }
      seen.add(key);
      a.strike[o] = opt.strike;
      a.amount[o] = opt.amount;
      a.vol[o] = opt.volAnnual;
      a.isCall[o] = opt.isCall ? 1 : 0;
      o++;
    });
  });
  a.optionStart[n] = o;
  return a;
}
