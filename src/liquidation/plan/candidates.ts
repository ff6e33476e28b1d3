import { type Action, type ActionContext, bridgeActions, type PlanItem } from "./actions.js";

/** Candidate actions of the current state, each at most `stepFraction` of the item's starting size. */
export function candidateActions(
  ctx: ActionContext,
  items: readonly PlanItem[],
  startUnits: ReadonlyMap<string, number>,
  stepFraction: number,
  chains: readonly string[],
): Array<{ pi: PlanItem; action: Action }> {
  const out: Array<{ pi: PlanItem; action: Action }> = [];
  for (const pi of items) {
    const { item } = pi;
    if (pi.units <= 1e-12) continue;
    const chunk = Math.min(pi.units, stepFraction * (startUnits.get(item.id) ?? pi.units));
    if (item.source === "position") {
      // A settled (expired) option is a USD amount: nothing to close.
      if (item.underlying !== "USD") out.push({ pi, action: closeAction(pi, chunk) });
      continue;
    }
    if (item.valueUsd <= 0) continue;
    if (item.underlying !== "USD") out.push({ pi, action: closeAction(pi, chunk) });
    for (const action of bridgeActions(ctx, pi, chains, chunk)) out.push({ pi, action });
  }
  return out;
}

/** Reduce a position or sell a holding by `units`. */
export function closeAction(pi: PlanItem, units: number): Action {
  const { item } = pi;
  const base = { itemId: item.id, label: item.label, chain: item.chain, underlying: item.underlying, units };
  return item.source === "position"
    ? { kind: "reduce-position", ...base }
    : { kind: "sell-collateral", ...base, token: item.token?.symbol ?? item.underlying };
}
