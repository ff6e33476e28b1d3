import { invalidInput } from "../core/errors.js";
import { selectKth } from "./selectKth.js";
import {
  moveLeastToEnd,
  selectClosedUpwards,
  selectLargestByMass,
  sortIndicesWorstFirst,
  sortWorstFirst,
} from "./worstFirst.js";

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
 * A tail's level kept by a caller from one call to the next on a similar sample (the same account on its previous
 * tick), updated by each call; NaN: none yet. For `tailExpectation` (weighted), the candidate level: the next call
 * gathers the losses at or above it instead of screening a sample first, and sorts them all when they are few. Any
 * level gives the same tail (the candidates only need to hold it); one that gathers too few or far too many falls back
 * to the screening. Each call keeps a level a little below its tail's VaR (`keptLevel`), so the next one gathers about
 * the tail. For `weightedTailLevel`, a level below the screening's: the screening then selects among the sample's
 * losses at or above it (the same screened level, so the same figures to the bit), or screens them all when too few.
 */
export interface LevelHint {
  level: number;
  /** Calls whose kept level had to be replaced by a screening (counted when present: a statistic for benchmarks). */
  fallbacks?: number;
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
 * @param hint weighted tails only: the candidate level to start from, updated for the next call (`LevelHint`)
 */
export function tailExpectation(
  losses: Float64Array,
  confidence: number,
  scratch?: Float64Array,
  pathWeights?: Float64Array,
  weightTotal?: number,
  hint?: LevelHint,
): TailExpectation {
  if (!(confidence > 0 && confidence < 1)) throw invalidInput("$.confidence", "must be in (0,1)", `got ${confidence}`);
  const n = losses.length;
  if (n === 0) throw invalidInput("$.losses", "must not be empty");
  if (pathWeights)
    return weightedTail(losses, confidence, pathWeights, weightTotal ?? pathWeightTotal(pathWeights), scratch, hint);
  const tailMass = (1 - confidence) * n;
  const full = Math.floor(tailMass + 1e-9);
  const fraction = tailMass - full > 1e-9 ? tailMass - full : 0;
  const count = Math.min(n, full + (fraction > 0 ? 1 : 0));
  const threshold = count > 0 ? lossQuantileAt(losses, n - count, scratch) : Number.NEGATIVE_INFINITY;
  const idx = candidatePool(n);
  const m = gatherCandidates(losses, threshold, idx);
  sortIndicesWorstFirst(idx, m, losses, candidateValues(n));
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

/** `levelLosses` with room for n values. */
function candidateValues(n: number): Float64Array {
  if (levelLosses.length < n) {
    levelLosses = new Float64Array(n);
    levelWeights = new Float64Array(n);
  }
  return levelLosses;
}

/**
 * Copies the m candidates' losses and weights side by side, so that a selection or a sort compares them without
 * indirection.
 */
function copyCandidates(losses: Float64Array, pathWeights: Float64Array, idx: Int32Array, m: number): void {
  candidateValues(losses.length);
  for (let j = 0; j < m; j++) {
    levelLosses[j] = losses[idx[j]!]!;
    levelWeights[j] = pathWeights[idx[j]!]!;
  }
}

/** Paths screened: every SCREEN_STRIDE-th loss (odd, so that it samples every part of a Sobol sequence). */
const SCREEN_STRIDE = 7;

/**
 * A loss level with, most likely, at least `k` of the losses at or above it: the matching rank of a 1-in-7 sample,
 * with 25% to spare. Only a guess that saves selecting over every path; the caller checks that it sufficed. With a
 * `hint` below it (`LevelHint`), only the sample's losses at or above the hint are selected among: the same value
 * (the r-th largest of the sample lies among them when they number r or more), found in a fraction of the time.
 */
function screenLevel(losses: Float64Array, k: number, scratch?: Float64Array, hint?: LevelHint): number {
  const n = losses.length;
  const m = Math.floor((n - 1) / SCREEN_STRIDE) + 1;
  const r = Math.ceil((1.25 * k * m) / n) + 2;
  if (m < 64 || r >= m) return Number.NEGATIVE_INFINITY;
  const work = scratch && scratch.length >= m ? scratch.subarray(0, m) : new Float64Array(m);
  if (hint && Number.isFinite(hint.level)) {
    const above = hint.level;
    let c = 0;
    for (let j = 0; j < m; j++) {
      const l = losses[j * SCREEN_STRIDE]!;
      work[c] = l; // kept when at or above the level (branch-free, as `gatherCandidates`)
      c += Number(l >= above);
    }
    if (c >= r) return selectKth(work.subarray(0, c), c - r);
    countFallback(hint);
  }
  for (let j = 0; j < m; j++) work[j] = losses[j * SCREEN_STRIDE]!;
  return selectKth(work, m - r);
}

function countFallback(hint: LevelHint): void {
  if (hint.fallbacks !== undefined) hint.fallbacks++;
}

/**
 * How far below a tail's VaR the level kept for the next call lies, in units of the distance from the VaR up to the
 * loss of the tail's middle path (a measure of the paths' density near the VaR that a heavy far tail does not
 * inflate, as it does ES - VaR): room for the next tick's losses to move. On the venue bench's moved ticks (ETH up
 * to 0.6% a tick) 0.25 gathers ~20% more paths than the tail holds, and no kept level fell short of a tail.
 */
const KEPT_BELOW = 0.25;

/** `KEPT_BELOW` of the distance from `level` up to `top` below `level` (NaN when not finite: screen next time). */
function keptLevel(level: number, top: number): number {
  const kept = level - KEPT_BELOW * (top - level);
  return Number.isFinite(kept) ? kept : Number.NaN;
}

/**
 * The weighted tail: the worst paths, worst first, until they hold (1 - confidence) of the weight. Candidates are the
 * losses at or above a level, screened or kept (`LevelHint`; importance-sampled tails hold up to about four times the
 * unweighted count of paths, the extreme ones weighing less); the ones holding the mass are selected and sorted (all
 * of them when a kept level gathered few); when they do not hold the mass, a selection over every path sets a lower
 * level (twice the count each time). Any candidate set closed upwards gives the same worst-first prefix, so the result
 * does not depend on the level.
 */
function weightedTail(
  losses: Float64Array,
  confidence: number,
  pathWeights: Float64Array,
  total: number,
  scratch?: Float64Array,
  hint?: LevelHint,
): TailExpectation {
  const n = losses.length;
  let k = Math.min(n, Math.ceil(4.5 * (1 - confidence) * n) + 1);
  const tailMass = (1 - confidence) * total;
  const enough = tailMass * (1 - 1e-12);
  // A kept level stands in for the screening; it is dropped for the screened one when it gathers more than 2.5 times
  // the screening's target (costly, not wrong) or when its candidates do not hold the tail (below).
  let hinted = hint !== undefined && Number.isFinite(hint.level);
  let level = hinted ? hint!.level : screenLevel(losses, k, scratch);
  const idx = candidatePool(n);
  for (;;) {
    const m = gatherCandidates(losses, level, idx);
    if (hinted && m > 2.5 * k) {
      hinted = false;
      countFallback(hint!);
      level = screenLevel(losses, k, scratch);
      continue;
    }
    copyCandidates(losses, pathWeights, idx, m);
    const cl = levelLosses;
    // A kept level gathers little more than the tail: every candidate is sorted. Else only those holding the mass
    // (with a margin for rounding), and every candidate should the walk fall short of the mass after all.
    let sorted = hinted && m <= k ? m : selectClosedUpwards(cl, levelWeights, idx, m, tailMass * (1 + 1e-9));
    sortWorstFirst(cl, idx, sorted);
    let mass = 0;
    let count = 0;
    while (count < sorted && mass < enough) mass += pathWeights[idx[count++]!]!;
    if (mass < enough && sorted < m) {
      sorted = m;
      sortWorstFirst(cl, idx, m);
      mass = 0;
      count = 0;
      while (count < m && mass < enough) mass += pathWeights[idx[count++]!]!;
    }
    if (hinted && !(mass >= enough)) {
      hinted = false;
      countFallback(hint!);
      level = screenLevel(losses, k, scratch);
      continue;
    }
    if (mass >= enough || m === n || level === Number.NEGATIVE_INFINITY || k === n) {
      const indices = Uint32Array.from(idx.subarray(0, count));
      const weights = new Float64Array(count);
      let left = tailMass;
      let sum = 0;
      for (let j = 0; j < count; j++) {
        const w = Math.min(pathWeights[indices[j]!]!, left);
        left -= w;
        weights[j] = w;
        sum += w * cl[j]!;
      }
      const last = count > 0 ? cl[count - 1]! : Number.NEGATIVE_INFINITY;
      const expectedShortfall = sum / tailMass;
      if (hint) {
        // Never below a screened level: no more candidates next time than the screening gathers.
        const kept = keptLevel(last, count > 0 ? cl[count >> 1]! : last);
        hint.level = hinted ? kept : Math.max(kept, level);
      }
      return { expectedShortfall, valueAtRisk: last, indices, weights, tailMass, totalWeight: total };
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
    // Written always, kept when at or above the level (m <= s: in bounds): no branch to mispredict, 3x faster.
    idx[m] = s;
    m += Number(a >= level);
    idx[m] = s + 1;
    m += Number(b >= level);
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
 * @param hint a level below the screened one kept from the previous call on a similar sample, updated: it narrows the
 *   screening and never changes a figure, its candidates (and so its sums' order) being the screened ones (`LevelHint`)
 */
export function weightedTailLevel(
  losses: Float64Array,
  confidence: number,
  pathWeights: Float64Array,
  scratch?: Float64Array,
  weightTotal?: number,
  hint?: LevelHint,
): TailLevel {
  if (!(confidence > 0 && confidence < 1)) throw invalidInput("$.confidence", "must be in (0,1)", `got ${confidence}`);
  const n = losses.length;
  if (n === 0) throw invalidInput("$.losses", "must not be empty");
  const level = screenLevel(losses, Math.min(n, Math.ceil(4.5 * (1 - confidence) * n) + 1), scratch, hint);
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
  const expectedShortfall = sum / tailMass;
  // Kept: the screened level less some of the tail's spread ES - VaR (the next sample's screened level may lie below
  // this one; a control loss is elliptical, its tail not heavy enough to inflate the spread).
  if (hint) hint.level = keptLevel(level, level + (expectedShortfall - boundary));
  return {
    expectedShortfall,
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
