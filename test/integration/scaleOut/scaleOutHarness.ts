import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import pg from "pg";
import { generateAccounts } from "../../../bench/generateAccounts.js";
import { DEFAULT_RULEBOOK } from "../../../src/margin/policy/defaultRulebook.js";
import { resolveMarginConfig } from "../../../src/margin/resolveConfig.js";
import { type MarketSnapshot, marketSnapshotSchema } from "../../../src/schema/marketSnapshot.js";
import { type Portfolio, portfolioSchema } from "../../../src/schema/portfolio.js";
import { LiveMarket } from "../../../src/service/liveMarket.js";
import { computeAtTick } from "../../../src/service/marginService.js";
import { REPO_ROOT } from "../../../src/service/paths.js";
import type { MarginSnapshotRow } from "../../../src/store/marginStore.js";
import { openStore } from "../../../src/store/openStore.js";
import { type MarginDbRow, marginRowOf } from "../../../src/store/storeRows.js";
import { type NatsCluster, natsServerBinary } from "../../support/natsServer.js";
import { findPostgresBin, type PostgresServer, startPostgres } from "../../support/postgresServer.js";

/** The built CLI (tests of this folder run after `tsc`, as `npm test` does). */
export const CLI = join(REPO_ROOT, "dist/src/cli/main.js");
export const HISTORY_DIR = join(REPO_ROOT, "../shared/data");
export const API_KEY = "scale-out-test-key-0123456789";

/** Whether the scale-out tests can run here: the built CLI, the price history, nats-server and PostgreSQL. */
export const scaleOutReady = (): boolean =>
  existsSync(CLI) && existsSync(HISTORY_DIR) && natsServerBinary() !== undefined && findPostgresBin() !== undefined;

export interface Proc {
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves with the first output line matching `re`. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/** Spawns `node dist/src/cli/main.js ...args` with XMARGIN_* settings for a scale-out process. */
export function spawnCli(args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, XMARGIN_API_KEYS: API_KEY, XMARGIN_HISTORY_DIR: HISTORY_DIR, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const waiters: Array<{ re: RegExp; resolve: (m: RegExpMatchArray) => void }> = [];
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of [...waiters]) {
      const m = out.match(w.re);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    output: () => out,
    waitFor(re, timeoutMs = 60_000) {
      const m = out.match(re);
      if (m) return Promise.resolve(m);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no ${re} in ${timeoutMs} ms; output:\n${out.slice(-3000)}`)),
          timeoutMs,
        );
        waiters.push({
          re,
          resolve: (x) => {
            clearTimeout(timer);
            resolve(x);
          },
        });
        child.once("exit", (code) => reject(new Error(`exited (${code}) before ${re}; output:\n${out.slice(-3000)}`)));
      });
    },
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface Deployment {
  storeUrl: string;
  accounts: Portfolio[];
  /** The private PostgreSQL holding the store (restartable by a test). */
  postgres: PostgresServer;
}

/** A private PostgreSQL with a store seeded with `n` generated accounts (grid model), 10,000 per transaction. */
export async function seedDeployment(n: number, seed: number): Promise<Deployment> {
  const postgres = await startPostgres();
  try {
    const storeUrl = await postgres.createDatabase("scaleout");
    const store = await openStore(storeUrl);
    const accounts = generateAccounts(n, seed, { meanItems: 3 }).map((p) => portfolioSchema.parse(p));
    const updatedAt = new Date().toISOString();
    for (let from = 0; from < accounts.length; from += 10_000) {
      await store.putAccounts(
        accounts.slice(from, from + 10_000).map((p) => ({
          accountId: p.accountId,
          portfolio: p,
          config: { model: "grid" },
          policy: null,
          updatedAt,
        })),
      );
    }
    await store.close();
    return { storeUrl, accounts, postgres };
  } catch (err) {
    await postgres.stop();
    throw err;
  }
}

/** Starts an API node (`serve --store --bus`) and resolves with its URL. */
export async function startApiNode(
  d: Deployment,
  busUrl: string,
  options: { feed: boolean; replicas?: number },
): Promise<{ proc: Proc; url: string }> {
  const proc = spawnCli(["serve", "--host", "127.0.0.1", "--port", "0", "--store", d.storeUrl, "--bus", busUrl], {
    // The feed advances only on POST /v1/feed/step (the timer never fires in a test).
    XMARGIN_REPLAY_INTERVAL_MS: "100000000",
    ...(options.feed ? {} : { XMARGIN_FEED: "off" }),
    XMARGIN_BUS_REPLICAS: String(options.replicas ?? 1),
  });
  const m = await proc.waitFor(/listening on (http:\/\/[^\s]+)/);
  return { proc, url: m[1]! };
}

/** Starts a worker; in `reports` mode unless `env` says otherwise (XMARGIN_WORKER_MODE). */
export async function startWorker(
  d: Deployment,
  busUrl: string,
  replicas = 1,
  env: Record<string, string> = {},
): Promise<Proc> {
  const proc = spawnCli(["worker", "--store", d.storeUrl, "--bus", busUrl, "--replicas", String(replicas)], {
    XMARGIN_WORKER_MODE: "reports",
    ...env,
  });
  await proc.waitFor(/xmargin worker: ready/);
  return proc;
}

/** POST /v1/feed/step on an API node: the next replayed day becomes a tick; resolves with its seq. */
export async function stepFeed(url: string): Promise<number> {
  const res = await fetch(`${url}/v1/feed/step`, { method: "POST", headers: { "x-api-key": API_KEY } });
  const body = (await res.json()) as { seq?: number };
  if (res.status !== 200 || typeof body.seq !== "number") {
    throw new Error(`feed step: ${res.status} ${JSON.stringify(body)}`);
  }
  return body.seq;
}

/** What the processes stored, read through the store's own interface. */
export interface StoredState {
  latestSeq: number;
  latestSnapshot: MarketSnapshot;
  reports: Map<string, { seq: number; report: unknown }>;
  /** (account, seq, version) rows stored more than once. */
  duplicates: string[];
  rows: number;
}

export async function readStore(d: Deployment): Promise<StoredState> {
  const store = await openStore(d.storeUrl);
  try {
    const market = await store.latestMarket();
    if (!market) throw new Error("no market stored");
    const reports = new Map<string, { seq: number; report: unknown }>();
    const duplicates: string[] = [];
    let rows = 0;
    const ids = (await store.listAccounts()).map((a) => a.accountId);
    for (const id of ids) {
      const latest = await store.latestReport(id);
      if (latest) reports.set(id, { seq: latest.seq, report: latest.report });
      const seen = new Set<string>();
      for (const r of await store.marginHistory(id, 100_000)) {
        rows++;
        const key = `${id}@${r.seq}v${r.accountVersion}`;
        if (seen.has(key)) duplicates.push(key);
        seen.add(key);
      }
    }
    return {
      latestSeq: market.seq,
      latestSnapshot: marketSnapshotSchema.parse(market.snapshot),
      reports,
      duplicates,
      rows,
    };
  } finally {
    await store.close();
  }
}

/** Polls `behind` (accounts not there yet) until it is 0, or throws with how many are not after `timeoutMs`. */
async function pollUntilNoneBehind(what: string, behindNow: () => Promise<number>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let behind = Number.POSITIVE_INFINITY;
  let lastError = "";
  while (Date.now() < deadline) {
    try {
      behind = await behindNow();
    } catch (err) {
      lastError = String(err);
    }
    if (behind === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${behind} account(s) ${what} after ${timeoutMs} ms ${lastError}`);
}

/** Polls until every seeded account's stored report is at `seq` (or throws with how many are not). */
export function waitAllAt(d: Deployment, seq: number, timeoutMs: number): Promise<void> {
  return pollUntilNoneBehind(
    `not at seq ${seq}`,
    async () => {
      const store = await openStore(d.storeUrl);
      try {
        const seqs = await store.latestReportSeqs(d.accounts.map((a) => a.accountId));
        return d.accounts.filter((a) => seqs.get(a.accountId) !== seq).length;
      } finally {
        await store.close();
      }
    },
    timeoutMs,
  );
}

/** The single-process engine's report JSON of every account at a snapshot (what the workers must have stored). */
export function referenceReports(
  accounts: readonly Portfolio[],
  snapshot: MarketSnapshot,
  seq: number,
): Map<string, unknown> {
  const tick = new LiveMarket().apply(snapshot, "reference", seq);
  const config = resolveMarginConfig({ model: "grid" });
  const out = new Map<string, unknown>();
  for (const p of accounts) {
    // Through JSON, as stored: the comparison is of documents, not of object identity.
    out.set(p.accountId, JSON.parse(JSON.stringify(computeAtTick(p, tick, config, DEFAULT_RULEBOOK).json)));
  }
  return out;
}

/** Accounts whose stored report is not at `seq` or differs from the reference. */
export function mismatches(stored: StoredState, reference: Map<string, unknown>, seq: number): string[] {
  const out: string[] = [];
  for (const [id, doc] of reference) {
    const got = stored.reports.get(id);
    if (!got || got.seq !== seq || !isDeepStrictEqual(got.report, doc)) {
      out.push(id);
      // What differs, for the failure's log (the assertion itself is on the ids).
      if (out.length <= 3)
        console.log(`mismatch ${id}: stored seq ${got?.seq} (want ${seq}); ${firstDifference(got?.report, doc)}`);
    }
  }
  return out;
}

/** What a test started (NATS, the seeded store, child processes), stopped and removed together in `afterAll`. */
export class ScaleOutRun {
  nats: NatsCluster | undefined;
  deployment: Deployment | undefined;
  readonly procs: Proc[] = [];

  async stop(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.stop()));
    await this.nats?.stop();
    await this.deployment?.postgres.stop();
  }
}

/** The first path at which two JSON documents differ, with both values (for a test's failure log). */
function firstDifference(a: unknown, b: unknown, path = "$"): string {
  if (isDeepStrictEqual(a, b)) return "equal";
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return `${path}: stored ${JSON.stringify(a)?.slice(0, 200)}, engine ${JSON.stringify(b)?.slice(0, 200)}`;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const x = (a as Record<string, unknown>)[k];
    const y = (b as Record<string, unknown>)[k];
    if (!isDeepStrictEqual(x, y)) return firstDifference(x, y, `${path}.${k}`);
  }
  return `${path}: differ`;
}

/** Every account's newest figure row (by seq, then version), read straight from PostgreSQL. */
export async function latestFigures(d: Deployment): Promise<Map<string, MarginSnapshotRow>> {
  const client = new pg.Client({ connectionString: d.storeUrl });
  await client.connect();
  try {
    const res = await client.query<MarginDbRow>(
      `SELECT DISTINCT ON (account_id) * FROM margin_snapshots ORDER BY account_id, seq DESC, account_version DESC`,
    );
    return new Map(
      res.rows.map((r) => [
        r.account_id,
        marginRowOf({ ...r, seq: Number(r.seq), account_version: Number(r.account_version) }),
      ]),
    );
  } finally {
    await client.end();
  }
}

/** Polls until every seeded account's newest figure row is at `seq` (figures mode: reports are not all stored). */
export function waitAllFiguresAt(d: Deployment, seq: number, timeoutMs: number): Promise<void> {
  return pollUntilNoneBehind(
    `without figures at seq ${seq}`,
    async () => {
      const latest = await latestFigures(d);
      return d.accounts.filter((a) => latest.get(a.accountId)?.seq !== seq).length;
    },
    timeoutMs,
  );
}

/**
 * Accounts whose newest stored figures are not at `seq` or differ from the single-process engine's report figures at
 * that tick, compared exactly (to the bit). Both sides must price options on the same Black-76 path: the workers run
 * `dist/`, which has the WASM kernel once `npm run build` (or `npm test`) built it, as the test's reference has from
 * src/; with a `dist/` built by `tsc` alone the workers price in JS and figures differ in the last bits.
 */
export function figureMismatches(
  latest: Map<string, MarginSnapshotRow>,
  accounts: readonly Portfolio[],
  snapshot: MarketSnapshot,
  seq: number,
): string[] {
  const tick = new LiveMarket().apply(snapshot, "reference", seq);
  const config = resolveMarginConfig({ model: "grid" });
  const out: string[] = [];
  for (const p of accounts) {
    const { report } = computeAtTick(p, tick, config, DEFAULT_RULEBOOK);
    const got = latest.get(p.accountId);
    const ok =
      got !== undefined &&
      got.seq === seq &&
      got.model === report.model &&
      Object.is(got.equityUsd, report.equityUsd) &&
      Object.is(got.initialMarginUsd, report.initialMarginUsd) &&
      Object.is(got.maintenanceMarginUsd, report.maintenanceMarginUsd) &&
      Object.is(got.freeCollateralUsd, report.freeCollateralUsd) &&
      Object.is(got.healthRatio, report.healthRatio);
    if (!ok) {
      out.push(p.accountId);
      if (out.length <= 3)
        console.log(`figures mismatch ${p.accountId}: ${JSON.stringify(got)} vs IM ${report.initialMarginUsd}`);
    }
  }
  return out;
}
