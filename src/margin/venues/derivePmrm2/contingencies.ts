/**
 * PMRM_2 add-ons (spec section 7): naked short options per strike, oracle-confidence charges (IM only) and the
 * basis (forward) contingency that seeds the worst-loss search.
 */
import type { ArrangedSubAccount } from "./arrangeSubAccount.js";
import { expiryValue } from "./expiryValue.js";
import type { Pmrm2Params } from "./params.js";

/**
 * Naked short contracts of one expiry, per strike (spec 7.2): a lone short counts |n|; a call and a put at the same
 * strike with opposite signs count max(0, |short| - long) (the long covers the short), two shorts count both, two
 * longs nothing. Strikes never offset each other.
 */
export function nakedShorts(a: ArrangedSubAccount, e: number): number {
  const byStrike = new Map<number, number[]>();
  for (let i = a.optionStart[e]!; i < a.optionStart[e + 1]!; i++) {
    const list = byStrike.get(a.strike[i]!) ?? [];
    list.push(a.amount[i]!);
    byStrike.set(a.strike[i]!, list);
  }
  let total = 0;
  for (const [n1, n2] of byStrike.values()) {
    if (n2 === undefined) total += Math.max(0, -n1!);
    else if (n1! < 0 && n2 < 0) total += -n1! - n2;
    else if (n1! < 0 || n2 < 0) total += Math.max(0, Math.abs(Math.min(n1!, n2)) - Math.max(n1!, n2));
  }
  return total;
}

/** Gross option contracts of one expiry, the notional basis of its confidence charge. */
export function grossContracts(a: ArrangedSubAccount, e: number): number {
  let total = 0;
  for (let i = a.optionStart[e]!; i < a.optionStart[e + 1]!; i++) total += Math.abs(a.amount[i]!);
  return total;
}

/** (1 - c) f_conf N when the confidence c is strictly below the threshold, else 0 (spec 7.4). */
export function confidenceCharge(confidence: number, notional: number, p: Pmrm2Params["otherContingency"]): number {
  return confidence < p.confThreshold ? (1 - confidence) * p.confMargin * notional : 0;
}

/**
 * Basis contingency B (spec 7.5): per expiry, the worse of the forward moved to m_up and to m_dn (feed vols, no
 * static discount, no dampening), floored at 0 loss and scaled by k_add + k_mult tau; summed over expiries (<= 0).
 * @param mtm current value per expiry
 */
export function basisContingency(a: ArrangedSubAccount, mtm: Float64Array, p: Pmrm2Params["basisContingency"]): number {
  let total = 0;
  for (let e = 0; e < a.expiryCount; e++) {
    const up = expiryValue(a, e, p.scenarioSpotUp, a.vol) - mtm[e]!;
    const down = expiryValue(a, e, p.scenarioSpotDown, a.vol) - mtm[e]!;
    total += Math.min(0, up, down) * (p.basisContAddFactor + p.basisContMultFactor * a.years[e]!);
  }
  return total;
}
