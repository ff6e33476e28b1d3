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
import type { MarginSnapshotRow, MarginSnapshotWrite, MarginStore } from "../../store/marginStore.js";
import { AccountRegistry } from "../accountRegistry.js";
import type { LiveAccount } from "../liveAccount.js";
import { LiveMarket, type MarketTick } from "../liveMarket.js";
import { marginSnapshotRow } from "../marginRows.js";
import { computeAtTick } from "../marginService.js";
import { shardFigures } from "./shardFigures.js";

/**
 * What a worker computes for a shard tick. `figures` (the default): every account's figures from the batch grid
 * engine, stored as compact rows and published as compact batches; the explained report only for the accounts that
 * need one (see `ShardWorker`). `reports`: one explained report per account, stored and published (the first mode;
 * ~250 µs of worker CPU and ~6.6 KB of traffic per account).
 */
export type ShardWorkerMode = "figures" | "reports";

/** Health below which an account is near liquidation (the default rulebook's "liquidation imminent" line). */
export const NEAR_LIQUIDATION_HEALTH = 1.05;

export interface ShardWorkerOptions {
  store: MarginStore;
  bus: MarginBus;
  defaultModel: string;
  /** Default "figures". */
  mode?: ShardWorkerMode;
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
  /** Figures mode: accounts margined by the batch engine (compact rows). */
  figureRows: number;
  /** Figures mode: explained reports built (per-account path: other models, figure-changing rules, status changes...). */
  fullReports: number;
  /** Figures mode: shards whose accounts were loaded from the store. */
  shardsLoaded: number;
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
    figureRows: 0,
    fullReports: 0,
    shardsLoaded: 0,
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
  private readonly mode: ShardWorkerMode;
  /** Figures mode: the shards whose accounts this worker holds (loading or loaded), and their accounts in id order. */
  private readonly shardLoads = new Map<number, Promise<void>>();
  private readonly shardIds = new Map<number, Set<string>>();
  private readonly shardSorted = new Map<number, LiveAccount[]>();
  /** Figures mode: each held account's status at its last figures (fired rule ids), to see it change. */
  private readonly lastStatus = new Map<string, string>();

  private constructor(options: ShardWorkerOptions, registry: AccountRegistry, rulebook: Rulebook) {
    this.store = options.store;
    this.bus = options.bus;
    this.batchSize = options.batchSize ?? 1000;
    this.shardConcurrency = options.shardConcurrency ?? 2;
    this.log = options.log ?? (() => {});
    this.registry = registry;
    this.rulebook = rulebook;
    this.mode = options.mode ?? "figures";
  }

  /**
   * Loads the active rulebook from the store, and every account in reports mode (figures mode loads a shard's
   * accounts when the worker first takes one of its messages).
   */
  static async open(options: ShardWorkerOptions): Promise<ShardWorker> {
    const log = options.log ?? (() => {});
    const registry =
      (options.mode ?? "figures") === "figures"
        ? AccountRegistry.empty(options.defaultModel)
        : await AccountRegistry.load(options.store, options.defaultModel, log);
    const stored = await options.store.latestRulebook(DEFAULT_RULEBOOK.name);
    return new ShardWorker(options, registry, stored ? parseRulebook(stored.document) : DEFAULT_RULEBOOK);
  }

  /** Accounts held: all of them in reports mode, those of the shards loaded so far in figures mode. */
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
    const shard = this.bus.shardOf(m.accountId);
    // Figures mode: an account of a shard this worker does not hold is read from the store when the shard is loaded.
    if (this.mode === "figures" && !this.shardIds.has(shard)) return undefined;
    const held = this.registry.accounts.get(m.accountId);
    if (held && held.version >= m.version) return held;
    const row = await this.store.getAccount(m.accountId);
    if (!row) {
      this.registry.accounts.delete(m.accountId);
      this.shardIds.get(shard)?.delete(m.accountId);
      this.shardSorted.delete(shard);
      return undefined;
    }
    if (row.version < m.version) {
      throw new XmarginError(`account ${m.accountId} v${m.version} announced but the store has v${row.version}`, {
        code: "UNAVAILABLE",
        path: "$.version",
      });
    }
    const ids = this.shardIds.get(shard);
    if (ids && !ids.has(row.accountId)) {
      ids.add(row.accountId);
      this.shardSorted.delete(shard);
    }
    const acc = this.registry.reload(row);
    this.shardSorted.delete(shard);
    return acc;
  }

  /**
   * Figures mode: loads a shard's accounts from the store (by the indexed shard hash) the first time this worker
   * takes one of its messages, e.g. a shard taken over from a worker that died. Accounts written meanwhile reach it
   * from the accounts stream (followed from the start; a message older than the load finds the newer version held).
   */
  private loadShard(shard: number): Promise<void> {
    let load = this.shardLoads.get(shard);
    if (!load) {
      load = (async () => {
        const rows = await this.store.listShardAccounts(shard, this.bus.shards);
        const ids = new Set<string>();
        for (const row of rows) {
          const held = this.registry.accounts.get(row.accountId);
          ids.add(row.accountId);
          if (held && held.version >= row.version) continue;
          try {
            this.registry.reload(row);
          } catch (err) {
            ids.delete(row.accountId);
            this.log(`stored account ${row.accountId} ignored: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
        this.shardIds.set(shard, ids);
        this.shardSorted.delete(shard);
        this.stats.shardsLoaded++;
        this.log(`loaded shard ${shard}: ${ids.size} account(s)`);
      })();
      this.shardLoads.set(shard, load);
      // A failed load (store down) is retried with the shard message's redelivery.
      load.catch(() => this.shardLoads.delete(shard));
    }
    return load;
  }

  /** A shard's accounts in id order: every worker cuts a shard into the same batches. */
  private accountsOf(shard: number): LiveAccount[] {
    if (this.mode === "reports") {
      return [...this.registry.accounts.values()]
        .filter((a) => this.bus.shardOf(a.accountId) === shard)
        .sort((x, y) => (x.accountId < y.accountId ? -1 : x.accountId > y.accountId ? 1 : 0));
    }
    let sorted = this.shardSorted.get(shard);
    if (!sorted) {
      sorted = [];
      for (const id of this.shardIds.get(shard) ?? []) {
        const acc = this.registry.accounts.get(id);
        if (acc) sorted.push(acc);
      }
      sorted.sort((x, y) => (x.accountId < y.accountId ? -1 : x.accountId > y.accountId ? 1 : 0));
      this.shardSorted.set(shard, sorted);
    }
    return sorted;
  }

  /** The market at a bus tick (resolved once per seq). */
  private tickOf(m: TickMessage): MarketTick {
    const current = this.market.current;
    if (current && current.seq === m.seq) return current;
    const snapshot = parseDocument(marketSnapshotSchema, m.snapshot, "MarketSnapshot");
    return this.market.apply(snapshot, m.source, m.seq);
  }

  private async onTick(message: TickMessage, shard: number, raw: JsMsg): Promise<void> {
    if (this.mode === "figures") await this.loadShard(shard);
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
    const accounts = this.accountsOf(shard);
    if (this.mode === "figures") await this.figuresAndStore(shard, accounts, tick, raw);
    else await this.computeAndStore(accounts, tick, "tick", raw);
    await this.bus.publishShardDone(shard, tick.seq);
    this.stats.shardTicks++;
  }

  /**
   * An account written through an API node: recomputed at the shard's tick once the shard is there (else the shard's
   * pending tick work covers it; the message comes back until then).
   */
  private async onAccount(message: AccountMessage): Promise<void> {
    if (this.mode === "figures") await this.loadShard(this.bus.shardOf(message.accountId));
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

  /**
   * Figures mode: the shard's figures from the batch engine (`shardFigures`), stored as compact rows and published as
   * compact batches, `batchSize` accounts per statement with one batch in flight. The explained report is built,
   * stored (`latest_reports`) and published for the accounts the batch engine leaves out (other models, unresolvable,
   * a rule that changes figures fired) and for those whose status (the rules that fired) changed since this worker's
   * previous figures of them or that are near liquidation (health < NEAR_LIQUIDATION_HEALTH). Any other account's
   * report is computed on demand by an API node (from its stored version and the stored tick; the same engine).
   */
  private async figuresAndStore(
    shard: number,
    accounts: readonly LiveAccount[],
    tick: MarketTick,
    raw: JsMsg | undefined,
  ): Promise<void> {
    this.stillWorking(raw);
    const { rows, status, perAccount } = shardFigures(accounts, tick, this.rulebook, "tick");
    this.stillWorking(raw);
    const byId = this.registry.accounts;
    const full = perAccount.map((p) => p.account);
    const compactRows: MarginSnapshotRow[] = [];
    const compactStatus: string[] = [];
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const now = status[i]!;
      const before = this.lastStatus.get(row.accountId);
      this.lastStatus.set(row.accountId, now);
      const near = row.healthRatio !== null && row.healthRatio < NEAR_LIQUIDATION_HEALTH;
      // A non-finite figure is refused by the report path with an error naming it; the compact path does not hide it.
      const finite = [row.equityUsd, row.initialMarginUsd, row.maintenanceMarginUsd, row.freeCollateralUsd].every(
        Number.isFinite,
      );
      if (near || !finite || (before !== undefined && before !== now)) {
        full.push(byId.get(row.accountId)!);
        continue;
      }
      compactRows.push(row);
      compactStatus.push(now);
    }
    this.stats.accountsComputed += compactRows.length;
    this.stats.figureRows += compactRows.length;
    let inFlight: Promise<void> | undefined;
    for (let from = 0; from < compactRows.length; from += this.batchSize) {
      const to = from + this.batchSize;
      await inFlight;
      this.stillWorking(raw);
      inFlight = this.storeAndPublishFigures(shard, compactRows.slice(from, to), compactStatus.slice(from, to));
      inFlight.catch(() => {});
    }
    await inFlight;
    if (full.length > 0) {
      full.sort((x, y) => (x.accountId < y.accountId ? -1 : x.accountId > y.accountId ? 1 : 0));
      this.stats.fullReports += full.length;
      await this.computeAndStore(full, tick, "tick", raw);
    }
  }

  private async storeAndPublishFigures(shard: number, rows: MarginSnapshotRow[], status: string[]): Promise<void> {
    const written = await this.store.recordFigures(rows);
    this.stats.rowsWritten += written;
    await this.bus.publishFigures(shard, rows, status);
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
