import type { MarginReport } from "../../margin/report.js";
import type { Action, ActionKind, AppliedAction } from "./actions.js";

/** One step of a plan: what to do, where, how much, at what cost, and the margin after it. */
export interface PlanStep {
  order: number;
  action: ActionKind;
  itemId: string;
  label: string;
  chain: string;
  /** Destination chain of a bridge. */
  toChain?: string;
  underlying: string;
  token?: string;
  /** Units closed, sold or moved (underlying units for positions, token units for holdings). */
  units: number;
  /** Share of the item's size at the start of the plan. */
  fractionOfItem: number;
  notionalUsd: number;
  /** Square-root unwind cost or bridge fee, USD. */
  costUsd: number;
  route?: { name: string | undefined; latencySec: number; costBps: number };
  /** Seconds after the plan starts until this step is final (chain finality; bridge latency + finality). */
  readyAfterSec: number;
  freeCollateralAfterUsd: number;
  initialMarginAfterUsd: number;
  healthAfter: number | null;
}

/** An action chosen by a plan, with what it did and the margin after it. */
export interface Chosen {
  action: Action;
  applied: AppliedAction;
  report: MarginReport;
}

export function stepOf(order: number, c: Chosen, startUnits: ReadonlyMap<string, number>): PlanStep {
  const a = c.action;
  const start = startUnits.get(a.itemId) ?? a.units;
  return {
    order,
    action: a.kind,
    itemId: a.itemId,
    label: a.label,
    chain: a.chain,
    ...(a.toChain ? { toChain: a.toChain } : {}),
    underlying: a.underlying,
    ...(a.token ? { token: a.token } : {}),
    units: a.units,
    fractionOfItem: start > 0 ? a.units / start : 0,
    notionalUsd: c.applied.notionalUsd,
    costUsd: c.applied.costUsd,
    ...(a.route ? { route: { name: a.route.name, latencySec: a.route.latencySec, costBps: a.route.costBps } } : {}),
    readyAfterSec: c.applied.readyAfterSec,
    freeCollateralAfterUsd: c.report.freeCollateralUsd,
    initialMarginAfterUsd: c.report.initialMarginUsd,
    healthAfter: c.report.healthRatio,
  };
}

/** Merges consecutive steps on the same item, action and destination into one. */
export function mergeSteps(steps: PlanStep[]): PlanStep[] {
  const out: PlanStep[] = [];
  for (const s of steps) {
    const last = out[out.length - 1];
    if (last && last.action === s.action && last.itemId === s.itemId && last.toChain === s.toChain) {
      last.units += s.units;
      last.fractionOfItem += s.fractionOfItem;
      last.notionalUsd += s.notionalUsd;
      last.costUsd += s.costUsd;
      last.readyAfterSec = Math.max(last.readyAfterSec, s.readyAfterSec);
      last.freeCollateralAfterUsd = s.freeCollateralAfterUsd;
      last.initialMarginAfterUsd = s.initialMarginAfterUsd;
      last.healthAfter = s.healthAfter;
    } else {
      out.push({ ...s, order: out.length + 1 });
    }
  }
  return out;
}
