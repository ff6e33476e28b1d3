import { linearCombination } from "../../risk/linearCombination.js";
import { forEachPnlTerm } from "./pnlTerms.js";
import type { PnlVectors } from "./simulatePnlVectors.js";

/** The vectors and scales whose sum is one group's P&L, in the order they are added. */
export interface GroupTerms {
  columns: Float64Array[];
  scales: number[];
}

/**
 * The terms of each group's (chain's) P&L from the included items: items sharing a vector and a group are summed into
 * one coefficient first, so each vector is read once per group. Terms are in order of the items' first appearance,
 * then the summed option groups' (pnlTerms).
 */
export function groupTerms(
  pnl: PnlVectors,
  groupOf: Int32Array,
  nGroups: number,
  include: readonly boolean[],
): GroupTerms[] {
  const coefficients = new Map<number, number>();
  forEachPnlTerm(
    pnl,
    (i) => include[i] === true,
    (v, a, i) => {
      const key = v * nGroups + groupOf[i]!;
      coefficients.set(key, (coefficients.get(key) ?? 0) + a);
    },
  );
  const groups: GroupTerms[] = Array.from({ length: nGroups }, () => ({ columns: [], scales: [] }));
  for (const [key, a] of coefficients) {
    const g = groups[key % nGroups]!;
    g.columns.push(pnl.vectors[Math.floor(key / nGroups)]!);
    g.scales.push(a);
  }
  return groups;
}

/**
 * Per-chain P&L (`chainPnl[c * n + s]`) and the joint loss per path (`losses[s]`): a chain's gain offsets other
 * chains' losses only at the offset rate. Each chain's sum is `linearCombination`'s (terms added left to right, four
 * per pass), and the joint loss is accumulated in the pass that adds a chain's last terms, while its sum is in hand,
 * instead of a pass of its own over every chain: the same operations in the same order, so the same bits. Without a
 * branch on the sign (unpredictable from path to path): gain = (v + |v|) / 2 exactly, so rate x gain + (v - gain) is
 * rate x v for a gain and v for a loss, to the bit.
 */
export function chainPnlAndJointLoss(
  chains: readonly GroupTerms[],
  rate: number,
  chainPnl: Float64Array,
  losses: Float64Array,
): void {
  const n = losses.length;
  const nC = chains.length;
  for (let c = 0; c < nC; c++) {
    const { columns, scales } = chains[c]!;
    const out = chainPnl.subarray(c * n, (c + 1) * n);
    const k = columns.length;
    // The last pass adds r <= 4 terms; the ones before it go four at a time. No terms: the chain's P&L is 0.
    const r = k === 0 ? 0 : ((k - 1) % 4) + 1;
    if (k === 0) out.fill(0);
    else if (k > 4) linearCombination(out, columns.slice(0, k - r), scales.slice(0, k - r));
    lastPass(out, columns.slice(k - r), scales.slice(k - r), k > 0 && k <= 4, c === 0, c === nC - 1, rate, losses);
  }
}

/**
 * v = (fresh ? 0 : out) + the r (0 to 4) terms, left to right; out = v; then the chain's offset-weighted P&L is added
 * to the running total in `losses` (started at 0 on the first chain, negated into a loss on the last).
 */
function lastPass(
  out: Float64Array,
  columns: readonly Float64Array[],
  scales: readonly number[],
  fresh: boolean,
  first: boolean,
  last: boolean,
  rate: number,
  losses: Float64Array,
): void {
  const n = out.length;
  const r = columns.length;
  const none = out;
  const a0 = r > 0 ? scales[0]! : 0;
  const v0 = r > 0 ? columns[0]! : none;
  const a1 = r > 1 ? scales[1]! : 0;
  const v1 = r > 1 ? columns[1]! : none;
  const a2 = r > 2 ? scales[2]! : 0;
  const v2 = r > 2 ? columns[2]! : none;
  const a3 = r > 3 ? scales[3]! : 0;
  const v3 = r > 3 ? columns[3]! : none;
  for (let s = 0; s < n; s++) {
    let v = fresh ? a0 * v0[s]! : r > 0 ? out[s]! + a0 * v0[s]! : out[s]!;
    if (r > 1) v += a1 * v1[s]!;
    if (r > 2) v += a2 * v2[s]!;
    if (r > 3) v += a3 * v3[s]!;
    out[s] = v;
    const gain = 0.5 * (v + Math.abs(v));
    const total = (first ? 0 : losses[s]!) + (rate * gain + (v - gain));
    losses[s] = last ? -total : total;
  }
}
