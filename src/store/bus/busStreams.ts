import {
  DiscardPolicy,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";

/**
 * The JetStream streams of the scale-out service. Names and subjects live here only.
 * - ticks: every market tick (snapshot + seq), kept for an hour; a worker reads the newest one to coalesce.
 * - accounts: "account X is now at version V" per shard subject; workers re-margin it, API nodes reload it.
 * - results: every stored report, per shard subject; every API node follows it for its WebSocket clients.
 * - progress: per shard, the newest sequence its accounts were stored at (one message kept per subject).
 */
export const STREAMS = {
  ticks: { name: "XM_TICKS", subject: "xm.tick" },
  accounts: { name: "XM_ACCOUNTS", subjectPrefix: "xm.account" },
  results: { name: "XM_RESULTS", subjectPrefix: "xm.result" },
  progress: { name: "XM_PROGRESS", subjectPrefix: "xm.done" },
} as const;

export const accountSubject = (shard: number): string => `${STREAMS.accounts.subjectPrefix}.${shard}`;
export const resultSubject = (shard: number): string => `${STREAMS.results.subjectPrefix}.${shard}`;
export const progressSubject = (shard: number): string => `${STREAMS.progress.subjectPrefix}.${shard}`;

const HOUR_MS = 3_600_000;

function streamConfigs(replicas: number): Array<Partial<StreamConfig> & { name: string }> {
  const common = { storage: StorageType.File, num_replicas: replicas, retention: RetentionPolicy.Limits };
  return [
    {
      ...common,
      name: STREAMS.ticks.name,
      subjects: [STREAMS.ticks.subject],
      max_age: nanos(HOUR_MS),
      // Publishes carry msgID "tick-<seq>": a retried publish of one tick is stored once.
      duplicate_window: nanos(2 * 60_000),
    },
    {
      ...common,
      name: STREAMS.accounts.name,
      subjects: [`${STREAMS.accounts.subjectPrefix}.*`],
      max_age: nanos(HOUR_MS),
      duplicate_window: nanos(2 * 60_000),
    },
    {
      ...common,
      name: STREAMS.results.name,
      subjects: [`${STREAMS.results.subjectPrefix}.*`],
      max_age: nanos(10 * 60_000),
      max_bytes: 2 * 1024 ** 3,
      discard: DiscardPolicy.Old,
    },
    {
      ...common,
      name: STREAMS.progress.name,
      subjects: [`${STREAMS.progress.subjectPrefix}.*`],
      max_msgs_per_subject: 1,
    },
  ];
}

/** Creates the streams, or updates them to this configuration (every process calls it at start; it is idempotent). */
export async function ensureStreams(jsm: JetStreamManager, replicas: number): Promise<void> {
  for (const config of streamConfigs(replicas)) {
    try {
      await jsm.streams.info(config.name);
      await jsm.streams.update(config.name, config);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await jsm.streams.add(config);
    }
  }
}

function isNotFound(err: unknown): boolean {
  return err instanceof Error && /not found/i.test(err.message);
}
