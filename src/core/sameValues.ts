/**
 * True when two arrays hold the same numbers in the same order, compared by `Object.is` (NaN equals NaN, 0 and -0
 * differ): a cache keyed by a hash or kept by content checks its hit with this, so a changed input is never answered
 * from the cache.
 */
export function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
