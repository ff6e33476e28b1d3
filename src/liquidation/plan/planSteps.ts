import type { MarginReport } from "../../margin/report.js";
import type { Action, ActionKind, AppliedAction } from "./actions.js";
import type { InTransit } from "./inTransit.js";

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
  /** Bridges: the account while the funds are on neither chain. */
  inTransit?: InTransit;
}

/** An action chosen by a plan, with what it did and the margin after it. */
export interface Chosen {
  action: Action;
  applied: AppliedAction;
  report: MarginReport;
  /** Bridges: the in-transit summary (inTransit.ts). */
  inTransit?: InTransit;
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
    ...(c.inTransit ? { inTransit: c.inTransit } : {}),
  };
}

/**
 * Merges the steps on the same item, action and destination into one, also when other steps came in between (the
 * greedy search alternates between items); a merged step keeps its first place and reports the state after its
 * last part.
 */
export function mergeSteps(steps: PlanStep[]): PlanStep[] {
  const out: PlanStep[] = [];
  const byKey = new Map<string, PlanStep>();
  for (const s of steps) {
    const key = `${s.action}|${s.itemId}|${s.toChain ?? ""}`;
    const first = byKey.get(key);
    if (first) {
      first.units += s.units;
      first.fractionOfItem += s.fractionOfItem;
      first.notionalUsd += s.notionalUsd;
      first.costUsd += s.costUsd;
      first.readyAfterSec = Math.max(first.readyAfterSec, s.readyAfterSec);
      first.freeCollateralAfterUsd = s.freeCollateralAfterUsd;
      first.initialMarginAfterUsd = s.initialMarginAfterUsd;
      first.healthAfter = s.healthAfter;
      // The worst in-transit state of the merged parts.
      if (s.inTransit && !first.inTransit?.worseInTransit) first.inTransit = s.inTransit;
    } else {
      const merged = { ...s, order: out.length + 1 };
      byKey.set(key, merged);
      out.push(merged);
    }
  }
  return out;
}
