import { invalidInput } from "../core/errors.js";

/** Expected Shortfall of an equally weighted loss sample with the weight each scenario has in the tail. */
export interface TailExpectation {
  /** Mean loss over the worst (1 - confidence) of the scenarios (Acerbi-Tasche, fractional boundary scenario). */
  expectedShortfall: number;
  /** The smallest loss inside the tail. */
  valueAtRisk: number;
  /** Scenario indices in the tail, worst first (ties: lower index first). */
  indices: Uint32Array;
  /** Weight of each tail scenario in the ES average (1, except a fraction for the boundary one), same order. */
  weights: Float64Array;
  /** Total tail mass in scenarios: (1 - confidence) x n. */
  tailMass: number;
  /** All losses sorted ascending (for other quantiles of the same sample). */
  sortedLosses: Float64Array;
}

/**
 * ES with its tail, so that a model can attribute ES to positions (Euler allocation: each position's mean P&L over
 * the same tail scenarios and weights adds up to the ES exactly). Finds the tail with a native numeric sort of the
 * losses and one pass for the indices, so only the tail's few indices are sorted by comparator.
 * @param losses one loss per scenario (positive = loss), equally likely
 * @param confidence e.g. 0.975
 */
export function tailExpectation(losses: Float64Array, confidence: number): TailExpectation {
  if (!(confidence > 0 && confidence < 1)) throw invalidInput("$.confidence", "must be in (0,1)", `got ${confidence}`);
  const n = losses.length;
  if (n === 0) throw invalidInput("$.losses", "must not be empty");
  const tailMass = (1 - confidence) * n;
  const full = Math.floor(tailMass + 1e-9);
  const fraction = tailMass - full > 1e-9 ? tailMass - full : 0;
  const count = Math.min(n, full + (fraction > 0 ? 1 : 0));
  const sorted = Float64Array.from(losses).sort();
  const threshold = sorted[n - count] ?? Number.NEGATIVE_INFINITY;
  const above: number[] = [];
  const at: number[] = [];
  for (let k = 0; k < n; k++) {
    const l = losses[k]!;
    if (l > threshold) above.push(k);
    else if (l === threshold) at.push(k);
  }
  above.sort((a, b) => losses[b]! - losses[a]! || a - b);
  const indices = Uint32Array.from([...above, ...at.slice(0, count - above.length)]);
  const weights = new Float64Array(count);
  let sum = 0;
  for (let k = 0; k < count; k++) {
    const w = k < full ? 1 : fraction;
    weights[k] = w;
    sum += w * losses[indices[k]!]!;
  }
  return {
    expectedShortfall: sum / tailMass,
    valueAtRisk: threshold,
    indices,
    weights,
    tailMass,
    sortedLosses: sorted,
  };
}
