import type { UnderlyingState } from "../../pricing/types.js";
import type { TickStats } from "./batchGridEngine.js";

/** Where a worker writes its shard's results: three columns of nTotal doubles each (IM, MM, collateral). */
interface ShardTarget {
  shared: SharedArrayBuffer;
  offset: number;
  nTotal: number;
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
      /** Untrusted portfolio documents of the shard: the worker validates and resolves them itself. */
      documents: unknown[];
      market: unknown;
      config: unknown;
    } & ShardTarget)
  | { op: "computeAll"; id: number }
  /** A ResolvedPortfolio (structured-cloned) replacing the shard's account of the same id. */
  | { op: "replace"; id: number; portfolio: unknown }
  | { op: "remove"; id: number; accountId: string }
  | { op: "tick"; id: number; symbol: string; state: UnderlyingState };

export type WorkerReply =
  | { id: number; ok: true; stats?: TickStats; stateBytes?: number; accountIds?: string[] }
  | { id: number; ok: false; error: string; path?: string };

type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;
/** A request before the handle numbers it. */
export type WorkerCommand = WithoutId<WorkerRequest>;
