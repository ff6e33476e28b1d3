import type { FailureReason } from "../../core/errors.js";
import type { UnderlyingState } from "../../pricing/types.js";
import type { BatchResultColumns, TickStats } from "./batchGridEngine.js";
import type { LineShard } from "./documentLines.js";

/**
 * The sharded engine's result columns on one SharedArrayBuffer: IM, MM and collateral, `capacity` doubles each, one
 * slot per account. Main thread and workers view the buffer through this one layout.
 */
export function sharedResultColumns(shared: SharedArrayBuffer, capacity: number): BatchResultColumns {
  return {
    initialMarginUsd: new Float64Array(shared, 0, capacity),
    maintenanceMarginUsd: new Float64Array(shared, 8 * capacity, capacity),
    collateralValueUsd: new Float64Array(shared, 16 * capacity, capacity),
  };
}

/** A new, NaN-filled buffer of result columns (NaN: a slot no account holds has no margin, not a margin of 0). */
export function newSharedResults(capacity: number): SharedArrayBuffer {
  const shared = new SharedArrayBuffer(3 * 8 * capacity);
  new Float64Array(shared).fill(Number.NaN);
  return shared;
}

/** A shard's documents as they cross to its worker: objects (structured-cloned), one JSON text, or JSON lines. */
export type ShardDocuments = { objects: unknown[] } | { json: string } | { lines: LineShard };

/** Where a worker writes its results: the shared columns, its shard's first account at `firstSlot`. */
export interface ShardTarget {
  shared: SharedArrayBuffer;
  capacity: number;
  firstSlot: number;
}

/** Messages from `ShardedBatchGridEngine` to its workers. */
export type WorkerRequest =
  | ({
      op: "init";
      id: number;
      /** ResolvedPortfolio[] of the shard, ResolvedMarket and GridPmConfig (structured-cloned). */
      portfolios: unknown;
      market: unknown;
      config: unknown;
    } & ShardTarget)
  | ({
      op: "initDocuments";
      id: number;
      /** Untrusted portfolio documents of the shard: the worker (parses,) validates and resolves them itself. */
      documents: ShardDocuments;
      market: unknown;
      config: unknown;
    } & ShardTarget)
  | { op: "computeAll"; id: number }
  /** A ResolvedPortfolio (structured-cloned) added to the shard, its results at `slot`. */
  | { op: "add"; id: number; portfolio: unknown; slot: number }
  /** A ResolvedPortfolio (structured-cloned) replacing the shard's account of the same id. */
  | { op: "replace"; id: number; portfolio: unknown }
  | { op: "remove"; id: number; accountId: string }
  /** Grown result columns: the worker copies its accounts' results there and writes there from now on. */
  | { op: "attach"; id: number; shared: SharedArrayBuffer; capacity: number }
  | { op: "tick"; id: number; symbol: string; state: UnderlyingState };

export type WorkerReply =
  | { id: number; ok: true; stats?: TickStats; stateBytes?: number; accountIds?: string[] }
  /** A failure: the error's short message, and its reason and JSON path when it is an `XmarginError`. */
  | { id: number; ok: false; error: string; code?: FailureReason; path?: string; details?: string };

type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;
/** A request before the handle numbers it. */
export type WorkerCommand = WithoutId<WorkerRequest>;
