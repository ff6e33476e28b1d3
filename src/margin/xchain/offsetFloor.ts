import type { MarginReport } from "../report.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";

export interface OffsetFloor {
  /** The floor, USD. */
  floorUsd: number;
  /** Grid scenario loss summed over underlyings without any offset, USD. */
  grossUsd: number;
  /** Credit granted for offsets between underlyings, USD (before the fraction). */
  creditUsd: number;
}

/**
 * Floor under the simulated ES that recognises offsets between underlyings, SPAN inter-commodity style, up to a
 * maximum credit. Per underlying u the grid's worst scenario loss L_u with a direction s_u (+1 when the worst move is
 * down, i.e. net long), aggregated with the market's price correlation R:
 *
 *   floor = fraction x ( max( (1 - maxCredit) sum_u L_u, sqrt(g^T R g) + sum_{u unmodelled} L_u ) + contingency ),
 *   g_u = s_u L_u over the underlyings with a correlation.
 *
 * sqrt(g^T R g) is a norm (R is a valid correlation matrix), so by the triangle inequality a position adds at most
 * its own grid loss to the floor: a hedge across underlyings can lower it and never raises it by more than its own
 * standalone floor. An underlying without a correlation (a guess) gets no credit.
 * @param grid the grid report of the same portfolio (its scenario tables and option contingency).
 */
export function offsetFloor(
  grid: MarginReport,
  market: ResolvedMarket,
  fraction: number,
  maxCredit: number,
): OffsetFloor {
  const tables = grid.scenarios ?? [];
  const contingency = grid.components.find((c) => c.id === "option-contingency")?.initialMarginUsd ?? 0;
  const rf = market.riskFactors;
  const index = new Map(rf?.names.map((n, i) => [n, i]) ?? []);
  const modelled: Array<{ k: number; g: number }> = [];
  let gross = 0;
  let unmodelled = 0;
  for (const t of tables) {
    const loss = t.worstLossUsd;
    gross += loss;
    const k = index.get(t.underlying);
    if (k === undefined) {
      unmodelled += loss;
      continue;
    }
    const worst = t.scenarios.find((s) => s.id === t.worstScenarioId);
    modelled.push({ k, g: (worst && worst.spotShockRel > 0 ? -1 : 1) * loss });
  }
  let q = 0;
  const m = rf?.names.length ?? 0;
  for (const a of modelled) for (const b of modelled) q += a.g * b.g * (rf!.correlation[a.k * m + b.k] ?? 0);
  const offset = Math.sqrt(Math.max(0, q)) + unmodelled;
  const aggregated = Math.max((1 - maxCredit) * gross, offset);
  return { floorUsd: fraction * (aggregated + contingency), grossUsd: gross, creditUsd: gross - aggregated };
}
