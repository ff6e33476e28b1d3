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
  index: number;
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

/** Gathers a report's summed options (`add`), then builds their grids and group vectors (`finish`). */
export class SummedOptionGridsBuilder {
  private readonly groups = new Map<string, PendingGroup>();
  private readonly memberOf: Int32Array;
  private nMembers = 0;

  constructor(nItems: number) {
    this.memberOf = new Int32Array(nItems).fill(-1);
  }

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
      member = { spec, baseUsd, size: 0, index: this.nMembers++ };
      group.members.set(instrumentKey, member);
    }
    member.size += size;
    this.memberOf[i] = member.index;
  }

  /**
   * Builds each member's grid of exact values, sums them size-weighted into the group's grid and interpolates that
   * once per path into the group's P&L vector (USD), appended to `vectors`.
   */
  finish(vectors: Float64Array[], nPaths: number): SummedOptionGrids {
    const members = new Array<SummedMember>(this.nMembers);
    const groups: SummedOptionGrids["groups"] = [];
    for (const g of this.groups.values()) {
      const { nx, ny } = g.geometry;
      const summed = new Float64Array((nx + 1) * (ny + 1));
      let baseUsd = 0;
      for (const m of g.members.values()) {
        const grid = optionGridOn(m.spec, g.geometry, g.read);
        members[m.index] = { grid, size: m.size, baseUsd: m.baseUsd, xs: g.xs, ys: g.ys };
        const v = grid.values;
        for (let a = 0; a < summed.length; a++) summed[a] = summed[a]! + m.size * v[a]!;
        baseUsd += m.size * m.baseUsd;
      }
      const pnl = new Float64Array(nPaths);
      fillOptionPnl({ ...g.geometry, values: summed }, g.xs, g.ys, 1, baseUsd, pnl);
      const ids = Array.from(g.members.values(), (m) => m.index);
      groups.push({ vector: vectors.push(pnl) - 1, item: g.item, members: ids });
    }
    return { memberOf: this.memberOf, members, groups };
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
