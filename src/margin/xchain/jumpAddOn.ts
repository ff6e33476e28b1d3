import { jumpGroupOf } from "../../market/tokenRiskFactors.js";
import type { ResolvedItem } from "../resolve/resolvedPortfolio.js";
import type { XchainConfig } from "./config.js";

export interface JumpEvent {
  group: string;
  /** Loss if the group's tokens jump, USD (gains of short holdings in the same group net, never below 0). */
  lossUsd: number;
  probabilityAnnual: number;
  itemIndices: number[];
}

export interface JumpAddOn {
  addOnUsd: number;
  /** Per-item attribution, USD. */
  itemUsd: Float64Array;
  /** All events with a loss, worst first; the first `coverEvents` are charged. */
  events: JumpEvent[];
}

/**
 * Depeg / bridge-failure jumps of token representations. Each jump group (issuer, staking protocol, bridge,
 * custodian) loses value x |jump| on its tokens at once. The charge is the sum of the `coverEvents` worst group losses
 * (Cover-1 by default). It is added on top of the diffusive risk and is never offset by positions in the underlying:
 * a short ETH perp does not hedge a stETH depeg.
 */
export function jumpAddOn(items: readonly ResolvedItem[], config: XchainConfig): JumpAddOn {
  const groups = new Map<string, JumpEvent>();
  items.forEach((item, i) => {
    if (!item.token) return;
    const group = jumpGroupOf(item.token);
    if (!group) return;
    const jump = config.jumps.byToken[`${item.chain}:${item.token.symbol}`] ?? item.token.depegJump;
    const loss = -item.valueUsd * jump.sizeRel;
    const event = groups.get(group) ?? { group, lossUsd: 0, probabilityAnnual: 0, itemIndices: [] };
    event.lossUsd += loss;
    event.probabilityAnnual = Math.max(event.probabilityAnnual, jump.probabilityAnnual);
    event.itemIndices.push(i);
    groups.set(group, event);
  });
  const events = [...groups.values()].filter((e) => e.lossUsd > 0).sort((a, b) => b.lossUsd - a.lossUsd);
  const itemUsd = new Float64Array(items.length);
  let addOnUsd = 0;
  for (const event of events.slice(0, config.jumps.coverEvents)) {
    addOnUsd += event.lossUsd;
    for (const i of event.itemIndices) {
      const item = items[i]!;
      const jump = config.jumps.byToken[`${item.chain}:${item.token!.symbol}`] ?? item.token!.depegJump;
      itemUsd[i] = -item.valueUsd * jump.sizeRel;
    }
  }
  return { addOnUsd, itemUsd, events };
}
