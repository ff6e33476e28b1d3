import type { MarginReport } from "../../margin/report.js";
import {
  type Action,
  type ActionContext,
  applyAction,
  bridgeActions,
  type PlanItem,
  planItems,
  recordAction,
} from "./actions.js";
import { closeAction } from "./candidates.js";
import type { PlanState } from "./planState.js";
import { type PlanStep, stepOf } from "./planSteps.js";

/**
 * Close every derivative, sell every volatile holding, then cover each chain left with a cash borrow by bridging cash
 * from the chain holding the most. Returns the steps and the resulting state and report.
 */
export function fullUnwind(
  ctx: ActionContext,
  start: PlanState,
  evaluate: (s: PlanState) => MarginReport,
  startUnits: ReadonlyMap<string, number>,
): { steps: PlanStep[]; state: PlanState; report: MarginReport } | undefined {
  const steps: PlanStep[] = [];
  let state = start;
  const take = (pi: PlanItem, action: Action) => {
    const applied = applyAction(ctx, state, pi, action);
    recordAction(ctx, applied);
    state = applied.state;
    const report = evaluate(state);
    steps.push(stepOf(steps.length + 1, { action, applied, report }, startUnits));
  };
  // Derivatives first, then collateral: a hedge is never sold while what it hedges is still open.
  const order = planItems(state).sort(
    (a, b) => Number(a.item.source === "holding") - Number(b.item.source === "holding"),
  );
  for (const id of order.map((pi) => pi.item.id)) {
    const pi = planItems(state).find((x) => x.item.id === id);
    if (!pi || pi.units <= 1e-12) continue;
    const { item } = pi;
    if (item.underlying !== "USD" && (item.source === "position" || item.valueUsd > 0))
      take(pi, closeAction(pi, pi.units));
  }
  // Cover cash borrows left on a chain with cash from other chains.
  for (let guard = 0; guard < 20; guard++) {
    const items = planItems(state);
    const short = items.find((pi) => pi.item.source === "holding" && pi.item.valueUsd < -1e-6);
    if (!short) break;
    const need = -short.item.valueUsd;
    const donors = items
      .filter((pi) => pi.item.underlying === "USD" && pi.item.valueUsd > 0 && pi.item.chain !== short.item.chain)
      .sort((a, b) => b.item.valueUsd - a.item.valueUsd);
    let moved = false;
    for (const donor of donors) {
      const price = donor.item.valueUsd / donor.units;
      const units = Math.min(donor.units, (need * 1.002) / price);
      const [action] = bridgeActions(ctx, donor, [short.item.chain], units).filter(
        (a) => a.toChain === short.item.chain,
      );
      if (!action) continue;
      take(donor, action);
      moved = true;
      break;
    }
    if (!moved) break;
  }
  if (steps.length === 0) return undefined;
  return { steps, state, report: evaluate(state) };
}
