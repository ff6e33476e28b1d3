import {
  AckPolicy,
  type Consumer,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from "@nats-io/jetstream";
import { connect, type NatsConnection, nanos } from "@nats-io/transport-node";
import type { z } from "zod";
import { XmarginError } from "../../core/errors.js";
import type { MarginSnapshotRow } from "../marginStore.js";
import {
  type AccountMessage,
  accountMessageSchema,
  decodeMessage,
  encodeFiguresBatch,
  encodeMessage,
  encodeResultBatches,
  type OutgoingResult,
  shardDoneSchema,
  type TickMessage,
  tickMessageSchema,
} from "./busMessages.js";
import { accountSubject, ensureStreams, progressSubject, resultSubject, STREAMS } from "./busStreams.js";
import { shardOf } from "./shardOf.js";

export interface BusOptions {
  /** `nats://host:port`, several comma-separated for a cluster. */
  url: string;
  /** Shards of the re-margin work (every process of one deployment must agree). */
  shards: number;
  /** Replicas of each stream (1 on one server, 3 on a 3-node cluster). */
  replicas: number;
  /** How long a worker may hold a shard message without news before it goes to another worker (default 30 s). */
  ackWaitMs?: number;
  /** Connection name shown by the server (e.g. "worker 1234"). */
  name: string;
  log?: (line: string) => void;
}

/**
 * What a shard consumer hands its handler; `ack` after the work is stored, `nak` to have it redelivered. A handler
 * resolving "busy" declines the message: it goes back at once to be taken by another worker's waiting pull (or this
 * worker's, a moment later).
 */
export type ShardHandler<T> = (message: T, shard: number, raw: JsMsg) => Promise<"done" | "busy">;

/** How long a worker holds a message before JetStream gives it to another worker (a dead worker's shards move). */
const DEFAULT_ACK_WAIT_MS = 30_000;

/** Accounts per figures message: ~150 bytes each, so ~300 KB, under NATS's 1 MiB max_payload. */
const FIGURES_PER_MESSAGE = 2000;

/** Redelivery delay after a failure (store down, bad message): not a hot loop. */
const NAK_DELAY_MS = 1_000;

/**
 * Redelivery delay of a message a busy worker declined. Every worker keeps a pull waiting on every shard and JetStream
 * offers a message to whichever waiting pull came first; a worker taking all it is offered left the work uneven
 * (measured at 20,000 accounts: 4 workers used 1.9, 8.2, 7.3 and 0.02 CPU seconds for the same ticks).
 */
const BUSY_NAK_DELAY_MS = 50;

/**
 * The margin service's side of NATS JetStream: publishing ticks, account changes, results and shard progress, and
 * consuming them. Durable consumers are named per shard (`tick-<k>`, `account-<k>`), hold one unacknowledged
 * message at a time (so one worker works on a shard at once) and redeliver what a dead worker never acknowledged.
 * @see docs/scale-out.md
 */
export class MarginBus {
  private readonly stops: Array<() => void> = [];

  private constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    readonly shards: number,
    private readonly ackWaitMs: number,
    private readonly log: (line: string) => void,
  ) {}

  /** Connects (reconnecting forever), and creates or updates the streams. */
  static async connect(options: BusOptions): Promise<MarginBus> {
    const servers = options.url
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    if (servers.length === 0 || servers.some((s) => !/^nats:\/\/[^/\s]+$/.test(s))) {
      throw new XmarginError("bus URL must be nats://host:port[,nats://host:port...]", {
        code: "INVALID_INPUT",
        path: "--bus",
      });
    }
    if (!Number.isInteger(options.shards) || options.shards < 1 || options.shards > 1024) {
      throw new XmarginError("shards must be a whole number in 1..1024", { code: "INVALID_INPUT", path: "--shards" });
    }
    const log = options.log ?? (() => {});
    const nc = await connect({
      servers,
      name: options.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      timeout: 10_000,
    });
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === "disconnect" || s.type === "reconnect") log(`bus ${s.type}`);
      }
    })();
    const jsm = await jetstreamManager(nc, { timeout: 10_000 });
    await retry(() => ensureStreams(jsm, options.replicas), log);
    return new MarginBus(
      nc,
      jetstream(nc, { timeout: 10_000 }),
      jsm,
      options.shards,
      options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS,
      log,
    );
  }

  shardOf(accountId: string): number {
    return shardOf(accountId, this.shards);
  }

  /** Stores a tick (once per seq, however often it is retried); resolves when JetStream acknowledged it. */
  async publishTick(tick: TickMessage): Promise<void> {
    await this.js.publish(STREAMS.ticks.subject, encodeMessage(tick), { msgID: `tick-${tick.seq}` });
  }

  async publishAccount(change: AccountMessage): Promise<void> {
    await this.js.publish(accountSubject(this.shardOf(change.accountId)), encodeMessage(change), {
      msgID: `account-${change.accountId}-${change.version}`,
    });
  }

  /** Publishes results in batch messages per shard subject (pipelined, all acknowledged before it resolves). */
  async publishResults(results: readonly OutgoingResult[]): Promise<void> {
    const byShard = new Map<number, OutgoingResult[]>();
    for (const r of results) {
      const shard = this.shardOf(r.accountId);
      const list = byShard.get(shard);
      if (list) list.push(r);
      else byShard.set(shard, [r]);
    }
    const sends: Array<Promise<unknown>> = [];
    for (const [shard, list] of byShard) {
      for (const data of encodeResultBatches(list)) sends.push(this.js.publish(resultSubject(shard), data));
    }
    await Promise.all(sends);
  }

  /**
   * Figures mode: publishes one shard's figure rows (of one seq and reason) as compact batch messages of at most
   * `FIGURES_PER_MESSAGE` accounts each (~150 bytes per account), all acknowledged before it resolves.
   */
  async publishFigures(shard: number, rows: readonly MarginSnapshotRow[], status: readonly string[]): Promise<void> {
    const sends: Array<Promise<unknown>> = [];
    for (let from = 0; from < rows.length; from += FIGURES_PER_MESSAGE) {
      const to = from + FIGURES_PER_MESSAGE;
      sends.push(
        this.js.publish(resultSubject(shard), encodeFiguresBatch(rows.slice(from, to), status.slice(from, to))),
      );
    }
    await Promise.all(sends);
  }

  async publishShardDone(shard: number, seq: number): Promise<void> {
    await this.js.publish(progressSubject(shard), encodeMessage({ seq }));
  }

  /** Newest market sequence a shard's accounts were all stored at (0 when none yet). */
  async shardDone(shard: number): Promise<number> {
    const m = await this.jsm.streams.getMessage(STREAMS.progress.name, { last_by_subj: progressSubject(shard) });
    return m ? decodeMessage(shardDoneSchema, m.data, "ShardDone").seq : 0;
  }

  /** The newest tick on the bus, if any. */
  async latestTick(): Promise<TickMessage | undefined> {
    const m = await this.jsm.streams.getMessage(STREAMS.ticks.name, { last_by_subj: STREAMS.ticks.subject });
    return m ? decodeMessage(tickMessageSchema, m.data, "TickMessage") : undefined;
  }

  /**
   * Consumes every shard's ticks and account changes with durable consumers shared by all workers (whoever asks
   * first gets the next message of a shard). A handler's failure naks the message (redelivered after a pause).
   */
  async consumeShards(handlers: {
    tick: ShardHandler<TickMessage>;
    account: ShardHandler<AccountMessage>;
  }): Promise<void> {
    for (let k = 0; k < this.shards; k++) {
      await this.consumeShard(
        STREAMS.ticks.name,
        `tick-${k}`,
        STREAMS.ticks.subject,
        k,
        tickMessageSchema,
        "TickMessage",
        handlers.tick,
      );
      await this.consumeShard(
        STREAMS.accounts.name,
        `account-${k}`,
        accountSubject(k),
        k,
        accountMessageSchema,
        "AccountMessage",
        handlers.account,
      );
    }
  }

  private async consumeShard<S extends z.ZodType>(
    stream: string,
    durable: string,
    subject: string,
    shard: number,
    schema: S,
    kind: string,
    handler: ShardHandler<z.output<S>>,
  ): Promise<void> {
    const consumer = await retry(() => this.durable(stream, durable, subject), this.log);
    this.pump(consumer, async (m) => {
      let message: z.output<S>;
      try {
        message = decodeMessage(schema, m.data, kind);
      } catch (err) {
        // A message that can never be read is terminated, not redelivered forever; the operator log names it.
        this.log(`${durable}: dropped bad message ${m.seq}: ${errorText(err)}`);
        m.term();
        return;
      }
      try {
        if ((await handler(message, shard, m)) === "busy") m.nak(BUSY_NAK_DELAY_MS);
        else m.ack();
      } catch (err) {
        this.log(`${durable}: message ${m.seq} failed, redelivered later: ${errorText(err)}`);
        m.nak(NAK_DELAY_MS);
      }
    });
  }

  private async durable(stream: string, durable: string, subject: string): Promise<Consumer> {
    try {
      await this.jsm.consumers.info(stream, durable);
    } catch {
      await this.jsm.consumers.add(stream, {
        durable_name: durable,
        filter_subject: subject,
        ack_policy: AckPolicy.Explicit,
        // A new deployment starts at the newest tick: older ones would be coalesced into it anyway.
        deliver_policy: stream === STREAMS.ticks.name ? DeliverPolicy.Last : DeliverPolicy.All,
        ack_wait: nanos(this.ackWaitMs),
        max_ack_pending: 1,
        max_deliver: -1,
      });
    }
    return this.js.consumers.get(stream, durable);
  }

  /** Follows a stream from now on (an ordered, ephemeral consumer): API nodes' view of ticks, accounts, results. */
  async follow<S extends z.ZodType>(
    what: "ticks" | "accounts" | "results",
    schema: S,
    handler: (message: z.output<S>) => void | Promise<void>,
  ): Promise<void> {
    const consumer = await retry(
      () => this.js.consumers.get(STREAMS[what].name, { deliver_policy: DeliverPolicy.New }),
      this.log,
    );
    this.pump(consumer, async (m) => {
      try {
        await handler(decodeMessage(schema, m.data, what));
      } catch (err) {
        this.log(`follow ${what}: message ${m.seq} ignored: ${errorText(err)}`);
      }
    });
  }

  /** Runs `onMessage` for each message of a consumer, one at a time, until `close()`; restarts after errors. */
  private pump(consumer: Consumer, onMessage: (m: JsMsg) => Promise<void>): void {
    let stopped = false;
    let current: { stop(): void } | undefined;
    this.stops.push(() => {
      stopped = true;
      current?.stop();
    });
    void (async () => {
      while (!stopped) {
        try {
          const messages = await consumer.consume({ max_messages: 1 });
          current = messages;
          for await (const m of messages) {
            if (stopped) break;
            await onMessage(m);
          }
        } catch (err) {
          if (!stopped) this.log(`consumer restarted: ${errorText(err)}`);
          await new Promise((r) => setTimeout(r, NAK_DELAY_MS));
        }
      }
    })();
  }

  async close(): Promise<void> {
    for (const stop of this.stops) stop();
    await this.nc.drain().catch(() => this.nc.close());
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Retries a bus call while the cluster elects a leader or the server restarts (up to ~30 s). */
async function retry<T>(fn: () => Promise<T>, log: (line: string) => void): Promise<T> {
  let last: unknown;
  for (let attempt = 0; attempt < 60; attempt++) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      if (attempt === 0) log(`bus not ready, retrying: ${errorText(err)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw last;
}
