import { formatDecimal, formatUsd } from "../core/decimal.js";
import type { MarginReport } from "../margin/report.js";
import { allChainsFeedKey } from "../oracles/feedKey.js";
import type { BridgeLimits, PlanEngine, PlanProposal } from "./engines.js";
import { bandMetaKey, type LiveAccount } from "./liveAccount.js";
import type { MarketTick } from "./liveMarket.js";
import type { MarginService } from "./marginService.js";
import { type BandState, bandStateOf, type RebalancePolicy } from "./rebalancePolicy.js";

export interface RebalancerOptions {
  engine: PlanEngine;
  /** Plans are POSTed here as `{ type: "plan", plan }` when set. */
  webhookUrl?: string;
  webhookTimeoutMs: number;
  log?: (line: string) => void;
  /**
   * Live mode: executes an applicable plan on chain instead of applying it to the stored portfolio (the holdings
   * then change through the chain follower).
   */
  execute?: (planId: number, account: LiveAccount, proposal: PlanProposal) => void;
}

const headline = (r: MarginReport) => ({
  equity: formatUsd(r.equityUsd),
  initialMargin: formatUsd(r.initialMarginUsd),
  maintenanceMargin: formatUsd(r.maintenanceMarginUsd),
  freeCollateral: formatUsd(r.freeCollateralUsd),
  healthRatio: r.healthRatio === null ? null : formatDecimal(r.healthRatio, 6),
});

/** Numbers of an engine's step objects as decimal strings (the JSON convention), `order` kept as a number. */
export function stepsToJson(value: unknown, key = ""): unknown {
  if (typeof value === "number") {
    return key === "order" || !Number.isFinite(value) ? value : formatDecimal(value, 10);
  }
  if (Array.isArray(value)) return value.map((v) => stepsToJson(v));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stepsToJson(v, k)]));
  }
  return value;
}

function bridgeLimits(policy: RebalancePolicy, tick: MarketTick): BridgeLimits {
  const allowed = policy.allowedBridges;
  const names = [...new Set(tick.snapshot.bridges.flatMap((b) => (b.name ? [b.name] : [])))];
  return {
    maxLatencySec: policy.maxBridgeLatencySec,
    excludeRoutes: allowed === undefined ? [] : names.filter((n) => !allowed.includes(n)),
  };
}

function why(state: BandState, previous: BandState | undefined, health: number | null, p: RebalancePolicy): string {
  const h = health === null ? "none" : formatDecimal(health, 4);
  const from = previous ? ` (was ${previous})` : "";
  switch (state) {
    case "below-maintenance":
      return `health ${h} is below 1: the account is liquidatable${from}; a liquidation plan restores initial margin`;
    case "below-band":
      return `health ${h} fell below the policy band minimum ${p.targetHealth.min}${from}`;
    case "above-band":
      return `health ${h} rose above the policy band maximum ${p.targetHealth.max}${from}: collateral is idle`;
    default:
      return `health ${h}: ${state}${from}`;
  }
}

/**
 * Automated rebalancing. After each new report of an account with a policy, classifies its health against the band;
 * when the account leaves the band (or changes side), computes the plan (rebalancing between band edges, liquidation
 * below maintenance), checks it against the policy's cost limit, stores an audit record (what was seen, what was
 * proposed, why), announces it on the stream and POSTs it to the webhook. Dry-run by default; with `dryRun: false`
 * the plan's portfolio replaces the stored one (paper execution).
 */
export class Rebalancer {
  private readonly log: (line: string) => void;
  /** Plans being stored and webhook deliveries in flight (tests and shutdown wait for them). */
  readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly service: MarginService,
    private readonly options: RebalancerOptions,
  ) {
    this.log = options.log ?? (() => {});
    service.onReport((acc, tick) => this.evaluate(acc, tick));
  }

  /** The report hook: classifies the account's new report and, when it left its band, starts storing a plan. */
  evaluate(acc: LiveAccount, tick: MarketTick): void {
    const policy = acc.policy;
    const report = acc.report;
    if (!policy || !report) return;
    const state = bandStateOf(report.healthRatio, report.maintenanceCollateralValueUsd, policy);
    const previous = acc.band;
    if (state === previous) return;
    acc.band = state;
    this.track(
      (async () => {
        await this.service.store.setMeta(bandMetaKey(acc.accountId), state);
        if (state === "in-band" || state === "no-requirement") return;
        await this.plan(acc, tick, report, policy, state, previous);
      })(),
      `account ${acc.accountId}: rebalancing`,
    );
  }

  /** Keeps a background task in `pending` until it settles; its failure is logged (a hook has no caller to tell). */
  private track(task: Promise<void>, what: string): void {
    const p = task.catch((err: unknown) =>
      this.log(`${what} failed: ${err instanceof Error ? err.message : String(err)}`),
    );
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async plan(
    acc: LiveAccount,
    tick: MarketTick,
    report: MarginReport,
    policy: RebalancePolicy,
    state: BandState,
    previous: BandState | undefined,
  ): Promise<void> {
    const limits = bridgeLimits(policy, tick);
    const kind = state === "below-maintenance" ? "liquidation" : "rebalance";
    let proposal: PlanProposal | undefined;
    let failure: string | undefined;
    try {
      proposal =
        kind === "liquidation"
          ? this.options.engine.liquidate(acc.portfolio, tick.snapshot, acc.config, limits)
          : this.options.engine.rebalance(acc.portfolio, tick.snapshot, acc.config, limits);
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
    }
    const overCost = proposal !== undefined && proposal.totalCostUsd > policy.maxCostUsd;
    const status = failure ? "error" : overCost ? "over-cost-limit" : proposal!.status;
    const applicable = !failure && !overCost && proposal!.steps.length > 0 && !policy.dryRun;
    const seenPrices: Record<string, string> = {};
    for (const d of [...acc.deps].sort()) {
      const p = tick.market.underlyings.get(d)?.price ?? tick.market.tokenPrices.get(allChainsFeedKey(d));
      if (p) seenPrices[d] = formatDecimal(p.priceUsd, 10);
    }
    const record: Record<string, unknown> = {
      accountId: acc.accountId,
      kind,
      status,
      dryRun: policy.dryRun,
      applied: applicable,
      createdAt: new Date().toISOString(),
      trigger: {
        from: previous ?? null,
        to: state,
        band: policy.targetHealth,
        why: why(state, previous, report.healthRatio, policy),
      },
      seen: {
        seq: tick.seq,
        asOf: tick.asOf,
        marketSource: tick.source,
        accountVersion: acc.version,
        model: report.model,
        ...headline(report),
        prices: seenPrices,
        flags: report.flags.filter((f) => f.severity !== "info").map((f) => `${f.severity} ${f.code}: ${f.message}`),
      },
      policy,
      bridgeLimits: limits,
      proposal: proposal
        ? {
            message: proposal.message,
            steps: stepsToJson(proposal.steps),
            totalCost: formatUsd(proposal.totalCostUsd),
            completionSec: proposal.completionSec,
            after: headline(proposal.after),
          }
        : null,
      ...(failure ? { error: failure } : {}),
      ...(overCost
        ? {
            rejected: `total cost ${formatUsd(proposal!.totalCostUsd)} USD exceeds the policy limit ${formatUsd(policy.maxCostUsd)} USD`,
          }
        : {}),
    };
    const id = await this.service.store.insertPlan({
      accountId: acc.accountId,
      createdAt: record.createdAt as string,
      seq: tick.seq,
      asOf: tick.asOf,
      kind,
      status,
      record,
    });
    record.id = id;
    this.log(`plan ${id} for ${acc.accountId}: ${kind} ${status} (${(record.trigger as { why: string }).why})`);
    this.service.emit({ type: "plan", accountId: acc.accountId, plan: record });
    if (this.options.webhookUrl) this.deliver(id, record, this.options.webhookUrl);
    if (applicable && proposal && this.options.execute) this.options.execute(id, acc, proposal);
    else if (applicable && proposal) {
      // Not awaited: this runs inside the service's report hook, and the write queues behind the current mutation.
      this.track(
        this.service
          .putAccount(acc.accountId, { portfolio: { ...proposal.portfolio, accountId: acc.accountId } })
          .then(() => undefined),
        `plan ${id} for ${acc.accountId}: paper execution`,
      );
    }
  }

  private deliver(id: number, record: Record<string, unknown>, url: string): void {
    this.track(
      (async () => {
        let outcome: string;
        try {
          const res = await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ type: "plan", plan: record }),
            signal: AbortSignal.timeout(this.options.webhookTimeoutMs),
          });
          outcome = `HTTP ${res.status}`;
          await res.arrayBuffer();
        } catch (err) {
          outcome = `failed: ${err instanceof Error ? err.message : String(err)}`;
        }
        await this.service.store.setPlanDelivery(id, outcome);
      })(),
      `plan ${id}: recording the webhook delivery`,
    );
  }
}
