import type { ResolvedMarket } from "../../margin/resolve/resolvedMarket.js";
import type { ResolvedItem } from "../../margin/resolve/resolvedPortfolio.js";
import { underlyingStateOf } from "../../margin/resolve/underlyingFacts.js";
import { valuePosition } from "../../pricing/valuePosition.js";

/** Spot moves of the plans' risk check, relative (-0.3 = -30%): each underlying alone, then all together. */
export const defaultStressMovesRel: readonly number[] = [-0.3, -0.2, -0.1, 0.1, 0.2, 0.3];

/** The stress scenarios of a plan: one spot multiplier per underlying each (fixed for the whole plan). */
export interface StressScenarios {
  underlyings: string[];
  /** Row-major, scenarios x underlyings. */
  spotMult: Float64Array;
  count: number;
}

/** Scenarios over the underlyings `items` are exposed to: each alone at every move, then all together. */
export function stressScenarios(items: readonly ResolvedItem[], movesRel: readonly number[]): StressScenarios {
  const underlyings = [...new Set(items.map((it) => it.underlying))].filter((u) => u !== "USD").sort();
  const n = underlyings.length;
  const rows: number[][] = [];
  for (let j = 0; j < n; j++) for (const m of movesRel) rows.push(underlyings.map((_, k) => (k === j ? 1 + m : 1)));
  if (n > 1) for (const m of movesRel) rows.push(underlyings.map(() => 1 + m));
  return { underlyings, spotMult: Float64Array.from(rows.flat()), count: rows.length };
}

/**
 * Loss of a set of items in each stress scenario, USD (value now - value at the moved spots; negative = gain).
 * Options keep their implied vol; holdings move with their underlying.
 */
export function stressLossesUsd(
  items: readonly ResolvedItem[],
  market: ResolvedMarket,
  scenarios: StressScenarios,
): Float64Array {
  const out = new Float64Array(scenarios.count);
  const n = scenarios.underlyings.length;
  for (const it of items) {
    const j = scenarios.underlyings.indexOf(it.underlying);
    if (j < 0) continue;
    const u = underlyingStateOf(market, it.underlying, it.path);
    for (let s = 0; s < scenarios.count; s++) {
      const mult = scenarios.spotMult[s * n + j]!;
      if (mult === 1) continue;
      out[s]! += it.valueUsd - valuePosition(it.priced, { ...u, spotUsd: u.spotUsd * mult }, it.volAnnual, it.path);
    }
  }
  return out;
}
