import type { BridgeExecutor } from "../chains/bridge/bridgeExecutor.js";
import { movesOfPlanSteps } from "../chains/bridge/bridgeMoves.js";
import type { ExecutionRecord } from "../chains/bridge/executionJournal.js";
import { XmarginError } from "../core/errors.js";
import type { PlanProposal } from "./engines.js";
import type { LiveAccount } from "./liveAccount.js";
import type { MarginService } from "./marginService.js";

/** How plans reach the chains: never (default), after an operator approves through the API, or at once. */
export type ExecutionMode = "dry-run" | "approval" | "automatic";

/**
 * Executed rebalancing in live mode. `automatic`: a plan the rebalancer finds applicable (the account's policy has
 * `dryRun: false`) is executed at once; `approval`: it waits until `POST /v1/accounts/:id/plans/:planId/approve`;
 * `dry-run`: plans are only recorded. Execution goes through the `BridgeExecutor` (journal in the store: a plan is
 * never sent twice, also across restarts); its record (tx hashes, receipts, states) is announced as an `execution` event
 * and kept as the plan's audit trail. After the locks, the record is refreshed until the relayer has released every
 * move on its destination chain.
 * @see docs/service.md#executed-rebalancing
 */
export class PlanExecution {
  readonly pending = new Set<Promise<unknown>>();
  private closed = false;

  constructor(
    private readonly service: MarginService,
    private readonly executor: BridgeExecutor,
    readonly mode: ExecutionMode,
    private readonly log: (line: string) => void = () => {},
    private readonly refreshMs = 1_000,
  ) {}

  /** The rebalancer's hook (`RebalancerOptions.execute`). */
  readonly onPlan = (planId: number, acc: LiveAccount, proposal: PlanProposal): void => {
    if (this.mode !== "automatic" || proposal.kind !== "rebalance") {
      this.log(`plan ${planId} for ${acc.accountId}: awaiting operator approval (${this.mode})`);
      return;
    }
    this.track(this.run(planId, acc.accountId, proposal.steps));
  };

  /** Operator approval: executes a stored rebalancing plan of the account (idempotent: a second call sends nothing). */
  async approve(accountId: string, planId: number): Promise<ExecutionRecord> {
    if (this.mode === "dry-run") {
      throw new XmarginError("execution is off (dry-run): start the service with an execution mode", {
        code: "CONFLICT",
      });
    }
    const plan = (await this.service.store.listPlans(accountId, 10_000)).find((p) => p.id === planId);
    if (!plan) {
      throw new XmarginError(`no plan ${planId} for account "${accountId}"`, { code: "NOT_FOUND", path: "$.planId" });
    }
    const record = plan.record as { kind?: string; proposal?: { steps?: Array<Record<string, unknown>> } | null };
    if (record.kind !== "rebalance" || !record.proposal?.steps?.length) {
      throw new XmarginError(`plan ${planId} has no cross-chain moves to execute`, {
        code: "CONFLICT",
        path: "$.planId",
      });
    }
    return this.run(planId, accountId, record.proposal.steps);
  }

  /** Stops following releases (service shutdown); records stay in the journal and resume on the next approve/run. */
  close(): void {
    this.closed = true;
  }

  execution(planId: number): Promise<ExecutionRecord | undefined> {
    return this.executor.record(String(planId));
  }

  private async run(
    planId: number,
    accountId: string,
    steps: ReadonlyArray<Record<string, unknown>>,
  ): Promise<ExecutionRecord> {
    const moves = movesOfPlanSteps(steps);
    const record = await this.executor.execute(String(planId), accountId, moves);
    this.announce(accountId, planId, record);
    this.track(this.followRelease(accountId, planId));
    return record;
  }

  private async followRelease(accountId: string, planId: number): Promise<void> {
    while (!this.closed) {
      await new Promise((r) => setTimeout(r, this.refreshMs).unref());
      const record = await this.executor.refresh(String(planId));
      if (record?.state !== "awaiting-release") {
        if (record) this.announce(accountId, planId, record);
        return;
      }
    }
  }

  private announce(accountId: string, planId: number, execution: ExecutionRecord): void {
    this.service.emit({ type: "execution", accountId, planId, execution: { ...execution } });
  }

  private track(p: Promise<unknown>): void {
    const guarded = p.catch((err: unknown) =>
      this.log(`execution: ${err instanceof Error ? err.message : String(err)}`),
    );
    this.pending.add(guarded);
    void guarded.finally(() => this.pending.delete(guarded));
  }
}
