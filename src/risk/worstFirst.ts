/**
 * Sorts `idx[0..count)` worst first: larger `losses[idx]` first, ties by lower index (a total order, so the result does
 * not depend on the algorithm). In place on typed arrays, with no comparator closure: quicksort with a median-of-three
 * pivot, insertion sort on short runs. The tail of an ES holds a few hundred to a few thousand paths, sorted on every
 * report, where `Array.prototype.sort` with a callback cost more than the selection that found them.
 */
export function sortWorstFirst(idx: Int32Array, count: number, losses: Float64Array): void {
  quick(idx, 0, count - 1, losses);
}

/** `a` strictly before `b`. */
function before(a: number, b: number, losses: Float64Array): boolean {
  const la = losses[a]!;
  const lb = losses[b]!;
  return la > lb || (la === lb && a < b);
}

function quick(idx: Int32Array, lo: number, hi: number, losses: Float64Array): void {
  while (hi - lo > 16) {
    const mid = (lo + hi) >>> 1;
    if (before(idx[mid]!, idx[lo]!, losses)) swap(idx, mid, lo);
    if (before(idx[hi]!, idx[lo]!, losses)) swap(idx, hi, lo);
    if (before(idx[hi]!, idx[mid]!, losses)) swap(idx, hi, mid);
    const pivot = idx[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (before(idx[i]!, pivot, losses)) i++;
      while (before(pivot, idx[j]!, losses)) j--;
      if (i <= j) {
        swap(idx, i, j);
        i++;
        j--;
      }
    }
    // Recurse into the smaller side, loop on the larger: stack depth O(log n).
    if (j - lo < hi - i) {
      quick(idx, lo, j, losses);
      lo = i;
    } else {
      quick(idx, i, hi, losses);
      hi = j;
    }
  }
  for (let k = lo + 1; k <= hi; k++) {
    const v = idx[k]!;
    let m = k - 1;
    while (m >= lo && before(v, idx[m]!, losses)) {
      idx[m + 1] = idx[m]!;
      m--;
    }
    idx[m + 1] = v;
  }
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
