/**
 * P&L of one PMRM_2 scenario against the current mark (spec section 6): perp at its mark price, options revalued
 * per expiry with shocked forward and vols, static discounts and dampening, and risk-cancelling collateral moving
 * with spot. No allocation: shocked vols go into the arranged account's scratch array.
 */
import { XmarginError } from "../../../core/errors.js";
import type { ArrangedSubAccount } from "./arrangeSubAccount.js";
import { expiryValue } from "./expiryValue.js";
import type { Pmrm2Params, Pmrm2Scenario } from "./params.js";
import { skewMultiplier, skewShape } from "./skewShocks.js";

/** The parts of a sub-account a scenario needs besides its options. */
export interface ScenarioInputs {
  perpAmount: number;
  perpPrice: number;
  /** Sum of risk-cancelling collateral values, cash units. */
  riskCancellingValue: number;
  /** Current value per expiry. */
  mtm: Float64Array;
}

function calcError(path: string, message: string): XmarginError {
  return new XmarginError(message, { code: "CALCULATION_FAILED", path });
}

/** Writes the scenario's vols of expiry e into a.shockedVol. */
function shockVols(a: ArrangedSubAccount, e: number, s: Pmrm2Scenario, params: Pmrm2Params, forward: number): void {
  const from = a.optionStart[e]!;
  const to = a.optionStart[e + 1]!;
  const vols = a.shockedVol;
  switch (s.volShock) {
    case "none":
      for (let i = from; i < to; i++) vols[i] = a.vol[i]!;
      return;
    case "up": {
      const u = a.volUp[e]!;
      const floor = params.volShock.minVolUpShock;
      for (let i = from; i < to; i++) vols[i] = Math.max(floor, a.vol[i]! * u);
      return;
    }
    case "down": {
      const d = a.volDown[e]!;
      for (let i = from; i < to; i++) vols[i] = a.vol[i]! * d;
      return;
    }
    default: {
      const shape = skewShape(a.seconds[e]!, params.skewShock, s.volShock);
      // Division by zero on chain: report, never guess a vol.
      if (!(shape.kStar > 0)) throw calcError(`${a.path}.expiries[${e}]`, "skew scenario undefined: k* is 0");
      for (let i = from; i < to; i++) {
        if (a.strike[i] === 0)
          throw calcError(`${a.path}.expiries[${e}].options[${i - from}]`, "skew scenario undefined for a strike of 0");
        const k = Math.log(a.strike[i]! / forward);
        vols[i] = a.vol[i]! * Math.max(0, skewMultiplier(s.volShock === "abs" ? Math.abs(k) : k, shape));
      }
    }
  }
}

/** Option P&L of one expiry in a scenario: (shocked value x static discount - current value) x dampening. */
export function expiryScenarioPnl(
  a: ArrangedSubAccount,
  e: number,
  s: Pmrm2Scenario,
  params: Pmrm2Params,
  mtm: Float64Array,
): number {
  const isSkew = s.volShock === "linear" || s.volShock === "abs";
  // Skew scenarios rotate vols around the unshocked forward.
  const forwardMult = isSkew ? 1 : s.spotMult;
  shockVols(a, e, s, params, a.forwardVariable[e]! + a.forwardFixed[e]!);
  const x = expiryValue(a, e, forwardMult, a.shockedVol);
  const discounted = x >= 0 ? x * a.discountPositive[e]! : x * a.discountNegative[e]!;
  return (discounted - mtm[e]!) * s.dampening;
}

/** Total P&L of one scenario (spec 6.6). In skew scenarios every expiry counts as a loss. */
export function scenarioPnl(
  a: ArrangedSubAccount,
  s: Pmrm2Scenario,
  params: Pmrm2Params,
  inputs: ScenarioInputs,
): number {
  const move = s.spotMult - 1;
  const isSkew = s.volShock === "linear" || s.volShock === "abs";
  let options = 0;
  for (let e = 0; e < a.expiryCount; e++) {
    const pnl = expiryScenarioPnl(a, e, s, params, inputs.mtm);
    options += isSkew ? -Math.abs(pnl) : pnl;
  }
  const perp = inputs.perpAmount * move * inputs.perpPrice * s.dampening;
  const collateral = inputs.riskCancellingValue * move * s.dampening;
  return perp + options + collateral;
}
