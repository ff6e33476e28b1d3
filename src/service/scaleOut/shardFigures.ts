import { BatchGridEngine } from "../../margin/batch/batchGridEngine.js";
import type { GridPmConfig } from "../../margin/gridPm/config.js";
import { changesFigures, firedRules, policyHeadline } from "../../margin/policy/applyPolicy.js";
import { marketPolicyFacts, policyFacts } from "../../margin/policy/facts.js";
import type { Rulebook } from "../../margin/policy/rulebook.js";
import type { ResolvedPortfolio } from "../../margin/resolve/resolvedPortfolio.js";
import { resolvePortfolio } from "../../margin/resolve/resolvePortfolio.js";
import type { MarginSnapshotRow } from "../../store/marginStore.js";
import type { LiveAccount } from "../liveAccount.js";
import type { MarketTick } from "../liveMarket.js";

/** Why an account is left to the per-account (explained report) path. */
export type PerAccountReason = "model" | "unresolvable" | "policy";

export interface ShardFigures {
  /** Figure rows of the accounts the batch engine margined, in the order given. */
  rows: MarginSnapshotRow[];
  /** Per row: the account's status, the ids of the policy rules that fired on it joined by "," ("" when none). */
  status: string[];
  /** Accounts for the per-account path, which builds (and stores) their explained report. */
  perAccount: Array<{ account: LiveAccount; why: PerAccountReason }>;
}

/** Sum from 0 in item order: the report's equity is summed so (`assembleReport`), so the two agree to the bit. */
const equityOf = (p: ResolvedPortfolio): number => p.items.reduce((s, item) => s + item.valueUsd, 0);

/** Grid config of each distinct config object, keyed by its JSON (accounts share the default object in practice). */
const configKeys = new WeakMap<object, string>();
const configKey = (config: object): string => {
  let key = configKeys.get(config);
  if (key === undefined) {
    key = JSON.stringify(config);
    configKeys.set(config, key);
  }
  return key;
};

/**
 * The figures of many accounts at one tick from the batch grid engine instead of one explained report each: what a
 * worker in figures mode stores and publishes. Each account's portfolio is resolved against the tick's market (as
 * `computeAtTick` does), the accounts of each distinct grid config are margined by one `BatchGridEngine`, and the
 * rulebook is evaluated on each account's facts. An account goes to the per-account path when its model is not the
 * grid model, when it does not resolve (the per-account path reports the error), or when a rule that changes figures
 * (a margin multiplier, a collateral weight cap) fires on it. The others' figures equal `computeAtTick`'s report
 * figures exactly: the same resolution, the same engine, the same sums in the same order, and rules that only
 * restrict or alert pass the figures through `policyHeadline` with nothing added, as `applyPolicy` does.
 */
export function shardFigures(
  accounts: readonly LiveAccount[],
  tick: MarketTick,
  rulebook: Rulebook,
  reason: "tick" | "position",
): ShardFigures {
  const perAccount: ShardFigures["perAccount"] = [];
  const groups = new Map<string, { config: GridPmConfig; accounts: LiveAccount[]; resolved: ResolvedPortfolio[] }>();
  for (const account of accounts) {
    const config = account.config;
    if (config.model !== "grid") {
      perAccount.push({ account, why: "model" });
      continue;
    }
    let resolved: ResolvedPortfolio;
    try {
      resolved = resolvePortfolio(account.portfolio, tick.market);
    } catch {
      perAccount.push({ account, why: "unresolvable" });
      continue;
    }
    const key = configKey(config);
    let group = groups.get(key);
    if (!group) {
      group = { config: config as GridPmConfig, accounts: [], resolved: [] };
      groups.set(key, group);
    }
    group.accounts.push(account);
    group.resolved.push(resolved);
  }
  const figures = new Map<string, { row: MarginSnapshotRow; status: string }>();
  const marketFacts = marketPolicyFacts(tick.market);
  for (const group of groups.values()) {
    let engine: BatchGridEngine;
    try {
      engine = new BatchGridEngine(group.resolved, tick.market, group.config);
    } catch {
      // An account the layout refuses (the per-account path names the field); the others are not held back by it.
      for (const account of group.accounts) perAccount.push({ account, why: "unresolvable" });
      continue;
    }
    engine.computeAll();
    for (let i = 0; i < group.accounts.length; i++) {
      const account = group.accounts[i]!;
      const resolved = group.resolved[i]!;
      const r = engine.account(i);
      const equityUsd = equityOf(resolved);
      const facts = policyFacts(
        resolved,
        tick.market,
        {
          accountId: account.accountId,
          healthRatio: r.healthRatio,
          equityUsd,
          initialMarginUsd: r.initialMarginUsd,
          maintenanceMarginUsd: r.maintenanceMarginUsd,
          flags: resolved.flags,
        },
        {},
        marketFacts,
      );
      const fired = firedRules(rulebook, facts);
      if (fired.some((rule) => rule.actions.some(changesFigures))) {
        perAccount.push({ account, why: "policy" });
        continue;
      }
      // Grid counts the same collateral against IM and MM.
      const model = { ...r, maintenanceCollateralValueUsd: r.collateralValueUsd };
      const h = fired.length === 0 ? model : policyHeadline(model, 0, 0, 0, 0);
      figures.set(account.accountId, {
        row: {
          accountId: account.accountId,
          seq: tick.seq,
          asOf: tick.asOf,
          model: "grid",
          accountVersion: account.version,
          equityUsd,
          initialMarginUsd: h.initialMarginUsd,
          maintenanceMarginUsd: h.maintenanceMarginUsd,
          freeCollateralUsd: h.freeCollateralUsd,
          healthRatio: h.healthRatio,
          reason,
        },
        status: fired.map((rule) => rule.id).join(","),
      });
    }
  }
  const rows: MarginSnapshotRow[] = [];
  const status: string[] = [];
  for (const account of accounts) {
    const f = figures.get(account.accountId);
    if (!f) continue;
    rows.push(f.row);
    status.push(f.status);
  }
  return { rows, status, perAccount };
}
