import type { PnlVectors } from "./simulatePnlVectors.js";
import { memberPnlOnPaths } from "./summedOptionGrids.js";

/**
 * The terms whose sum is the P&L of the included items (USD per path): `coefficient x vectors[vector]`, each with an
 * item whose chain and underlying it carries. An item with its own vector is one term; a summed option group is one
 * term (coefficient 1) for all its members, which share chain and underlying, so every inclusion by chain or
 * underlying takes all of a group or none of it.
 */
export function forEachPnlTerm(
  pnl: PnlVectors,
  include: (item: number) => boolean,
  visit: (vector: number, coefficient: number, item: number) => void,
): void {
  const n = pnl.vector.length;
  for (let i = 0; i < n; i++) {
    const v = pnl.vector[i]!;
    if (v >= 0 && include(i)) visit(v, pnl.coefficient[i]!, i);
  }
  for (const g of pnl.summed.groups) if (include(g.item)) visit(g.vector, 1, g.item);
}

/**
 * Which unit P&L item i reads: items with equal sources have equal P&L per unit of their coefficient on every path
 * (a shared vector, or one instrument of a summed group).
 */
export function unitSourceOf(pnl: PnlVectors, i: number): number {
  const v = pnl.vector[i]!;
  return v >= 0 ? v : pnl.vectors.length + pnl.summed.memberOf[i]!;
}

/** Item i's P&L per unit of its coefficient on the given paths, into `out` (same length as `paths`), USD. */
export function unitPnlOnPaths(pnl: PnlVectors, i: number, paths: ArrayLike<number>, out: Float64Array): void {
  const v = pnl.vector[i]!;
  if (v < 0) {
    memberPnlOnPaths(pnl.summed.members[pnl.summed.memberOf[i]!]!, paths, out);
    return;
  }
  const vec = pnl.vectors[v]!;
  for (let k = 0; k < out.length; k++) out[k] = vec[paths[k]!]!;
}
