import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { generateAccounts } from "../../../bench/generateAccounts.js";
import { DEFAULT_RULEBOOK } from "../../../src/margin/policy/defaultRulebook.js";
import { resolveMarginConfig } from "../../../src/margin/resolveConfig.js";
import { type MarketSnapshot, marketSnapshotSchema } from "../../../src/schema/marketSnapshot.js";
import { type Portfolio, portfolioSchema } from "../../../src/schema/portfolio.js";
import { LiveMarket } from "../../../src/service/liveMarket.js";
import { computeAtTick } from "../../../src/service/marginService.js";
import { REPO_ROOT } from "../../../src/service/paths.js";
import { openSqliteStore } from "../../../src/store/sqliteStore.js";
import type { NatsCluster } from "../../support/natsServer.js";

/** The built CLI (tests of this folder run after `tsc`, as `npm test` does). */
export const CLI = join(REPO_ROOT, "dist/src/cli/main.js");
export const HISTORY_DIR = join(REPO_ROOT, "../shared/data");
export const API_KEY = "scale-out-test-key-0123456789";

export const scaleOutReady = (): boolean => existsSync(CLI) && existsSync(HISTORY_DIR);

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
  dir: string;
  storeUrl: string;
  dbFile: string;
  accounts: Portfolio[];
}

/** A temp folder with a SQLite store seeded with `n` generated accounts (grid model). */
export function seedDeployment(n: number, seed: number): Deployment {
  const dir = mkdtempSync(join(tmpdir(), "xmargin-scaleout-"));
  const dbFile = join(dir, "store.db");
  // The store creates its schema; the accounts then go in with one transaction (one fsync, not one per account).
  openSqliteStore({ file: dbFile }).close();
  const accounts = generateAccounts(n, seed, { meanItems: 3 }).map((p) => portfolioSchema.parse(p));
  const at = new Date().toISOString();
  const db = new Database(dbFile);
  const insert = db.prepare(
    "INSERT INTO accounts (account_id, portfolio_json, config_json, policy_json, version, updated_at) VALUES (?, ?, ?, NULL, 1, ?)",
  );
  db.transaction(() => {
    for (const p of accounts) insert.run(p.accountId, JSON.stringify(p), JSON.stringify({ model: "grid" }), at);
  })();
  db.close();
  return { dir, dbFile, storeUrl: `sqlite:${dbFile}`, accounts };
}

export function removeDeployment(d: Deployment | undefined): void {
  if (d) rmSync(d.dir, { recursive: true, force: true });
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

export async function startWorker(
  d: Deployment,
  busUrl: string,
  replicas = 1,
  env: Record<string, string> = {},
): Promise<Proc> {
  const proc = spawnCli(["worker", "--store", d.storeUrl, "--bus", busUrl, "--replicas", String(replicas)], env);
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

/** The store seen from outside (read-only): what the processes wrote. */
export function readStore(d: Deployment): {
  latestSeq: number;
  latestSnapshot: MarketSnapshot;
  reports: Map<string, { seq: number; json: string }>;
  /** (account, seq) pairs written more than once. */
  duplicates: Array<{ account_id: string; seq: number; n: number }>;
  rows: number;
} {
  const db = new Database(d.dbFile, { readonly: true });
  try {
    const market = db.prepare("SELECT seq, snapshot_json FROM market_latest").get() as {
      seq: number;
      snapshot_json: string;
    };
    const reports = new Map<string, { seq: number; json: string }>();
    for (const r of db.prepare("SELECT account_id, seq, report_json FROM latest_reports").all() as Array<{
      account_id: string;
      seq: number;
      report_json: string;
    }>) {
      reports.set(r.account_id, { seq: r.seq, json: r.report_json });
    }
    const duplicates = db
      .prepare(
        "SELECT account_id, seq, COUNT(*) AS n FROM margin_snapshots GROUP BY account_id, seq, account_version HAVING n > 1",
      )
      .all() as Array<{ account_id: string; seq: number; n: number }>;
    const rows = (db.prepare("SELECT COUNT(*) AS n FROM margin_snapshots").get() as { n: number }).n;
    return {
      latestSeq: market.seq,
      latestSnapshot: marketSnapshotSchema.parse(JSON.parse(market.snapshot_json)),
      reports,
      duplicates,
      rows,
    };
  } finally {
    db.close();
  }
}

/** Polls until every account's stored report is at `seq` (or throws with how many are not). */
export async function waitAllAt(d: Deployment, seq: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let behind = Number.POSITIVE_INFINITY;
  while (Date.now() < deadline) {
    const db = new Database(d.dbFile, { readonly: true });
    try {
      const n = (db.prepare("SELECT COUNT(*) AS n FROM latest_reports WHERE seq = ?").get(seq) as { n: number }).n;
      behind = d.accounts.length - n;
    } finally {
      db.close();
    }
    if (behind === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${behind} account(s) not at seq ${seq} after ${timeoutMs} ms`);
}

/** The single-process engine's report JSON of every account at a snapshot (what the workers must have stored). */
export function referenceReports(
  accounts: readonly Portfolio[],
  snapshot: MarketSnapshot,
  seq: number,
): Map<string, string> {
  const tick = new LiveMarket().apply(snapshot, "reference", seq);
  const config = resolveMarginConfig({ model: "grid" });
  const out = new Map<string, string>();
  for (const p of accounts) out.set(p.accountId, JSON.stringify(computeAtTick(p, tick, config, DEFAULT_RULEBOOK).json));
  return out;
}

export function readText(file: string): string {
  return readFileSync(file, "utf8");
}

/** What a test started (NATS, the seeded store, child processes), stopped and removed together in `afterAll`. */
export class ScaleOutRun {
  nats: NatsCluster | undefined;
  deployment: Deployment | undefined;
  readonly procs: Proc[] = [];

  async stop(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.stop()));
    await this.nats?.stop();
    removeDeployment(this.deployment);
  }
}
