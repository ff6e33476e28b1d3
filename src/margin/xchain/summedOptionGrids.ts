import {
  fillOptionPnl,
  type OptionGrid,
  type OptionGridGeometry,
  type OptionGridSpec,
  optionGridOn,
} from "../../pricing/optionPnlGrid.js";
import { scratchBuffer } from "./scratchBuffers.js";

/**
 * Options of one report revalued through shared grids of summed values: the options of one group (same underlying,
 * chain, price and vol columns at the same horizon, time to expiry, carry, discount and grid geometry) are worth
 * sum_m size_m x value_m at every node, and cubic interpolation is linear in the node values, so one interpolation
 * of the summed grid per path gives the group's P&L: the sum of its members' own interpolated P&L up to the order
 * of summation. A member's own P&L is read only where it is needed (the ES tail paths of the attribution), from its
 * own grid at those paths: bit for bit what its own vector would hold there.
 */
export interface SummedOptionGrids {
  /** Per item: index into `members`, or -1 when the item is not in a summed group. */
  memberOf: Int32Array;
  /** An instrument of a group: its own grid, today's unit value (USD) and the columns its paths read. */
  members: SummedMember[];
  /** Per group: its P&L vector (index into the report's vectors, coefficient 1), one item of it and its members. */
  groups: Array<{ vector: number; item: number; members: number[] }>;
}

export interface SummedMember {
  grid: OptionGrid;
  /** Units held over the report's items on this instrument in this group (its weight in the group's grid). */
  size: number;
  baseUsd: number;
  xs: Float64Array;
  ys: Float64Array;
}

interface PendingMember {
  spec: OptionGridSpec;
  baseUsd: number;
  /** Units held over the report's items on this instrument in this group. */
  size: number;
  items: number[];
}

interface PendingGroup {
  item: number;
  xs: Float64Array;
  ys: Float64Array;
  geometry: OptionGridGeometry;
  /** The nodes the group's paths read (the others are not computed). */
  read: Uint8Array;
  members: Map<string, PendingMember>;
}

/**
 * Fewest instruments a group must have to be summed: below it each gets its own vector, kept for the tick's other
 * reports. Summing saves one interpolation per path for each member beyond the first, but a summed instrument's vector
 * is not kept, so a second holder on the tick computes it again: with a few options per group (a venue's accounts of
 * 5-20 positions) that cost more than it saved (docs/models/xchain.md, "summed option grids").
 */
export const MIN_SUMMED_INSTRUMENTS = 3;

/**
 * Gathers a report's options without a vector on the tick (`add`), then (`finish`) sums each group of at least
 * MIN_SUMMED_INSTRUMENTS instruments into one grid and gives the others their own vectors.
 */
export class SummedOptionGridsBuilder {
  private readonly groups = new Map<string, PendingGroup>();

  /**
   * Puts item `i` (an option on the instrument `instrumentKey`, held `size` units) into the group `groupKey`. Every
   * item of a group must read the same columns with the same geometry: the key holds what they depend on.
   */
  add(
    i: number,
    groupKey: string,
    instrumentKey: string,
    columns: { xs: Float64Array; ys: Float64Array },
    geometry: OptionGridGeometry,
    read: Uint8Array,
    spec: OptionGridSpec,
    baseUsd: number,
    size: number,
  ): void {
    let group = this.groups.get(groupKey);
    if (!group) {
      group = { item: i, xs: columns.xs, ys: columns.ys, geometry, read, members: new Map() };
      this.groups.set(groupKey, group);
    }
    let member = group.members.get(instrumentKey);
    if (!member) {
      member = { spec, baseUsd, size: 0, items: [] };
      group.members.set(instrumentKey, member);
    }
    member.size += size;
    member.items.push(i);
  }

  /**
   * A group of at least MIN_SUMMED_INSTRUMENTS: builds each member's grid of exact values, sums them size-weighted into
   * the group's grid and interpolates that once per path into the group's P&L vector (USD), appended to `vectors`.
   * A smaller group: each instrument's own P&L per unit on every path, in `alloc`'s storage, appended to `vectors` (once
   * per instrument) and handed to `keep` once complete. Sets `vector` of every item added (-1 for a summed one).
   */
  finish(
    vectors: Float64Array[],
    nPaths: number,
    vector: Int32Array,
    alloc: () => Float64Array,
    keep: (instrumentKey: string, pnl: Float64Array) => void,
  ): SummedOptionGrids {
    const memberOf = new Int32Array(vector.length).fill(-1);
    const members: SummedMember[] = [];
    const groups: SummedOptionGrids["groups"] = [];
    const own = new Map<string, number>();
    for (const g of this.groups.values()) {
      if (g.members.size < MIN_SUMMED_INSTRUMENTS) {
        for (const [key, m] of g.members) {
          let v = own.get(key);
          if (v === undefined) {
            const pnl = alloc();
            fillOptionPnl(optionGridOn(m.spec, g.geometry, g.read), g.xs, g.ys, 1, m.baseUsd, pnl);
            keep(key, pnl);
            v = vectors.push(pnl) - 1;
            own.set(key, v);
          }
          for (const i of m.items) vector[i] = v;
        }
        continue;
      }
      const { nx, ny } = g.geometry;
      const summed = new Float64Array((nx + 1) * (ny + 1));
      let baseUsd = 0;
      const ids: number[] = [];
      for (const m of g.members.values()) {
        const grid = optionGridOn(m.spec, g.geometry, g.read);
        const id = members.push({ grid, size: m.size, baseUsd: m.baseUsd, xs: g.xs, ys: g.ys }) - 1;
        ids.push(id);
        for (const i of m.items) {
          vector[i] = -1;
          memberOf[i] = id;
        }
        const v = grid.values;
        for (let a = 0; a < summed.length; a++) summed[a] = summed[a]! + m.size * v[a]!;
        baseUsd += m.size * m.baseUsd;
      }
      const pnl = new Float64Array(nPaths);
      fillOptionPnl({ ...g.geometry, values: summed }, g.xs, g.ys, 1, baseUsd, pnl);
      groups.push({ vector: vectors.push(pnl) - 1, item: g.item, members: ids });
    }
    return { memberOf, members, groups };
  }
}

/**
 * A member's P&L per unit held on the given paths, into `out` (same length as `paths`): its own grid interpolated at
 * those paths only, by the same function and arithmetic as a whole vector.
 */
export function memberPnlOnPaths(member: SummedMember, paths: ArrayLike<number>, out: Float64Array): void {
  const n = out.length;
  const xs = scratchBuffer("memberXs", n);
  const ys = scratchBuffer("memberYs", n);
  for (let k = 0; k < n; k++) {
    xs[k] = member.xs[paths[k]!]!;
    ys[k] = member.ys[paths[k]!]!;
  }
  fillOptionPnl(member.grid, xs, ys, 1, member.baseUsd, out);
}
