/**
 * Sorts the pairs `(values[k], idx[k])`, k < count, worst first: larger value first, ties by lower index (a total
 * order, so the result does not depend on the algorithm); `values[k]` is the loss of path `idx[k]`, copied out by the
 * caller. In place on typed arrays, with no comparator closure and no indirection: quicksort with a median-of-three
 * pivot, insertion sort on short runs. The tail of an ES holds a few hundred to a few thousand paths, sorted on every
 * report, where `Array.prototype.sort` with a callback cost more than the selection that found them, and comparing
 * `losses[idx[k]]` (a load from the whole loss vector per comparison) a third more than these contiguous copies.
 */
export function sortWorstFirst(values: Float64Array, idx: Int32Array, count: number): void {
  quick(values, idx, 0, count - 1);
}

/** Sorts `idx[0..count)` worst first by `losses[idx]`, through `values` (overwritten: `values[k]` = loss of `idx[k]`). */
export function sortIndicesWorstFirst(
  idx: Int32Array,
  count: number,
  losses: Float64Array,
  values: Float64Array,
): void {
  for (let k = 0; k < count; k++) values[k] = losses[idx[k]!]!;
  quick(values, idx, 0, count - 1);
}

function quick(v: Float64Array, idx: Int32Array, lo: number, hi: number): void {
  while (hi - lo > 16) {
    const mid = (lo + hi) >>> 1;
    if (before(v, idx, mid, lo)) swap2(v, idx, mid, lo);
    if (before(v, idx, hi, lo)) swap2(v, idx, hi, lo);
    if (before(v, idx, hi, mid)) swap2(v, idx, hi, mid);
    const pv = v[mid]!;
    const pi = idx[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (v[i]! > pv || (v[i] === pv && idx[i]! < pi)) i++;
      while (pv > v[j]! || (pv === v[j] && pi < idx[j]!)) j--;
      if (i <= j) {
        swap2(v, idx, i, j);
        i++;
        j--;
      }
    }
    // Recurse into the smaller side, loop on the larger: stack depth O(log n).
    if (j - lo < hi - i) {
      quick(v, idx, lo, j);
      lo = i;
    } else {
      quick(v, idx, i, hi);
      hi = j;
    }
  }
  for (let k = lo + 1; k <= hi; k++) {
    const x = v[k]!;
    const s = idx[k]!;
    let m = k - 1;
    while (m >= lo && (x > v[m]! || (x === v[m] && s < idx[m]!))) {
      v[m + 1] = v[m]!;
      idx[m + 1] = idx[m]!;
      m--;
    }
    v[m + 1] = x;
    idx[m + 1] = s;
  }
}

/** Pair a strictly before pair b. */
function before(v: Float64Array, idx: Int32Array, a: number, b: number): boolean {
  return v[a]! > v[b]! || (v[a] === v[b] && idx[a]! < idx[b]!);
}

function swap2(v: Float64Array, idx: Int32Array, i: number, j: number): void {
  const t = v[i]!;
  v[i] = v[j]!;
  v[j] = t;
  swap(idx, i, j);
}

function swap(a: Int32Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/**
 * Selection by mass on values copied out contiguously (`values[k]`, `weights[k]` of path `idx[k]`, all three
 * reordered together): the first p are p largest values (not sorted among themselves), p the least whose weights add
 * up to `mass` (`count` if all of them do not): quickselect on the running weight, linear on average. Ties are not broken by path, so which of equal values lands inside is unspecified: for a caller
 * that needs the level and the mass, not the identity of tied paths. Direct comparisons, no indirection.
 */
export function selectLargestByMass(
  values: Float64Array,
  weights: Float64Array,
  idx: Int32Array,
  count: number,
  mass: number,
): number {
  let lo = 0;
  let hi = count - 1;
  let held = 0;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! > values[lo]!) swap3(values, weights, idx, mid, lo);
    if (values[hi]! > values[lo]!) swap3(values, weights, idx, hi, lo);
    if (values[hi]! > values[mid]!) swap3(values, weights, idx, hi, mid);
    const pivot = values[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! > pivot) i++;
      while (pivot > values[j]!) j--;
      if (i <= j) {
        swap3(values, weights, idx, i, j);
        i++;
        j--;
      }
    }
    let left = 0;
    for (let k = lo; k <= j; k++) left += weights[k]!;
    if (held + left >= mass) {
      hi = j;
      continue;
    }
    held += left;
    for (let k = j + 1; k < i; k++) held += weights[k]!;
    if (held >= mass) return i;
    lo = i;
  }
  return Math.min(count, lo + 1);
}

/**
 * Moves to the front of the copied candidates (`values[k]`, `weights[k]` of path `idx[k]`, reordered together) the
 * largest ones holding `mass` and every candidate tied with the least of them, and returns their number (count when
 * all of them do not hold it). The set is closed upwards, so sorting it worst first gives the same prefix as sorting
 * every candidate, ties by path included.
 */
export function selectClosedUpwards(
  values: Float64Array,
  weights: Float64Array,
  idx: Int32Array,
  count: number,
  mass: number,
): number {
  const p = selectLargestByMass(values, weights, idx, count, mass);
  if (p >= count) return count;
  let least = Number.POSITIVE_INFINITY;
  for (let j = 0; j < p; j++) if (values[j]! < least) least = values[j]!;
  let q = p;
  for (let j = p; j < count; j++) {
    if (values[j]! < least) continue;
    swap3(values, weights, idx, q, j);
    q++;
  }
  return q;
}

/** Moves the least of `values[0..count)` (with its weight and path) to position count - 1. */
export function moveLeastToEnd(values: Float64Array, weights: Float64Array, idx: Int32Array, count: number): void {
  let b = count - 1;
  for (let j = 0; j < count - 1; j++) if (values[j]! < values[b]!) b = j;
  swap3(values, weights, idx, b, count - 1);
}

function swap3(v: Float64Array, w: Float64Array, idx: Int32Array, i: number, j: number): void {
  const tv = v[i]!;
  v[i] = v[j]!;
  v[j] = tv;
  const tw = w[i]!;
  w[i] = w[j]!;
  w[j] = tw;
  swap(idx, i, j);
}
