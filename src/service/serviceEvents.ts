import type { XmarginErrorJson } from "../core/errors.js";
import type { Flag } from "../core/flags.js";
import type { MarginReportJson } from "../margin/reportJson.js";
import type { PriceJson } from "./liveMarket.js";

/** Why an account's report was (re)computed. */
export type ReportReason = "tick" | "position" | "start" | "policy";

/** What the service announces; the WebSocket hub forwards these to subscribers. */
export type ServiceEvent =
  | {
      type: "tick";
      seq: number;
      asOf: string;
      source: string;
      changed: string[];
      clockMoved: boolean;
      /** Accounts recomputed because of this tick (the others do not depend on what changed). */
      recomputed: string[];
      prices: PriceJson[];
    }
  | {
      type: "report";
      accountId: string;
      seq: number;
      asOf: string;
      reason: ReportReason;
      version: number;
      report: MarginReportJson;
    }
  | {
      /**
       * Scale-out figures mode: an account's headline figures at a tick, as a worker stored them (decimal strings as
       * in a report). Its explained report is computed on request (`GET /v1/accounts/:id/margin`).
       */
      type: "figures";
      accountId: string;
      seq: number;
      asOf: string;
      reason: ReportReason;
      version: number;
      model: string;
      equity: string;
      initialMargin: string;
      maintenanceMargin: string;
      freeCollateral: string;
      healthRatio: string | null;
      /** Ids of the policy rules that fired (restrictions, alerts). */
      firedRules: string[];
    }
  | { type: "account-error"; accountId: string; seq: number; error: XmarginErrorJson }
  | { type: "plan"; accountId: string; plan: Record<string, unknown> }
  | {
      /** Live mode: a plan's on-chain execution record (tx hashes, receipts, state) after each stage. */
      type: "execution";
      accountId: string;
      planId: number;
      execution: Record<string, unknown>;
    }
  | {
      /** Live mode: a reorg, an RPC outage or recovery, provisional data or read failures on a chain. */
      type: "chain";
      origin: string;
      flags: Flag[];
      reorg?: { chain: string; depth: number; forkBlock: string; reverted: string[] };
      /** Followed accounts whose holdings this update changed. */
      accounts: string[];
      status?: "up" | "down";
    };

export type ServiceListener = (event: ServiceEvent) => void;

/** Fan-out of service events to listeners; a failing listener is logged and never stops the others. */
export class ServiceEvents {
  private readonly listeners = new Set<ServiceListener>();

  constructor(private readonly log: (line: string) => void) {}

  on(listener: ServiceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: ServiceEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.log(`listener failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}
