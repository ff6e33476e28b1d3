/**
 * Cleaning of basis and stablecoin series before estimation (docs/risk.md). Their daily closes are ratios or prices
 * near 1 taken from venues that close at slightly different moments, so a single close often jumps away and comes
 * straight back (stETH/ETH: +-5% reversals in 2021 while the ratio was not moving). Such a close is noise, not risk.
 *
 * Rule: close t is an outlier when the return into it and the return out of it have opposite signs, both exceed
 * `minMoveRel`, and the two-day return across it is less than `keepShare` of the smaller of the two. It is replaced by
 * the geometric mean of its neighbours. Genuine depegs stay: they do not reverse within a day (USDC 2023-03-11:
 * -2.8%, +2.1%, then +0.7% the day after, a two-day move larger than a quarter of the way back).
 */
export interface CleaningOptions {
  /** Smallest move in and out of a close for it to count as a reversal (relative), default 0.003 (30 bps). */
  minMoveRel?: number;
  /** Largest share of the smaller leg the two-day move may keep, default 0.25. */
  keepShare?: number;
}

export interface CleanedSeries {
  closes: Float64Array;
  /** Indices of the replaced closes. */
  replaced: number[];
}

export function cleanBasisSeries(closes: ArrayLike<number>, options: CleaningOptions = {}): CleanedSeries {
  const minMove = options.minMoveRel ?? CLEANING_DEFAULTS.minMoveRel;
  const keep = options.keepShare ?? CLEANING_DEFAULTS.keepShare;
  const out = Float64Array.from(closes);
  const replaced: number[] = [];
  for (let t = 1; t + 1 < out.length; t++) {
    const cleaned = reversalReplacement(out[t - 1]!, out[t]!, out[t + 1]!, minMove, keep);
    if (cleaned !== undefined) {
      out[t] = cleaned;
      replaced.push(t);
    }
  }
  return { closes: out, replaced };
}

/**
 * The rule for one close `b` between the previous (already cleaned) close `a` and the next raw close `c`: the geometric
 * mean of its neighbours when it is an outlier, else undefined (b stays).
 */
export function reversalReplacement(
  a: number,
  b: number,
  c: number,
  minMove: number,
  keep: number,
): number | undefined {
  const into = Math.log(b / a);
  const outOf = Math.log(c / b);
  const smaller = Math.min(Math.abs(into), Math.abs(outOf));
  return into * outOf < 0 && smaller > minMove && Math.abs(into + outOf) < keep * smaller
    ? Math.sqrt(a * c)
    : undefined;
}

/** The defaults of `CleaningOptions`. */
export const CLEANING_DEFAULTS = { minMoveRel: 0.003, keepShare: 0.25 } as const;
