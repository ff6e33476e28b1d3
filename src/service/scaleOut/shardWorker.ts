import type { JsMsg } from "@nats-io/jetstream";
import { asXmarginError, XmarginError } from "../../core/errors.js";
import { DEFAULT_RULEBOOK } from "../../margin/policy/defaultRulebook.js";
import { parseRulebook, type Rulebook } from "../../margin/policy/rulebook.js";
import { marketSnapshotSchema } from "../../schema/marketSnapshot.js";
import { parseDocument } from "../../schema/validate.js";
import {
  type AccountMessage,
  accountMessageSchema,
  type OutgoingResult,
  type TickMessage,
} from "../../store/bus/busMessages.js";
import type { MarginBus } from "../../store/bus/marginBus.js";
import type { MarginSnapshotWrite, MarginStore } from "../../store/marginStore.js";
import { AccountRegistry } from "../accountRegistry.js";
import type { LiveAccount } from "../liveAccount.js";
import { LiveMarket, type MarketTick } from "../liveMarket.js";
import { marginSnapshotRow } from "../marginRows.js";
import { computeAtTick } from "../marginService.js";

export interface ShardWorkerOptions {
  store: MarginStore;
  bus: MarginBus;
  defaultModel: string;
  /** Rows per store transaction. */
  batchSize?: number;
  /**
   * Shard ticks computed at once (default 2: one computing while the other's rows are written). A shard tick arriving
   * beyond that is declined, so that an idle worker takes it.
   */
  shardConcurrency?: number;
  log?: (line: string) => void;
}

/** Counters of one worker (its `/metrics`-like summary on exit and in tests). */
export interface ShardWorkerStats {
  shardTicks: number;
  coalesced: number;
  /** Shard ticks declined while busy (taken by another worker or by this one later). */
  declined: number;
  accountsComputed: number;
  accountErrors: number;
  rowsWritten: number;
}

/**
 * One re-margining worker: holds every account (loaded from the store, kept fresh from the bus), takes shards' work
 * from the durable consumers it shares with the other workers, computes reports with the pure engine, stores them in
 * batches and publishes them. A shard's tick message is coalesced to the newest tick on the bus (a worker that fell
 * behind skips the ticks in between, so no account is left on an old tick), and skipped when the shard's progress
 * already covers it (a redelivered message writes nothing twice). Work of one shard is serialised in this process;
 * across processes the shard consumer hands out one message at a time.
 * @see docs/scale-out.md
 */
export class ShardWorker {
  readonly stats: ShardWorkerStats = {
    shardTicks: 0,
    coalesced: 0,
    declined: 0,
    accountsComputed: 0,
    accountErrors: 0,
    rowsWritten: 0,
  };
  private readonly store: MarginStore;
  private readonly bus: MarginBus;
  private readonly registry: AccountRegistry;
  private readonly market = new LiveMarket();
  private readonly batchSize: number;
  private readonly shardConcurrency: number;
  private shardTicksRunning = 0;
  private readonly log: (line: string) => void;
  private readonly shardLocks = new Map<number, Promise<void>>();
  private readonly rulebook: Rulebook;

  private constructor(options: ShardWorkerOptions, registry: AccountRegistry, rulebook: Rulebook) {
    this.store = options.store;
    this.bus = options.bus;
    this.batchSize = options.batchSize ?? 1000;
    this.shardConcurrency = options.shardConcurrency ?? 2;
    this.log = options.log ?? (() => {});
    this.registry = registry;
    this.rulebook = rulebook;
  }

  /** Loads every account and the active rulebook from the store. */
  static async open(options: ShardWorkerOptions): Promise<ShardWorker> {
    const log = options.log ?? (() => {});
    const registry = await AccountRegistry.load(options.store, options.defaultModel, log);
    const stored = await options.store.latestRulebook(DEFAULT_RULEBOOK.name);
    return new ShardWorker(options, registry, stored ? parseRulebook(stored.document) : DEFAULT_RULEBOOK);
  }

  get accountCount(): number {
    return this.registry.accounts.size;
  }

  /** Starts following account changes (cache) and taking shard work. */
  async start(): Promise<void> {
    await this.bus.follow("accounts", accountMessageSchema, async (m) => {
      await this.refresh(m);
    });
    await this.bus.consumeShards({
      tick: (m, shard, raw) => this.takeShardTick(m, shard, raw),
      account: async (m, shard) => {
        await this.locked(shard, () => this.onAccount(m));
        return "done";
      },
    });
  }

  /** Computes a shard's tick when this worker has room for one more, else declines it (another worker takes it). */
  private async takeShardTick(m: TickMessage, shard: number, raw: JsMsg): Promise<"done" | "busy"> {
    if (this.shardTicksRunning >= this.shardConcurrency) {
      this.stats.declined++;
      return "busy";
    }
    this.shardTicksRunning++;
    try {
      await this.locked(shard, () => this.onTick(m, shard, raw));
      return "done";
    } finally {
      this.shardTicksRunning--;
    }
  }

  private locked(shard: number, work: () => Promise<void>): Promise<void> {
    const previous = this.shardLocks.get(shard) ?? Promise.resolve();
    const next = previous.then(work, work);
    this.shardLocks.set(
      shard,
      next.catch(() => {}),
    );
    return next;
  }

  /** Reloads a changed account from the store (the store of record) when this worker holds an older version. */
  private async refresh(m: AccountMessage): Promise<LiveAccount | undefined> {
    const held = this.registry.accounts.get(m.accountId);
    if (held && held.version >= m.version) return held;
    const row = await this.store.getAccount(m.accountId);
    if (!row) {
      this.registry.accounts.delete(m.accountId);
      return undefined;
    }
    if (row.version < m.version) {
      throw new XmarginError(`account ${m.accountId} v${m.version} announced but the store has v${row.version}`, {
        code: "UNAVAILABLE",
        path: "$.version",
      });
    }
    return this.registry.reload(row);
  }

  /** The market at a bus tick (resolved once per seq). */
  private tickOf(m: TickMessage): MarketTick {
    const current = this.market.current;
    if (current && current.seq === m.seq) return current;
    const snapshot = parseDocument(marketSnapshotSchema, m.snapshot, "MarketSnapshot");
    return this.market.apply(snapshot, m.source, m.seq);
  }

  private async onTick(message: TickMessage, shard: number, raw: JsMsg): Promise<void> {
    const latest = (await this.bus.latestTick()) ?? message;
    const target = latest.seq >= message.seq ? latest : message;
    const done = await this.bus.shardDone(shard);
    if (target.seq <= done) {
      this.stats.coalesced++;
      return;
    }
    if (target.seq !== message.seq) this.stats.coalesced++;
    const tick = this.tickOf(target);
    // Redelivered: declined by a busy worker, or taken over from one that died or froze (JetStream does not say which).
    this.log(
      `computing shard ${shard} at seq ${tick.seq}${raw.redelivered ? ` (redelivered; shard was at ${done})` : ""}`,
    );
    // Sorted: every worker cuts a shard into the same batches, so a redelivered shard repeats the same transactions.
    const accounts = [...this.registry.accounts.values()]
      .filter((a) => this.bus.shardOf(a.accountId) === shard)
      .sort((x, y) => (x.accountId < y.accountId ? -1 : x.accountId > y.accountId ? 1 : 0));
    await this.computeAndStore(accounts, tick, "tick", raw);
    await this.bus.publishShardDone(shard, tick.seq);
    this.stats.shardTicks++;
  }

  /**
   * An account written through an API node: recomputed at the shard's tick once the shard is there (else the shard's
   * pending tick work covers it; the message comes back until then).
   */
  private async onAccount(message: AccountMessage): Promise<void> {
    const acc = await this.refresh(message);
    if (!acc) return;
    const latest = await this.bus.latestTick();
    if (!latest) return;
    const done = await this.bus.shardDone(this.bus.shardOf(acc.accountId));
    if (done < latest.seq) {
      throw new XmarginError(`shard of ${acc.accountId} is at seq ${done}, the market at ${latest.seq}`, {
        code: "UNAVAILABLE",
      });
    }
    const last = (await this.store.marginHistory(acc.accountId, 1))[0];
    if (last && last.seq >= latest.seq && last.accountVersion >= acc.version) return;
    await this.computeAndStore([acc], this.tickOf(latest), "position", undefined);
  }

  /**
   * Computes accounts at a tick, stores them in batches and publishes each stored report. The next batch is computed
   * while the previous one is written and published (one write in flight, so batches reach the store in order): the
   * engine's CPU and PostgreSQL's and nats-server's then overlap instead of taking turns.
   */
  private async computeAndStore(
    accounts: LiveAccount[],
    tick: MarketTick,
    reason: "tick" | "position",
    raw: JsMsg | undefined,
  ): Promise<void> {
    let inFlight: Promise<void> | undefined;
    for (let from = 0; from < accounts.length; from += this.batchSize) {
      const rows: MarginSnapshotWrite[] = [];
      const results: OutgoingResult[] = [];
      for (const acc of accounts.slice(from, from + this.batchSize)) {
        this.stats.accountsComputed++;
        this.stillWorking(raw);
        const about = { accountId: acc.accountId, seq: tick.seq, asOf: tick.asOf, version: acc.version, reason };
        try {
          const computed = computeAtTick(acc.portfolio, tick, acc.config, this.rulebook);
          // Serialised once, for the store row and the bus message.
          const reportText = JSON.stringify(computed.json);
          rows.push({ ...marginSnapshotRow(acc, tick, computed.report, computed.json, reason), reportText });
          results.push({ ...about, report: computed.json, reportText });
        } catch (err) {
          this.stats.accountErrors++;
          results.push({ ...about, report: null, error: asXmarginError(err).toJSON() });
        }
      }
      await inFlight;
      inFlight = this.storeAndPublish(rows, results);
      // Awaited at the next batch or after the loop; a failure then fails the shard message (redelivered).
      inFlight.catch(() => {});
    }
    await inFlight;
  }

  /** Write-once per (account, seq, version) in the store: a redelivered shard writes nothing twice. */
  private async storeAndPublish(rows: MarginSnapshotWrite[], results: OutgoingResult[]): Promise<void> {
    // Not `+= await`: that reads the counter before the await and loses other shards' writes made meanwhile.
    const written = await this.store.recordMargins(rows);
    this.stats.rowsWritten += written;
    await this.bus.publishResults(results);
  }

  private lastWorkingMs = 0;

  /** Tells JetStream this worker is alive (at most once a second), so a long shard is not redelivered elsewhere. */
  private stillWorking(raw: JsMsg | undefined): void {
    if (!raw) return;
    const now = Date.now();
    if (now - this.lastWorkingMs < 1000) return;
    this.lastWorkingMs = now;
    raw.working();
  }
}
