import { invalidInput } from "../core/errors.js";
import { selectKth } from "./selectKth.js";

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
}

/**
 * ES with its tail, so that a model can attribute ES to positions (Euler allocation: each position's mean P&L over
 * the same tail scenarios and weights adds up to the ES exactly). Finds the tail threshold by selection (quickselect,
 * linear on average) in `scratch` and one pass for the indices, so only the tail's few indices are sorted.
 * @param losses one loss per scenario (positive = loss), equally likely
 * @param confidence e.g. 0.975
 * @param scratch optional buffer of at least losses.length, overwritten (saves an allocation per call)
 * @param pathWeights optional probability weight per scenario (importance sampling; any positive total): the tail is
 *   then the worst scenarios holding (1 - confidence) of the total weight, and `weights` / `tailMass` are in weight units
 */
export function tailExpectation(
  losses: Float64Array,
  confidence: number,
  scratch?: Float64Array,
  pathWeights?: Float64Array,
): TailExpectation {
  if (!(confidence > 0 && confidence < 1)) throw invalidInput("$.confidence", "must be in (0,1)", `got ${confidence}`);
  const n = losses.length;
  if (n === 0) throw invalidInput("$.losses", "must not be empty");
  if (pathWeights) return weightedTail(losses, confidence, pathWeights, scratch);
  const tailMass = (1 - confidence) * n;
  const full = Math.floor(tailMass + 1e-9);
  const fraction = tailMass - full > 1e-9 ? tailMass - full : 0;
  const count = Math.min(n, full + (fraction > 0 ? 1 : 0));
  const threshold = count > 0 ? lossQuantileAt(losses, n - count, scratch) : Number.NEGATIVE_INFINITY;
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
  };
}

/** The weighted tail: candidates by selection (4.5x the unweighted tail count, doubled until they hold the mass). */
function weightedTail(
  losses: Float64Array,
  confidence: number,
  pathWeights: Float64Array,
  scratch?: Float64Array,
): TailExpectation {
  const n = losses.length;
  let total = 0;
  for (let s = 0; s < n; s++) total += pathWeights[s]!;
  const tailMass = (1 - confidence) * total;
  // Importance-sampled tails hold up to about four times the unweighted count of paths (the extreme ones weigh
  // less): start there so that one selection usually suffices.
  let k = Math.min(n, Math.ceil(4.5 * (1 - confidence) * n) + 1);
  for (;;) {
    const threshold = lossQuantileAt(losses, n - k, scratch);
    const candidates: number[] = [];
    for (let s = 0; s < n; s++) if (losses[s]! >= threshold) candidates.push(s);
    candidates.sort((a, b) => losses[b]! - losses[a]! || a - b);
    let mass = 0;
    let count = 0;
    while (count < candidates.length && mass < tailMass * (1 - 1e-12)) mass += pathWeights[candidates[count++]!]!;
    if (mass >= tailMass * (1 - 1e-12) || k === n) {
      const indices = Uint32Array.from(candidates.slice(0, count));
      const weights = new Float64Array(count);
      let left = tailMass;
      let sum = 0;
      for (let j = 0; j < count; j++) {
        const w = Math.min(pathWeights[indices[j]!]!, left);
        left -= w;
        weights[j] = w;
        sum += w * losses[indices[j]!]!;
      }
      const last = count > 0 ? losses[indices[count - 1]!]! : Number.NEGATIVE_INFINITY;
      return { expectedShortfall: sum / tailMass, valueAtRisk: last, indices, weights, tailMass };
    }
    k = Math.min(n, 2 * k);
  }
}

/**
 * The k-th smallest loss (k from 0) without sorting: e.g. VaR at confidence c is k = ceil(n c) - 1.
 * @param scratch optional buffer of at least losses.length, overwritten
 */
export function lossQuantileAt(losses: Float64Array, k: number, scratch?: Float64Array): number {
  const n = losses.length;
  const work = scratch && scratch.length >= n ? scratch.subarray(0, n) : new Float64Array(n);
  work.set(losses);
  return selectKth(work, Math.min(n - 1, Math.max(0, k)));
}
