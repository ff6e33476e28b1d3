import { invalidInput } from "../core/errors.js";
import { selectKth } from "./selectKth.js";
import { moveLeastToEnd, selectLargestByMass, sortWorstFirst } from "./worstFirst.js";

/** ES and VaR of a loss sample with the scenarios of its tail, in no particular order. */
export interface TailLevel {
  /** Mean loss over the worst (1 - confidence) of the scenarios (Acerbi-Tasche, fractional boundary scenario). */
  expectedShortfall: number;
  /** The smallest loss inside the tail. */
  valueAtRisk: number;
  /** Scenario indices in the tail, in no order; of paths tied at the VaR level, which ones is unspecified. */
  indices: Uint32Array;
  /** Total tail mass in scenarios: (1 - confidence) x n. */
  tailMass: number;
  /** Total weight of all scenarios: n, or the sum of the path weights. */
  totalWeight: number;
}

/** Expected Shortfall of an equally weighted loss sample with the weight each scenario has in the tail. */
export interface TailExpectation extends TailLevel {
  /** Scenario indices in the tail, worst first (ties: lower index first). */
  indices: Uint32Array;
  /** Weight of each tail scenario in the ES average (1, except a fraction for the boundary one), same order. */
  weights: Float64Array;
}

/**
 * ES with its tail, so that a model can attribute ES to positions (Euler allocation: each position's mean P&L over
 * the same tail scenarios and weights adds up to the ES exactly). Finds the tail threshold by selection (quickselect,
 * linear on average) in `scratch` and one pass for the indices, so only the tail's few indices are sorted
 * (src/risk/worstFirst.ts).
 * @param losses one loss per scenario (positive = loss), equally likely
 * @param confidence e.g. 0.975
 * @param scratch optional buffer of at least losses.length, overwritten (saves an allocation per call)
 * @param pathWeights optional probability weight per scenario (importance sampling; any positive total): the tail is
 *   then the worst scenarios holding (1 - confidence) of the total weight, and `weights` / `tailMass` are in weight units
 * @param weightTotal `pathWeightTotal(pathWeights)` when the caller keeps it (a set's weights serve many tails): saves
 *   a pass over the weights per call
 */
export function tailExpectation(
  losses: Float64Array,
  confidence: number,
  scratch?: Float64Array,
  pathWeights?: Float64Array,
  weightTotal?: number,
): TailExpectation {
  if (!(confidence > 0 && confidence < 1)) throw invalidInput("$.confidence", "must be in (0,1)", `got ${confidence}`);
  const n = losses.length;
  if (n === 0) throw invalidInput("$.losses", "must not be empty");
  if (pathWeights)
    return weightedTail(losses, confidence, pathWeights, weightTotal ?? pathWeightTotal(pathWeights), scratch);
  const tailMass = (1 - confidence) * n;
  const full = Math.floor(tailMass + 1e-9);
  const fraction = tailMass - full > 1e-9 ? tailMass - full : 0;
  const count = Math.min(n, full + (fraction > 0 ? 1 : 0));
  const threshold = count > 0 ? lossQuantileAt(losses, n - count, scratch) : Number.NEGATIVE_INFINITY;
  const idx = candidatePool(n);
  let m = 0;
  let probe = 0;
  for (let s = 0; s < n; s++) {
    const l = losses[s]!;
    probe += l;
    if (l >= threshold) idx[m++] = s;
  }
  if (Number.isNaN(probe)) throw notANumber(losses.findIndex((l) => !Number.isFinite(l)));
  sortWorstFirst(idx, m, losses);
  const indices = Uint32Array.from(idx.subarray(0, count));
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
    totalWeight: n,
  };
}

/** A NaN loss (or infinite losses of both signs) has no place in a tail: an error, never a silently wrong ES. */
function notANumber(s: number): Error {
  return invalidInput(`$.losses[${s}]`, "must be a finite number");
}

/** Candidate paths of a tail, reused from call to call (the functions here are synchronous). */
let pool = new Int32Array(0);
function candidatePool(n: number): Int32Array {
  if (pool.length < n) pool = new Int32Array(n);
  return pool;
}

/** Candidate losses and weights side by side (`copyCandidates`), reused from call to call. */
let levelLosses = new Float64Array(0);
let levelWeights = new Float64Array(0);

/** Copies the m candidates' losses and weights side by side, so that a selection compares them without indirection. */
function copyCandidates(losses: Float64Array, pathWeights: Float64Array, idx: Int32Array, m: number): void {
  if (levelLosses.length < m) {
    levelLosses = new Float64Array(losses.length);
    levelWeights = new Float64Array(losses.length);
  }
  for (let j = 0; j < m; j++) {
    levelLosses[j] = losses[idx[j]!]!;
    levelWeights[j] = pathWeights[idx[j]!]!;
  }
}

/**
 * Moves to the front of the m candidates the worst ones holding `mass` and every candidate tied with the least of
 * them, and returns their number (m when all of them do not hold it). The set is closed upwards, so sorting it worst
 * first gives the same prefix as sorting every candidate, ties by path included.
 */
function selectClosedUpwards(
  losses: Float64Array,
  pathWeights: Float64Array,
  idx: Int32Array,
  m: number,
  mass: number,
): number {
  copyCandidates(losses, pathWeights, idx, m);
  const cl = levelLosses;
  const p = selectLargestByMass(cl, levelWeights, idx, m, mass);
  if (p >= m) return m;
  let least = Number.POSITIVE_INFINITY;
  for (let j = 0; j < p; j++) if (cl[j]! < least) least = cl[j]!;
  let q = p;
  for (let j = p; j < m; j++) {
    if (cl[j]! < least) continue;
    const t = idx[q]!;
    idx[q] = idx[j]!;
    idx[j] = t;
    cl[j] = cl[q]!;
    q++;
  }
  return q;
}

/** Paths screened: every SCREEN_STRIDE-th loss (odd, so that it samples every part of a Sobol sequence). */
const SCREEN_STRIDE = 7;

/**
 * A loss level with, most likely, at least `k` of the losses at or above it: the matching rank of a 1-in-7 sample,
 * with 25% to spare. Only a guess that saves selecting over every path; the caller checks that it sufficed.
 */
function screenLevel(losses: Float64Array, k: number, scratch?: Float64Array): number {
  const n = losses.length;
  const m = Math.floor((n - 1) / SCREEN_STRIDE) + 1;
  const r = Math.ceil((1.25 * k * m) / n) + 2;
  if (m < 64 || r >= m) return Number.NEGATIVE_INFINITY;
  const work = scratch && scratch.length >= m ? scratch.subarray(0, m) : new Float64Array(m);
  for (let j = 0; j < m; j++) work[j] = losses[j * SCREEN_STRIDE]!;
  return selectKth(work, m - r);
}

/**
 * The weighted tail: the worst paths, worst first, until they hold (1 - confidence) of the weight. Candidates are the
 * losses at or above a screened level (importance-sampled tails hold up to about four times the unweighted count of
 * paths, the extreme ones weighing less), sorted; when they do not hold the mass, a selection over every path sets a
 * lower level (twice the count each time). Any candidate set closed upwards gives the same worst-first prefix, so the
 * result does not depend on the level.
 */
function weightedTail(
  losses: Float64Array,
  confidence: number,
  pathWeights: Float64Array,
  total: number,
  scratch?: Float64Array,
): TailExpectation {
  const n = losses.length;
  let k = Math.min(n, Math.ceil(4.5 * (1 - confidence) * n) + 1);
  let level = screenLevel(losses, k, scratch);
  const idx = candidatePool(n);
  for (;;) {
    const m = gatherCandidates(losses, level, idx);
    const tailMass = (1 - confidence) * total;
    // Sort only the candidates holding the mass (with a margin for rounding), then walk them worst first; should the
    // walk fall short of the mass after all, every candidate is sorted.
    let sorted = selectClosedUpwards(losses, pathWeights, idx, m, tailMass * (1 + 1e-9));
    sortWorstFirst(idx, sorted, losses);
    let mass = 0;
    let count = 0;
    while (count < sorted && mass < tailMass * (1 - 1e-12)) mass += pathWeights[idx[count++]!]!;
    if (mass < tailMass * (1 - 1e-12) && sorted < m) {
      sorted = m;
      sortWorstFirst(idx, m, losses);
      mass = 0;
      count = 0;
      while (count < m && mass < tailMass * (1 - 1e-12)) mass += pathWeights[idx[count++]!]!;
    }
    if (mass >= tailMass * (1 - 1e-12) || m === n || level === Number.NEGATIVE_INFINITY || k === n) {
      const indices = Uint32Array.from(idx.subarray(0, count));
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
      return { expectedShortfall: sum / tailMass, valueAtRisk: last, indices, weights, tailMass, totalWeight: total };
    }
    k = Math.min(n, Math.max(2 * k, 2 * m));
    level = lossQuantileAt(losses, n - k, scratch);
  }
}

/**
 * The total weight of the paths, summed in path order (the one sum every weighted tail's mass is taken of, so that a
 * caller keeping it gets the figures of one that does not, bit for bit).
 */
export function pathWeightTotal(pathWeights: Float64Array): number {
  let total = 0;
  for (let s = 0; s < pathWeights.length; s++) total += pathWeights[s]!;
  return total;
}

/** Puts the paths with a loss at or above `level` into `idx` and returns their count. */
function gatherCandidates(losses: Float64Array, level: number, idx: Int32Array): number {
  const n = losses.length;
  let m = 0;
  // NaN anywhere makes a probe NaN (a loss that is never a candidate must not go unnoticed); two probes, even and odd
  // paths, so that neither sum's latency paces the loop. Infinite losses of both signs make one of them or their sum NaN.
  let even = 0;
  let odd = 0;
  let s = 0;
  for (; s + 1 < n; s += 2) {
    const a = losses[s]!;
    const b = losses[s + 1]!;
    even += a;
    odd += b;
    if (a >= level) idx[m++] = s;
    if (b >= level) idx[m++] = s + 1;
  }
  if (s < n) {
    const a = losses[s]!;
    even += a;
    if (a >= level) idx[m++] = s;
  }
  if (Number.isNaN(even + odd)) throw notANumber(losses.findIndex((l) => !Number.isFinite(l)));
  return m;
}

/**
 * ES and VaR of weighted paths without ordering the tail: `tailExpectation`'s figures (to rounding: the sums run in
 * another order) for a caller that needs no worst-first order and no per-path weights, e.g. the control variate's
 * tail. The worst paths holding the mass are found by selection and only the boundary path (the least of them) is
 * sought, in one pass; when the screened candidates do not hold the mass, the ordered walk answers.
 */
export function weightedTailLevel(
  losses: Float64Array,
  confidence: number,
  pathWeights: Float64Array,
  scratch?: Float64Array,
  weightTotal?: number,
): TailLevel {
  if (!(confidence > 0 && confidence < 1)) throw invalidInput("$.confidence", "must be in (0,1)", `got ${confidence}`);
  const n = losses.length;
  if (n === 0) throw invalidInput("$.losses", "must not be empty");
  const level = screenLevel(losses, Math.min(n, Math.ceil(4.5 * (1 - confidence) * n) + 1), scratch);
  const idx = candidatePool(n);
  const m = gatherCandidates(losses, level, idx);
  const total = weightTotal ?? pathWeightTotal(pathWeights);
  const tailMass = (1 - confidence) * total;
  const enough = tailMass * (1 - 1e-12);
  copyCandidates(losses, pathWeights, idx, m);
  const cl = levelLosses;
  const cw = levelWeights;
  let p = selectLargestByMass(cl, cw, idx, m, tailMass * (1 + 1e-9));
  let held = 0;
  for (let j = 0; j < p; j++) held += cw[j]!;
  if (!(held >= enough)) return weightedTail(losses, confidence, pathWeights, total, scratch);
  // The boundary is the least of the p; it leaves the tail while the others hold the mass (the selection asked for a
  // little more than the mass, for rounding).
  for (;;) {
    moveLeastToEnd(cl, cw, idx, p);
    const rest = held - cw[p - 1]!;
    if (p === 1 || rest < enough) break;
    held = rest;
    p--;
  }
  let inner = 0;
  let sum = 0;
  for (let j = 0; j < p - 1; j++) {
    inner += cw[j]!;
    sum += cw[j]! * cl[j]!;
  }
  const boundary = cl[p - 1]!;
  sum += Math.min(cw[p - 1]!, tailMass - inner) * boundary;
  return {
    expectedShortfall: sum / tailMass,
    valueAtRisk: boundary,
    indices: Uint32Array.from(idx.subarray(0, p)),
    tailMass,
    totalWeight: total,
  };
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
