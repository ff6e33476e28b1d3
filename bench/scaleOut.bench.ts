import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { resolveMarginConfig } from "../src/margin/resolveConfig.js";
import { marketSnapshotSchema } from "../src/schema/marketSnapshot.js";
import { LiveMarket } from "../src/service/liveMarket.js";
import { marginSnapshotRow } from "../src/service/marginRows.js";
import { computeAtTick } from "../src/service/marginService.js";
import { MarginBus } from "../src/store/bus/marginBus.js";
import type { MarginSnapshotWrite } from "../src/store/marginStore.js";
import { openStore } from "../src/store/openStore.js";
import {
  type Deployment,
  type Proc,
  scaleOutReady,
  seedDeployment,
  startWorker,
} from "../test/integration/scaleOut/scaleOutHarness.js";
import { type NatsCluster, startNatsServer } from "../test/support/natsServer.js";
import { emit } from "./measure.js";
import { cpuSecondsOf, findProcess, parentOf, rssMbOf, treeCpuSecondsOf } from "./processCpu.js";

const SHARDS = 16;
const TICKS = 2;
const WORKER_COUNTS = [1, 2, 4];

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

/** The single-process engine on the same work: every account computed and its row stored, one thread. */
async function singleProcess(d: Deployment, snapshotDoc: unknown, seq: number): Promise<number> {
  const snapshot = marketSnapshotSchema.parse(snapshotDoc);
  const tick = new LiveMarket().apply(snapshot, "bench", seq);
  const config = resolveMarginConfig({ model: "grid" });
  const store = await openStore(d.storeUrl);
  const started = performance.now();
  try {
    for (let from = 0; from < d.accounts.length; from += 1000) {
      const rows: MarginSnapshotWrite[] = [];
      for (const p of d.accounts.slice(from, from + 1000)) {
        const c = computeAtTick(p, tick, config);
        const acc = { accountId: p.accountId, version: 1 } as Parameters<typeof marginSnapshotRow>[0];
        rows.push(marginSnapshotRow(acc, tick, c.report, c.json, "tick"));
      }
      await store.recordMargins(rows);
    }
  } finally {
    await store.close();
  }
  return performance.now() - started;
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
 * JetStream, 1, 2 and 4 `xmargin worker` processes; accounts re-margined per second, tick-to-report latency (p50,
 * p99, an account's latency being its shard's completion) and per-worker memory, beside the single-process engine
 * doing the same work (compute + store) on one thread.
 */
export async function benchScaleOut(root: string, accounts: number): Promise<void> {
  if (!scaleOutReady()) {
    emit({ bench: "scaleout", skipped: "needs dist/, ../shared/data, nats-server and PostgreSQL" });
    return;
  }
  const doc = JSON.parse(readFileSync(join(root, "examples/market-2023-06-30.json"), "utf8")) as { asOf: string };
  const snapshotAt = (i: number) => {
    const asOf = new Date(Date.parse(doc.asOf) + i * 60_000).toISOString();
    return { asOf, snapshot: { ...doc, asOf } };
  };
  const seedStarted = performance.now();
  const d = await seedDeployment(accounts, 5);
  emit({ bench: "scaleout seed", accounts, seedMs: round(performance.now() - seedStarted) });
  const postmaster = await postmasterOf(d.storeUrl);
  let seq = 0;
  try {
    const single: number[] = [];
    await singleProcess(d, snapshotAt(++seq).snapshot, seq); // warm-up
    const singlePids: CpuPids = { workers: [], postmaster, nats: undefined };
    const singleBefore = sampleCpu(singlePids);
    const singleFrom = performance.now();
    for (let i = 0; i < TICKS; i++) single.push(await singleProcess(d, snapshotAt(++seq).snapshot, seq));
    const singleCpu = cpuSplit(singleBefore, sampleCpu(singlePids), accounts * TICKS, performance.now() - singleFrom);
    single.sort((a, b) => a - b);
    const singleRate = accounts / (quantile(single, 0.5) / 1000);
    emit({
      bench: "scaleout single-process",
      accounts,
      minMs: round(single[0]!),
      medianMs: round(quantile(single, 0.5)),
      p90Ms: round(quantile(single, 0.9)),
      accountsPerSec: round(singleRate),
      benchRssMb: rssMb(process.pid),
      ...singleCpu,
    });
    let oneWorkerRate = 0;
    for (const workers of WORKER_COUNTS) {
      let nats: NatsCluster | undefined;
      const procs: Proc[] = [];
      let bus: MarginBus | undefined;
      try {
        nats = await startNatsServer();
        const url = nats.url;
        bus = await MarginBus.connect({ url, shards: SHARDS, replicas: 1, name: "bench" });
        procs.push(...(await Promise.all(Array.from({ length: workers }, () => startWorker(d, url)))));
        const pids: CpuPids = {
          workers: procs.map((p) => p.child.pid),
          postmaster,
          nats: findProcess(["nats-server", `-p ${new URL(url).port}`]),
        };
        const tickMs: number[] = [];
        const latencies: number[] = [];
        let before: CpuSample | undefined;
        let measuredFrom = 0;
        for (let i = 0; i < TICKS + 1; i++) {
          const t = snapshotAt(++seq);
          if (i === 1) {
            before = sampleCpu(pids);
            measuredFrom = performance.now();
          }
          const shardMs = await oneTick(bus, seq, t.snapshot, t.asOf);
          if (i === 0) continue; // warm-up: the workers' JIT
          tickMs.push(Math.max(...shardMs));
          // Each account's report is stored and published when its shard completes.
          for (const a of d.accounts) latencies.push(shardMs[bus.shardOf(a.accountId)]!);
        }
        const split = cpuSplit(before!, sampleCpu(pids), accounts * TICKS, performance.now() - measuredFrom);
        tickMs.sort((a, b) => a - b);
        latencies.sort((a, b) => a - b);
        const rate = accounts / (quantile(tickMs, 0.5) / 1000);
        if (workers === 1) oneWorkerRate = rate;
        emit({
          bench: `scaleout ${workers} worker(s)`,
          accounts,
          shards: SHARDS,
          tickMinMs: round(tickMs[0]!),
          tickMedianMs: round(quantile(tickMs, 0.5)),
          tickP90Ms: round(quantile(tickMs, 0.9)),
          accountsPerSec: round(rate),
          perWorkerAccountsPerSec: round(rate / workers),
          speedupVs1Worker: oneWorkerRate > 0 ? round(rate / oneWorkerRate) : null,
          vsSingleProcess: round(rate / singleRate),
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
