import type { MarginReport } from "../report.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";

/** What the floor reads of a portfolio's grid margin. */
export interface GridFloorParts {
  /** Per underlying with grid risk, in the grid's order: its worst loss and its worst scenario's spot shock. */
  tables: Array<{ underlying: string; worstLossUsd: number; worstSpotShockRel: number }>;
  /** The grid's option contingency, USD. */
  contingencyUsd: number;
  /** Per item, the grid's initial margin (its report's `byPosition[i].initialMarginUsd`), USD. */
  itemInitialUsd: Float64Array;
}

/** The floor's parts of a whole grid report (`computeGridPm`'s). */
export function gridFloorParts(grid: MarginReport): GridFloorParts {
  return {
    tables: (grid.scenarios ?? []).map((t) => ({
      underlying: t.underlying,
      worstLossUsd: t.worstLossUsd,
      worstSpotShockRel: t.scenarios.find((s) => s.id === t.worstScenarioId)?.spotShockRel ?? Number.NaN,
    })),
    contingencyUsd: grid.components.find((c) => c.id === "option-contingency")?.initialMarginUsd ?? 0,
    itemInitialUsd: Float64Array.from(grid.byPosition, (row) => row.initialMarginUsd),
  };
}

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
 * @param grid the grid margin of the same portfolio (its worst loss per underlying and option contingency).
 */
export function offsetFloor(
  grid: GridFloorParts,
  market: ResolvedMarket,
  fraction: number,
  maxCredit: number,
): OffsetFloor {
  const tables = grid.tables;
  const contingency = grid.contingencyUsd;
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
    modelled.push({ k, g: (t.worstSpotShockRel > 0 ? -1 : 1) * loss });
  }
  let q = 0;
  const m = rf?.names.length ?? 0;
  for (const a of modelled) for (const b of modelled) q += a.g * b.g * (rf!.correlation[a.k * m + b.k] ?? 0);
  const offset = Math.sqrt(Math.max(0, q)) + unmodelled;
  const aggregated = Math.max((1 - maxCredit) * gross, offset);
  return { floorUsd: fraction * (aggregated + contingency), grossUsd: gross, creditUsd: gross - aggregated };
}
