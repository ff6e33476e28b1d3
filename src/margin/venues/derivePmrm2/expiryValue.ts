import type { ArrangedSubAccount } from "./arrangeSubAccount.js";
import { pmrm2OptionPrice } from "./optionPrice.js";

/**
 * Value of one expiry's options at a forward multiplier m: sum of n_i x price(F(m), K_i, vols[i], s, D), with
 * F(m) = Fvar m + Ffix (spec 4.2, 4.4). `vols` is either the feed vols or a scenario's shocked vols.
 */
export function expiryValue(a: ArrangedSubAccount, e: number, forwardMult: number, vols: Float64Array): number {
  const forward = a.forwardVariable[e]! * forwardMult + a.forwardFixed[e]!;
  const years = a.years[e]!;
  const discount = a.discount[e]!;
  let value = 0;
  for (let i = a.optionStart[e]!; i < a.optionStart[e + 1]!; i++) {
    value += a.amount[i]! * pmrm2OptionPrice(forward, a.strike[i]!, vols[i]!, years, discount, a.isCall[i] === 1);
  }
  return value;
}
