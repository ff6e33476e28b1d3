import type { UnderlyingState } from "../../pricing/types.js";
import type { TickStats } from "./batchGridEngine.js";

/** Messages from `ShardedBatchGridEngine` to its workers. */
export type WorkerRequest =
  | {
      op: "init";
      id: number;
      /** ResolvedPortfolio[] of the shard, ResolvedMarket and GridPmConfig (structured-cloned). */
      portfolios: unknown;
      market: unknown;
      config: unknown;
      /** Three result columns of nTotal doubles each: IM, MM, collateral. */
      shared: SharedArrayBuffer;
      offset: number;
      nTotal: number;
    }
  | { op: "computeAll"; id: number }
  | { op: "tick"; id: number; symbol: string; state: UnderlyingState };

export type WorkerReply =
  | { id: number; ok: true; stats?: TickStats; stateBytes?: number }
  | { id: number; ok: false; error: string };

type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;
/** A request before the handle numbers it. */
export type WorkerCommand = WithoutId<WorkerRequest>;
