/**
 * `BatchGridEngine` split across worker threads: accounts are cut into contiguous shards, one per worker; each worker
 * keeps its shard's state and writes IM, MM and collateral into result columns on one SharedArrayBuffer, so nothing
 * but a small command crosses threads on a tick. Each worker revalues the ticked underlying's option instruments for
 * itself (a few hundred Black-76 calls), then its own accounts. Results are the single-threaded engine's, bit for bit.
 *
 * Node-only (worker_threads); the worker script is `gridWorker.js` next to this module once compiled (`dist/`).
 */
import { Worker } from "node:worker_threads";
import { calculationFailed, invalidInput } from "../../core/errors.js";
import type { UnderlyingState } from "../../pricing/types.js";
import type { GridPmConfig } from "../gridPm/config.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedPortfolio } from "../resolve/resolvedPortfolio.js";
import type { BatchResultColumns, TickStats } from "./batchGridEngine.js";
import type { WorkerCommand, WorkerReply } from "./workerProtocol.js";

export interface ShardedBatchOptions {
  /** Number of worker threads (default 2). */
  workers?: number;
  /** URL of the compiled worker script; default `./gridWorker.js` beside this module. */
  workerUrl?: URL;
}

interface Pending {
  resolve: (r: WorkerReply) => void;
  reject: (e: Error) => void;
}

class WorkerHandle {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  constructor(readonly worker: Worker) {
    worker.on("message", (r: WorkerReply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (r.ok) p.resolve(r);
      else p.reject(calculationFailed("batch grid worker failed", r.error));
    });
    worker.on("error", (e) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    });
  }

  request(msg: WorkerCommand): Promise<WorkerReply> {
    const id = this.nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...msg, id });
    });
  }
}

export class ShardedBatchGridEngine implements BatchResultColumns {
  readonly nAccounts: number;
  readonly accountIds: readonly string[];
  readonly initialMarginUsd: Float64Array;
  readonly maintenanceMarginUsd: Float64Array;
  readonly collateralValueUsd: Float64Array;
  /** Typed-array bytes of each worker's engine state. */
  readonly workerStateBytes: number[];
  private readonly handles: WorkerHandle[];
  private indexById: Map<string, number> | undefined;

  private constructor(accountIds: string[], shared: SharedArrayBuffer, handles: WorkerHandle[], bytes: number[]) {
    const n = accountIds.length;
    this.nAccounts = n;
    this.accountIds = accountIds;
    this.initialMarginUsd = new Float64Array(shared, 0, n);
    this.maintenanceMarginUsd = new Float64Array(shared, 8 * n, n);
    this.collateralValueUsd = new Float64Array(shared, 16 * n, n);
    this.handles = handles;
    this.workerStateBytes = bytes;
  }

  /**
   * Starts the workers and lays their shards out (no revaluation yet: call `computeAll`).
   * @param portfolios resolved accounts, all against `market`
   * @param market the resolved market
   * @param config grid model parameters
   */
  static async create(
    portfolios: readonly ResolvedPortfolio[],
    market: ResolvedMarket,
    config: GridPmConfig,
    options: ShardedBatchOptions = {},
  ): Promise<ShardedBatchGridEngine> {
    return ShardedBatchGridEngine.start(portfolios.length, options, (from, to, target) => ({
      op: "init",
      portfolios: portfolios.slice(from, to),
      market,
      config,
      ...target,
    })).then(
      ({ shared, handles, replies }) =>
        new ShardedBatchGridEngine(
          portfolios.map((p) => p.accountId),
          shared,
          handles,
          replies.map((r) => (r.ok ? (r.stateBytes ?? 0) : 0)),
        ),
    );
  }

  /**
   * Bulk onboarding on all workers: each validates, resolves and lays out its shard of untrusted documents
   * (`BatchGridEngine.fromDocuments`), in parallel; nothing resolved crosses threads.
   * @throws Error naming the first bad document's JSON path in the whole batch (`$[41].positions[2].size`)
   */
  static async fromDocuments(
    documents: readonly unknown[],
    market: ResolvedMarket,
    config: GridPmConfig,
    options: ShardedBatchOptions = {},
  ): Promise<ShardedBatchGridEngine> {
    const { shared, handles, replies } = await ShardedBatchGridEngine.start(
      documents.length,
      options,
      (from, to, target) => ({ op: "initDocuments", documents: documents.slice(from, to), market, config, ...target }),
    );
    const ids = replies.flatMap((r) => (r.ok ? (r.accountIds ?? []) : []));
    return new ShardedBatchGridEngine(
      ids,
      shared,
      handles,
      replies.map((r) => (r.ok ? (r.stateBytes ?? 0) : 0)),
    );
  }

  private static async start(
    n: number,
    options: ShardedBatchOptions,
    initOf: (
      from: number,
      to: number,
      target: { shared: SharedArrayBuffer; offset: number; nTotal: number },
    ) => WorkerCommand,
  ): Promise<{ shared: SharedArrayBuffer; handles: WorkerHandle[]; replies: WorkerReply[] }> {
    const nWorkers = Math.max(1, Math.floor(options.workers ?? 2));
    const shared = new SharedArrayBuffer(3 * 8 * Math.max(1, n));
    const url = options.workerUrl ?? new URL("./gridWorker.js", import.meta.url);
    const handles: WorkerHandle[] = [];
    const inits: Array<Promise<WorkerReply>> = [];
    try {
      for (let w = 0; w < nWorkers; w++) {
        const from = Math.floor((w * n) / nWorkers);
        const to = Math.floor(((w + 1) * n) / nWorkers);
        const h = new WorkerHandle(new Worker(url));
        handles.push(h);
        inits.push(h.request(initOf(from, to, { shared, offset: from, nTotal: n })));
      }
      return { shared, handles, replies: await Promise.all(inits) };
    } catch (e) {
      await Promise.all(handles.map((h) => h.worker.terminate()));
      throw e;
    }
  }

  /** Cold re-margin of every account, all workers in parallel. */
  async computeAll(): Promise<void> {
    await Promise.all(this.handles.map((h) => h.request({ op: "computeAll" })));
  }

  /**
   * Incremental re-margin after one underlying ticks. Stats are summed over the workers: groups and accounts as the
   * single engine counts them, instruments as revalued (a listed instrument held in two shards is revalued twice).
   */
  async tick(symbol: string, state: UnderlyingState): Promise<TickStats> {
    const replies = await Promise.all(this.handles.map((h) => h.request({ op: "tick", symbol, state })));
    const total: TickStats = { instrumentsRevalued: 0, groupsRecomputed: 0, accountsUpdated: 0 };
    for (const r of replies) {
      if (!r.ok || !r.stats) continue;
      total.instrumentsRevalued += r.stats.instrumentsRevalued;
      total.groupsRecomputed += r.stats.groupsRecomputed;
      total.accountsUpdated += r.stats.accountsUpdated;
    }
    return total;
  }

  /**
   * Replaces one account's positions on the worker that holds it (same id, same index); only that account is
   * re-margined and its results land in the shared columns.
   * @throws XmarginError `INVALID_INPUT` if no account has this id
   */
  async replaceAccount(portfolio: ResolvedPortfolio): Promise<void> {
    await this.handles[this.shardOf(portfolio.accountId)]!.request({ op: "replace", portfolio });
  }

  /** Removes one account on the worker that holds it; its results read NaN from then on. */
  async removeAccount(accountId: string): Promise<void> {
    await this.handles[this.shardOf(accountId)]!.request({ op: "remove", accountId });
  }

  /** The worker holding an account: shards are contiguous, `create` cuts them at floor(w * n / workers). */
  private shardOf(accountId: string): number {
    this.indexById ??= new Map(this.accountIds.map((id, a) => [id, a]));
    const a = this.indexById.get(accountId) ?? -1;
    if (a < 0) throw invalidInput("$.accountId", `no account ${accountId} in the engine`);
    const n = this.nAccounts;
    const workers = this.handles.length;
    for (let w = workers - 1; w >= 0; w--) if (a >= Math.floor((w * n) / workers)) return w;
    return 0;
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await Promise.all(this.handles.map((h) => h.worker.terminate()));
  }
}
