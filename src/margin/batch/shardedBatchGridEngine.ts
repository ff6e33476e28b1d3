/**
 * `BatchGridEngine` split across worker threads: accounts are cut into contiguous shards, one per worker; each worker
 * keeps its shard's state and writes IM, MM and collateral into result columns on one SharedArrayBuffer, so nothing
 * but a small command crosses threads on a tick. Each worker revalues the ticked underlying's option instruments for
 * itself (a few hundred Black-76 calls), then its own accounts. Results are the single-threaded engine's, bit for bit.
 *
 * Accounts are added, replaced and removed one at a time. Each account has a slot in the result columns; a removed
 * account's slot reads NaN and is given to the next account added, which goes to the worker with the fewest accounts.
 * When no slot is free the columns double: a new SharedArrayBuffer, to which every worker moves its accounts' results
 * before it writes there. Operations run one after another (a queue), so a caller never reads a column half moved.
 *
 * Node-only (worker_threads); the worker script is `gridWorker.js` next to this module once compiled (`dist/`).
 */
import { Worker } from "node:worker_threads";
import { calculationFailed, invalidInput, XmarginError } from "../../core/errors.js";
import type { UnderlyingState } from "../../pricing/types.js";
import type { GridPmConfig } from "../gridPm/config.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedPortfolio } from "../resolve/resolvedPortfolio.js";
import type { BatchResultColumns, TickStats } from "./batchGridEngine.js";
import { cutLines } from "./documentLines.js";
import { ResultViews } from "./resultViews.js";
import {
  newSharedResults,
  type ShardDocuments,
  type ShardTarget,
  sharedResultColumns,
  type WorkerCommand,
  type WorkerReply,
} from "./workerProtocol.js";

export interface ShardedBatchOptions {
  /** Number of worker threads (default 2). */
  workers?: number;
  /** URL of the compiled worker script; default `./gridWorker.js` beside this module. */
  workerUrl?: URL;
  /**
   * How `fromDocuments` hands each worker its documents: "json" (default), one JSON text parsed there (the bench
   * measured 25-48% less wall time than "clone"), or "clone", a structured clone of the objects. Documents JSON cannot
   * write (a BigInt, a cycle) go as a clone; a value JSON writes in another form arrives in that form (a Date as its
   * ISO text; NaN as null, refused all the same).
   */
  documentsAs?: "json" | "clone";
}

interface Pending {
  resolve: (r: WorkerReply) => void;
  reject: (e: Error) => void;
}

class WorkerHandle {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  /** Why the worker is gone (crashed or stopped): its requests fail at once instead of waiting for no reply. */
  private gone: Error | undefined;
  constructor(readonly worker: Worker) {
    worker.on("message", (r: WorkerReply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (r.ok) p.resolve(r);
      else if (r.code) p.reject(new XmarginError(r.error, { code: r.code, path: r.path, details: r.details }));
      else p.reject(calculationFailed("batch grid worker failed", r.error));
    });
    worker.on("error", (e) => this.fail(e));
    worker.on("exit", (code) => this.fail(calculationFailed("batch grid worker stopped", `exit code ${code}`)));
  }

  request(msg: WorkerCommand): Promise<WorkerReply> {
    if (this.gone) return Promise.reject(this.gone);
    const id = this.nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...msg, id });
    });
  }

  private fail(e: Error): void {
    this.gone ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}

/** Results by slot (`ResultViews`): a free slot's id is "" and its figures NaN. */
export class ShardedBatchGridEngine extends ResultViews {
  /** Typed-array bytes of each worker's engine state (at start, then after each account added). */
  readonly workerStateBytes: number[];
  private readonly handles: WorkerHandle[];
  private shared: SharedArrayBuffer;
  private capacity: number;
  /** Per slot: its account's worker (-1 while free). */
  private readonly slotWorker: number[];
  private readonly freeSlots: number[] = [];
  private readonly indexById: Map<string, number>;
  /** Live accounts per worker. */
  private readonly load: number[];
  /** The last operation queued: each starts when it is done (failed or not). */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(accountIds: string[], started: Started, shardSizes: number[]) {
    super();
    // A loop, not push(...ids): spreading a million ids overflows the call stack.
    for (const id of accountIds) this.ids.push(id);
    this.shared = started.shared;
    this.capacity = started.capacity;
    this.handles = started.handles;
    this.workerStateBytes = started.replies.map((r) => (r.ok ? (r.stateBytes ?? 0) : 0));
    this.slotWorker = shardSizes.flatMap((size, w) => new Array<number>(size).fill(w));
    this.load = shardSizes;
    this.indexById = new Map(accountIds.map((id, a) => [id, a]));
    this.views = this.makeViews();
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
    const sizes = shardSizes(portfolios.length, workerCount(options));
    const started = await ShardedBatchGridEngine.start(sizes, options, (_, from, to) => ({
      op: "init",
      portfolios: portfolios.slice(from, to),
      market,
      config,
    }));
    return new ShardedBatchGridEngine(
      portfolios.map((p) => p.accountId),
      started,
      sizes,
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
    const sizes = shardSizes(documents.length, workerCount(options));
    return ShardedBatchGridEngine.onboard(sizes, market, config, options, (_, from, to) =>
      shardDocuments(documents.slice(from, to), options.documentsAs ?? "json"),
    );
  }

  /**
   * Bulk onboarding from JSON lines, one document per line: the text is cut at line ends and each worker parses,
   * validates, resolves and lays out its own lines, so no document is parsed or copied as objects on this thread.
   * @param lines documents as JSON lines (one final line end allowed; an empty line is a bad document)
   * @throws Error naming the first bad document by its line's index (`$[41].positions[2].size`, `$[7]` not JSON)
   */
  static async fromDocumentLines(
    lines: string,
    market: ResolvedMarket,
    config: GridPmConfig,
    options: ShardedBatchOptions = {},
  ): Promise<ShardedBatchGridEngine> {
    const shards = cutLines(lines, workerCount(options));
    const sizes = shards.map((s) => s.count);
    return ShardedBatchGridEngine.onboard(sizes, market, config, options, (w) => ({ lines: shards[w]! }));
  }

  private static async onboard(
    sizes: number[],
    market: ResolvedMarket,
    config: GridPmConfig,
    options: ShardedBatchOptions,
    documentsOf: (w: number, from: number, to: number) => ShardDocuments,
  ): Promise<ShardedBatchGridEngine> {
    const started = await ShardedBatchGridEngine.start(sizes, options, (w, from, to) => ({
      op: "initDocuments",
      documents: documentsOf(w, from, to),
      market,
      config,
    }));
    const ids = started.replies.flatMap((r) => (r.ok ? (r.accountIds ?? []) : []));
    return new ShardedBatchGridEngine(ids, started, sizes);
  }

  /** Starts one worker per shard and lays each shard out from `firstSlot` = its first account's place. */
  private static async start(
    sizes: number[],
    options: ShardedBatchOptions,
    initOf: (w: number, from: number, to: number) => InitCommand,
  ): Promise<Started> {
    const capacity = Math.max(
      1,
      sizes.reduce((x, y) => x + y, 0),
    );
    const shared = newSharedResults(capacity);
    const url = options.workerUrl ?? new URL("./gridWorker.js", import.meta.url);
    const handles: WorkerHandle[] = [];
    const inits: Array<Promise<WorkerReply>> = [];
    try {
      // Every worker starts (loads its modules) first, while this thread writes the shards' messages one by one.
      for (let w = 0; w < sizes.length; w++) handles.push(new WorkerHandle(new Worker(url)));
      let from = 0;
      sizes.forEach((size, w) => {
        const target: ShardTarget = { shared, capacity, firstSlot: from };
        inits.push(handles[w]!.request({ ...initOf(w, from, from + size), ...target }));
        from += size;
      });
      return { shared, capacity, handles, replies: await Promise.all(inits) };
    } catch (e) {
      await Promise.all(handles.map((h) => h.worker.terminate()));
      throw e;
    }
  }

  /** Live accounts on each worker. */
  get accountsPerWorker(): readonly number[] {
    return this.load;
  }

  /** Slot of a live account, or undefined. */
  accountIndex(accountId: string): number | undefined {
    return this.indexById.get(accountId);
  }

  /** Cold re-margin of every account, all workers in parallel. */
  computeAll(): Promise<void> {
    return this.serial(async () => {
      await Promise.all(this.handles.map((h) => h.request({ op: "computeAll" })));
    });
  }

  /**
   * Incremental re-margin after one underlying ticks. Stats are summed over the workers: groups and accounts as the
   * single engine counts them, instruments as revalued (a listed instrument held in two shards is revalued twice).
   */
  tick(symbol: string, state: UnderlyingState): Promise<TickStats> {
    return this.serial(async () => {
      const replies = await Promise.all(this.handles.map((h) => h.request({ op: "tick", symbol, state })));
      const total: TickStats = { instrumentsRevalued: 0, groupsRecomputed: 0, accountsUpdated: 0 };
      for (const r of replies) {
        if (!r.ok || !r.stats) continue;
        total.instrumentsRevalued += r.stats.instrumentsRevalued;
        total.groupsRecomputed += r.stats.groupsRecomputed;
        total.accountsUpdated += r.stats.accountsUpdated;
      }
      return total;
    });
  }

  /**
   * Adds one account on the worker with the fewest accounts and margins it there at the engine's current prices. It
   * takes a removed account's slot if one is free, else the next; with none left the result columns double first.
   * @param portfolio resolved against a market with the engine's current prices
   * @returns the account's slot
   * @throws XmarginError `INVALID_INPUT` if the id is already present; the worker's error if it refuses the account
   *   (the engine is then as it was, the columns possibly grown)
   */
  addAccount(portfolio: ResolvedPortfolio): Promise<number> {
    return this.serial(async () => {
      const id = portfolio.accountId;
      if (this.indexById.has(id)) throw invalidInput("$.accountId", `account ${id} is already in the engine`);
      const reused = this.freeSlots.length > 0;
      const slot = reused ? this.freeSlots.pop()! : this.ids.length;
      if (slot >= this.capacity) await this.grow(slot + 1);
      const w = this.leastLoaded();
      try {
        const r = await this.handles[w]!.request({ op: "add", portfolio, slot });
        if (r.ok && r.stateBytes !== undefined) this.workerStateBytes[w] = r.stateBytes;
      } catch (e) {
        if (reused) this.freeSlots.push(slot);
        throw e;
      }
      this.ids[slot] = id;
      this.slotWorker[slot] = w;
      this.indexById.set(id, slot);
      this.load[w]!++;
      this.views = this.makeViews();
      return slot;
    });
  }

  /**
   * Replaces one account's positions on the worker that holds it (same id, same slot); only that account is
   * re-margined and its results land in the shared columns.
   * @throws XmarginError `INVALID_INPUT` if no account has this id
   */
  replaceAccount(portfolio: ResolvedPortfolio): Promise<void> {
    return this.serial(async () => {
      await this.handles[this.workerOf(portfolio.accountId)]!.request({ op: "replace", portfolio });
    });
  }

  /** Removes one account on the worker that holds it; its slot reads NaN until an account added takes it. */
  removeAccount(accountId: string): Promise<void> {
    return this.serial(async () => {
      const w = this.workerOf(accountId);
      await this.handles[w]!.request({ op: "remove", accountId });
      const slot = this.indexById.get(accountId)!;
      this.indexById.delete(accountId);
      this.ids[slot] = "";
      this.slotWorker[slot] = -1;
      this.freeSlots.push(slot);
      this.load[w]!--;
    });
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await Promise.all(this.handles.map((h) => h.worker.terminate()));
  }

  /** Runs `op` after every operation queued before it, whatever their outcome. */
  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Doubles the result columns (at least to `slots`): a new NaN-filled buffer, every worker moves its accounts'
   * results there; only then do this thread's views move, so a reader sees the old columns or the complete new ones.
   */
  private async grow(slots: number): Promise<void> {
    const capacity = Math.max(slots, 2 * this.capacity);
    const shared = newSharedResults(capacity);
    await Promise.all(this.handles.map((h) => h.request({ op: "attach", shared, capacity })));
    this.shared = shared;
    this.capacity = capacity;
    this.views = this.makeViews();
  }

  private makeViews(): BatchResultColumns {
    const all = sharedResultColumns(this.shared, this.capacity);
    const n = this.ids.length;
    return {
      initialMarginUsd: all.initialMarginUsd.subarray(0, n),
      maintenanceMarginUsd: all.maintenanceMarginUsd.subarray(0, n),
      collateralValueUsd: all.collateralValueUsd.subarray(0, n),
    };
  }

  private leastLoaded(): number {
    let best = 0;
    for (let w = 1; w < this.load.length; w++) if (this.load[w]! < this.load[best]!) best = w;
    return best;
  }

  private workerOf(accountId: string): number {
    const slot = this.indexById.get(accountId);
    if (slot === undefined) throw invalidInput("$.accountId", `no account ${accountId} in the engine`);
    return this.slotWorker[slot]!;
  }
}

/** An init command before its shard target is added. */
type InitCommand = DistributiveOmit<Extract<WorkerCommand, { op: "init" | "initDocuments" }>, keyof ShardTarget>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

interface Started {
  shared: SharedArrayBuffer;
  capacity: number;
  handles: WorkerHandle[];
  replies: WorkerReply[];
}

/** A shard's documents as they cross to the worker: JSON text if asked and JSON can write them, else the objects. */
function shardDocuments(documents: unknown[], as: "json" | "clone"): ShardDocuments {
  if (as === "clone") return { objects: documents };
  try {
    return { json: JSON.stringify(documents) };
  } catch {
    return { objects: documents };
  }
}

function workerCount(options: ShardedBatchOptions): number {
  return Math.max(1, Math.floor(options.workers ?? 2));
}

/** Shard sizes of n accounts on `workers` workers: contiguous cuts at floor(w * n / workers). */
function shardSizes(n: number, workers: number): number[] {
  return Array.from({ length: workers }, (_, w) => Math.floor(((w + 1) * n) / workers) - Math.floor((w * n) / workers));
}
