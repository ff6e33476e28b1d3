import type { LevelHint } from "../../risk/tailExpectation.js";

/**
 * The levels of one account's two tails kept from one report to the next (a venue's ticks), each updated by the
 * report: they save screening and selecting, and never change a figure (`LevelHint`).
 */
export interface XchainTailHints {
  /** The joint loss's tail (ordered, for the ES, VaR and attribution). */
  joint: LevelHint;
  /** The control variate's tail (its level and ES). */
  control: LevelHint;
}

/** Hints with no level yet (the first report screens); `fallbacks` counts the kept levels that failed, when asked. */
export function newTailHints(countFallbacks = false): XchainTailHints {
  const hint = (): LevelHint => (countFallbacks ? { level: Number.NaN, fallbacks: 0 } : { level: Number.NaN });
  return { joint: hint(), control: hint() };
}
