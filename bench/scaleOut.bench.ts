import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { DEFAULT_RULEBOOK } from "../src/margin/policy/defaultRulebook.js";
import { resolveMarginConfig } from "../src/margin/resolveConfig.js";
import { marketSnapshotSchema } from "../src/schema/marketSnapshot.js";
import { AccountRegistry } from "../src/service/accountRegistry.js";
import type { LiveAccount } from "../src/service/liveAccount.js";
import { LiveMarket, type MarketTick } from "../src/service/liveMarket.js";
import { marginSnapshotRow } from "../src/service/marginRows.js";
import { computeAtTick } from "../src/service/marginService.js";
import { shardFigures } from "../src/service/scaleOut/shardFigures.js";
import { NEAR_LIQUIDATION_HEALTH, type ShardWorkerMode } from "../src/service/scaleOut/shardWorker.js";
import { MarginBus } from "../src/store/bus/marginBus.js";
import type { MarginSnapshotWrite, MarginStore } from "../src/store/marginStore.js";
import { openStore } from "../src/store/openStore.js";
import {
  type Deployment,
  type Proc,
  scaleOutReady,
  startWorker,
} from "../test/integration/scaleOut/scaleOutHarness.js";
import { type NatsCluster, startNatsServer } from "../test/support/natsServer.js";
import { startPostgres } from "../test/support/postgresServer.js";
import { fundedAccounts } from "./fundedAccounts.js";
import { emit } from "./measure.js";
import { cpuSecondsOf, findProcess, parentOf, rssMbOf, treeCpuSecondsOf } from "./processCpu.js";

const SHARDS = 16;
const WORKER_COUNTS = [1, 2, 4];
/** Accounts per seeding statement (one multi-row insert, one transaction). */
const SEED_CHUNK = 10_000;

const round = (x: number) => Number(x.toPrecision(4));
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

const rssMb = (pid: number | undefined) => {
  const mb = rssMbOf(pid);
  return mb === null ? null : round(mb);
};

/** The postmaster of the PostgreSQL serving `url` (parent of a backend), whose tree holds every PostgreSQL process. */
async function postmasterOf(url: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const res = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    return parentOf(res.rows[0]!.pid);
  } finally {
    await client.end();
  }
}

/** CPU seconds so far of each process class of a deployment (null entries: not measurable here). */
interface CpuSample {
  bench: number;
  workers: Array<number | null>;
  postgres: number | null;
  nats: number | null;
}

interface CpuPids {
  workers: Array<number | undefined>;
  postmaster: number | undefined;
  nats: number | undefined;
}

function sampleCpu(pids: CpuPids): CpuSample {
  const own = process.cpuUsage();
  return {
    bench: (own.user + own.system) / 1e6,
    workers: pids.workers.map(cpuSecondsOf),
    postgres: treeCpuSecondsOf(pids.postmaster),
    nats: cpuSecondsOf(pids.nats),
  };
}

/**
 * Where the CPU of the measured ticks went: seconds per process class, microseconds per account re-margined, and the
 * cores kept busy (all CPU over wall time; 2 is this machine's ceiling).
 */
function cpuSplit(before: CpuSample, after: CpuSample, accountsRemargined: number, wallMs: number) {
  const d = (a: number | null, b: number | null) => (a === null || b === null ? null : b - a);
  const workers = after.workers.map((w, i) => d(before.workers[i] ?? null, w));
  const parts = {
    workers: workers.every((w) => w !== null) ? workers.reduce((x, y) => x! + y!, 0)! : null,
    postgres: d(before.postgres, after.postgres),
    nats: d(before.nats, after.nats),
    bench: after.bench - before.bench,
  };
  const total = Object.values(parts).reduce<number>((x, y) => x + (y ?? 0), 0);
  const us = (x: number | null) => (x === null ? null : round((x / accountsRemargined) * 1e6));
  return {
    cpuSeconds: {
      perWorker: workers.map((w) => (w === null ? null : round(w))),
      postgres: parts.postgres === null ? null : round(parts.postgres),
      nats: parts.nats === null ? null : round(parts.nats),
      bench: round(parts.bench),
      total: round(total),
    },
    cpuUsPerAccount: {
      workers: us(parts.workers),
      postgres: us(parts.postgres),
      nats: us(parts.nats),
      bench: us(parts.bench),
      total: us(total),
    },
    coresBusy: round(total / (wallMs / 1000)),
  };
}

/**
 * A private PostgreSQL seeded with `n` funded generated accounts (grid model) by multi-row inserts of SEED_CHUNK
 * accounts, the next chunk generated while the previous one is written; only the ids are kept.
 */
async function seedFunded(n: number, seed: number): Promise<{ deployment: Deployment; ids: string[] }> {
  const postgres = await startPostgres();
  const storeUrl = await postgres.createDatabase("scaleout");
  const store = await openStore(storeUrl);
  const ids: string[] = [];
  try {
    const updatedAt = new Date().toISOString();
    let inFlight: Promise<unknown> | undefined;
    for (let from = 0, chunk = 0; from < n; from += SEED_CHUNK, chunk++) {
      const docs = fundedAccounts(Math.min(SEED_CHUNK, n - from), seed * 1_000_000 + chunk);
      for (const p of docs) ids.push(p.accountId);
      const writes = docs.map((p) => ({
        accountId: p.accountId,
        portfolio: p,
        config: { model: "grid" },
        policy: null,
        updatedAt,
      }));
      await inFlight;
      inFlight = store.importAccounts(writes);
    }
    await inFlight;
  } finally {
    await store.close();
  }
  return { deployment: { storeUrl, accounts: [], postgres }, ids };
}

/** Every stored account, loaded shard by shard as a worker loads them (validated into the service's accounts). */
async function loadAll(store: MarginStore): Promise<LiveAccount[][]> {
  const registry = AccountRegistry.empty("grid");
  const shards: LiveAccount[][] = [];
  for (let k = 0; k < SHARDS; k++)
    shards.push((await store.listShardAccounts(k, SHARDS)).map((r) => registry.reload(r)));
  return shards;
}

/**
 * The single-process engine on the same work, one thread: figures mode, shard after shard, the batch engine's
 * figures stored as the same compact rows (1,000 per statement), explained reports for the accounts that need one
 * (as a worker decides, status changes aside); reports mode, every account's explained report stored.
 */
async function singleProcess(
  store: MarginStore,
  shards: LiveAccount[][],
  snapshotDoc: unknown,
  seq: number,
  mode: ShardWorkerMode,
): Promise<number> {
  const snapshot = marketSnapshotSchema.parse(snapshotDoc);
  const tick = new LiveMarket().apply(snapshot, "bench", seq);
  const started = performance.now();
  for (const accounts of shards) {
    if (mode === "reports") {
      await storeReports(store, accounts, tick);
      continue;
    }
    const { rows, perAccount } = shardFigures(accounts, tick, DEFAULT_RULEBOOK, "tick");
    const full = perAccount.map((p) => p.account);
    const byId = new Map(accounts.map((a) => [a.accountId, a]));
    const compact = rows.filter((r) => {
      const near = r.healthRatio !== null && r.healthRatio < NEAR_LIQUIDATION_HEALTH;
      if (near) full.push(byId.get(r.accountId)!);
      return !near;
    });
    for (let from = 0; from < compact.length; from += 1000) await store.recordFigures(compact.slice(from, from + 1000));
    await storeReports(store, full, tick);
  }
  return performance.now() - started;
}

/** Explained reports of accounts, computed and stored 1,000 per transaction. */
async function storeReports(store: MarginStore, accounts: readonly LiveAccount[], tick: MarketTick): Promise<void> {
  const config = resolveMarginConfig({ model: "grid" });
  for (let from = 0; from < accounts.length; from += 1000) {
    const rows: MarginSnapshotWrite[] = [];
    for (const acc of accounts.slice(from, from + 1000)) {
      const c = computeAtTick(acc.portfolio, tick, config);
      rows.push(marginSnapshotRow(acc, tick, c.report, c.json, "tick"));
    }
    await store.recordMargins(rows);
  }
}

/** Publishes a tick and waits for every shard's progress to reach it; per-shard completion times, ms. */
async function oneTick(bus: MarginBus, seq: number, snapshot: unknown, asOf: string): Promise<number[]> {
  const started = performance.now();
  await bus.publishTick({ seq, asOf, source: "bench", snapshot });
  const doneAt: number[] = new Array(SHARDS).fill(Number.NaN);
  while (doneAt.some((x) => Number.isNaN(x))) {
    for (let k = 0; k < SHARDS; k++) {
      if (Number.isNaN(doneAt[k]!) && (await bus.shardDone(k)) >= seq) doneAt[k] = performance.now() - started;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return doneAt;
}

/**
 * Scale-out re-margining: `accounts` stored accounts on a private PostgreSQL, ticks published on a private NATS
 * JetStream, 1, 2 and 4 `xmargin worker` processes (figures mode unless XM_SCALEOUT_MODE=reports); accounts
 * re-margined per second, tick-to-report latency (p50, p99, an account's latency being its shard's completion), CPU
 * per account per process class and per-worker memory, beside the single-process engine doing the same work (compute
 * + store) on one thread. One warm-up tick (workers load their shards' accounts in it), then XM_SCALEOUT_TICKS
 * measured ticks (default 2, 1 from 500,000 accounts so that 1M stays within ~15 minutes).
 */
export async function benchScaleOut(root: string, accounts: number): Promise<void> {
  if (!scaleOutReady()) {
    emit({ bench: "scaleout", skipped: "needs dist/, ../shared/data, nats-server and PostgreSQL" });
    return;
  }
  const mode: ShardWorkerMode = process.env.XM_SCALEOUT_MODE === "reports" ? "reports" : "figures";
  const ticks = Number(process.env.XM_SCALEOUT_TICKS ?? (accounts >= 500_000 ? 1 : 2));
  const doc = JSON.parse(readFileSync(join(root, "examples/market-2023-06-30.json"), "utf8")) as { asOf: string };
  const snapshotAt = (i: number) => {
    const asOf = new Date(Date.parse(doc.asOf) + i * 60_000).toISOString();
    return { asOf, snapshot: { ...doc, asOf } };
  };
  const seedStarted = performance.now();
  const { deployment: d, ids } = await seedFunded(accounts, 5);
  emit({
    bench: "scaleout seed",
    accounts,
    seedMs: round(performance.now() - seedStarted),
    mode,
    measuredTicks: ticks,
  });
  const postmaster = await postmasterOf(d.storeUrl);
  let seq = 0;
  try {
    {
      const store = await openStore(d.storeUrl);
      try {
        const loadStarted = performance.now();
        const shards = await loadAll(store);
        const loadMs = performance.now() - loadStarted;
        const single: number[] = [];
        // Warm-up (JIT), skipped from 500,000 accounts where the first thousands of accounts warm it anyway.
        if (accounts < 500_000) await singleProcess(store, shards, snapshotAt(++seq).snapshot, seq, mode);
        const singlePids: CpuPids = { workers: [], postmaster, nats: undefined };
        const singleBefore = sampleCpu(singlePids);
        const singleFrom = performance.now();
        for (let i = 0; i < ticks; i++)
          single.push(await singleProcess(store, shards, snapshotAt(++seq).snapshot, seq, mode));
        const singleCpu = cpuSplit(
          singleBefore,
          sampleCpu(singlePids),
          accounts * ticks,
          performance.now() - singleFrom,
        );
        single.sort((a, b) => a - b);
        emit({
          bench: `scaleout single-process (${mode})`,
          accounts,
          loadMs: round(loadMs),
          minMs: round(single[0]!),
          medianMs: round(quantile(single, 0.5)),
          p90Ms: round(quantile(single, 0.9)),
          accountsPerSec: round(accounts / (quantile(single, 0.5) / 1000)),
          benchRssMb: rssMb(process.pid),
          ...singleCpu,
        });
      } finally {
        await store.close();
      }
    }
    let oneWorkerRate = 0;
    for (const workers of WORKER_COUNTS) {
      let nats: NatsCluster | undefined;
      const procs: Proc[] = [];
      let bus: MarginBus | undefined;
      try {
        nats = await startNatsServer();
        const url = nats.url;
        bus = await MarginBus.connect({ url, shards: SHARDS, replicas: 1, name: "bench" });
        const env = { XMARGIN_WORKER_MODE: mode };
        procs.push(...(await Promise.all(Array.from({ length: workers }, () => startWorker(d, url, 1, env)))));
        const pids: CpuPids = {
          workers: procs.map((p) => p.child.pid),
          postmaster,
          nats: findProcess(["nats-server", `-p ${new URL(url).port}`]),
        };
        const tickMs: number[] = [];
        const latencies: number[] = [];
        let firstTickMs = 0;
        let before: CpuSample | undefined;
        let measuredFrom = 0;
        for (let i = 0; i < ticks + 1; i++) {
          const t = snapshotAt(++seq);
          if (i === 1) {
            before = sampleCpu(pids);
            measuredFrom = performance.now();
          }
          const shardMs = await oneTick(bus, seq, t.snapshot, t.asOf);
          if (i === 0) {
            // Warm-up: the workers' JIT, and (figures mode) each shard's accounts loaded from the store.
            firstTickMs = Math.max(...shardMs);
            continue;
          }
          tickMs.push(Math.max(...shardMs));
          // Each account's figures are stored and published when its shard completes.
          for (const id of ids) latencies.push(shardMs[bus.shardOf(id)]!);
        }
        const split = cpuSplit(before!, sampleCpu(pids), accounts * ticks, performance.now() - measuredFrom);
        tickMs.sort((a, b) => a - b);
        latencies.sort((a, b) => a - b);
        const rate = accounts / (quantile(tickMs, 0.5) / 1000);
        if (workers === 1) oneWorkerRate = rate;
        emit({
          bench: `scaleout ${workers} worker(s) (${mode})`,
          accounts,
          shards: SHARDS,
          firstTickMs: round(firstTickMs),
          tickMinMs: round(tickMs[0]!),
          tickMedianMs: round(quantile(tickMs, 0.5)),
          tickP90Ms: round(quantile(tickMs, 0.9)),
          accountsPerSec: round(rate),
          perWorkerAccountsPerSec: round(rate / workers),
          speedupVs1Worker: oneWorkerRate > 0 ? round(rate / oneWorkerRate) : null,
          latencyP50Ms: round(quantile(latencies, 0.5)),
          latencyP99Ms: round(quantile(latencies, 0.99)),
          workerRssMb: procs.map((p) => rssMb(p.child.pid)),
          ...split,
        });
      } finally {
        await bus?.close();
        await Promise.all(procs.map((p) => p.stop()));
        await nats?.stop();
      }
    }
  } finally {
    await d.postgres.stop();
  }
}
