import type { MessagePort } from "node:worker_threads";
import type { XchainAccountResult } from "./remarginShard.js";

/** Messages from `XchainVenue` to its workers. */
export type VenueRequest =
  /** Untrusted account documents of the shard and the xchain config; the worker validates and keeps them. */
  | { op: "load"; id: number; documents: unknown[]; firstIndex: number; config: unknown; exchange?: ExchangeSetup }
  /** A tick: the untrusted market snapshot; every account of the shard is re-margined against it. */
  | { op: "tick"; id: number; snapshot: unknown; fullReports: boolean };

/** A worker's part in the venue's vector exchange (vectorExchange.ts): the shared claims, its index, ports to the others. */
export interface ExchangeSetup {
  memory: Int32Array;
  self: number;
  ports: MessagePort[];
}

/**
 * Where one worker's tick went (epoch milliseconds, `epochMs`, comparable across threads): received, market parsed
 * and resolved, accounts re-margined, reply posted; and, within the accounts' time, the scenario-set builds and the
 * instrument vectors computed.
 */
export interface WorkerTickPhases {
  receivedAtMs: number;
  marketMs: number;
  accountsMs: number;
  setBuilds: number;
  setBuildMs: number;
  vectorsComputed: number;
  /** Instrument vectors taken from another worker instead of computed. */
  vectorsReceived: number;
  repliedAtMs: number;
}

export type VenueReply =
  | { id: number; ok: true; results?: XchainAccountResult[]; accounts?: number; phases?: WorkerTickPhases }
  | { id: number; ok: false; error: { code: string; message: string; path?: string } };

/** Wall clock in epoch milliseconds, comparable across threads (each thread's origin-based time on one scale). */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
