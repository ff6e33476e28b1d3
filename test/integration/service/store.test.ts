import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../../src/service/paths.js";
import { shardOf } from "../../../src/store/bus/shardOf.js";
import { sqliteMigrations } from "../../../src/store/migrations.js";
import { migrate, openSqliteStore } from "../../../src/store/sqliteStore.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "xmargin-store-"));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("SQLite store", () => {
  it("migrates once, in WAL mode with synchronous FULL, and round-trips every table", async () => {
    const file = join(tempDir(), "s.db");
    const store = openSqliteStore({ file });
    expect(store.schemaVersion).toBe(sqliteMigrations.at(-1)!.version);
    const a = await store.putAccount({
      accountId: "a1",
      portfolio: { p: 1 },
      config: { model: "grid" },
      policy: null,
      updatedAt: "t1",
    });
    expect(a.version).toBe(1);
    expect(
      (
        await store.putAccount({
          accountId: "a1",
          portfolio: { p: 2 },
          config: { model: "grid" },
          policy: { x: 1 },
          updatedAt: "t2",
        })
      ).version,
    ).toBe(2);
    await store.recordTick({
      seq: 1,
      asOf: "2023-07-01T00:00:00Z",
      source: "s",
      snapshot: { q: 1 },
      prices: [{ symbol: "ETH", priceUsd: 1900, uncertaintyUsd: 1, flags: [] }],
    });
    await store.recordTick({
      seq: 2,
      asOf: "2023-07-02T00:00:00Z",
      source: "s",
      snapshot: { q: 2 },
      prices: [{ symbol: "ETH", priceUsd: 1950, uncertaintyUsd: 1, flags: [] }],
    });
    await store.insertPlan({
      accountId: "a1",
      createdAt: "t",
      seq: 2,
      asOf: "x",
      kind: "rebalance",
      status: "proposed",
      record: { why: "w" },
    });
    await store.setMeta("k", "v");
    await store.close();

    const again = openSqliteStore({ file });
    expect(await again.getAccount("a1")).toMatchObject({ version: 2, portfolio: { p: 2 }, policy: { x: 1 } });
    expect(await again.latestMarket()).toMatchObject({ seq: 2, snapshot: { q: 2 } });
    expect((await again.priceHistory("ETH", 10)).map((p) => p.priceUsd)).toEqual([1900, 1950]);
    expect((await again.listPlans("a1", 10))[0]).toMatchObject({
      kind: "rebalance",
      record: { why: "w" },
      delivery: null,
    });
    expect(await again.getMeta("k")).toBe("v");
    await again.close();

    const raw = new Database(file, { readonly: true });
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(raw.pragma("user_version", { simple: true })).toBe(sqliteMigrations.at(-1)!.version);
    raw.close();
  });

  it("migration 3 upgrades a version-2 file: duplicate margin rows folded into the first, then written once", async () => {
    const file = join(tempDir(), "v2.db");
    const raw = new Database(file);
    migrate(raw, sqliteMigrations.slice(0, 2));
    // A version-2 service wrote the start report twice at the same tick and account version.
    const insert = raw.prepare(
      `INSERT INTO margin_snapshots (account_id, seq, as_of, model, account_version, equity_usd, initial_margin_usd,
         maintenance_margin_usd, free_collateral_usd, health_ratio, reason) VALUES (?, ?, 't', 'grid', 1, 1, ?, 1, 1, NULL, 'start')`,
    );
    insert.run("a", 1, 10);
    insert.run("a", 1, 11);
    insert.run("a", 2, 12);
    raw.prepare("INSERT INTO latest_reports (account_id, seq, report_json) VALUES ('a', 2, '{}')").run();
    raw.close();

    const store = openSqliteStore({ file });
    expect(store.schemaVersion).toBe(sqliteMigrations.at(-1)!.version);
    expect((await store.marginHistory("a", 10)).map((r) => [r.seq, r.initialMarginUsd])).toEqual([
      [1, 10],
      [2, 12],
    ]);
    expect(await store.latestReport("a")).toEqual({ seq: 2, accountVersion: 0, report: {} });
    await store.close();
  });

  it("migration 4 gives accounts written before it their shard hash on open (listShardAccounts finds them)", async () => {
    const file = join(tempDir(), "v3.db");
    const raw = new Database(file);
    migrate(raw, sqliteMigrations.slice(0, 3));
    const insert = raw.prepare(
      `INSERT INTO accounts (account_id, portfolio_json, config_json, policy_json, version, updated_at)
       VALUES (?, '{}', '{}', NULL, 1, 't')`,
    );
    for (const id of ["acct-1", "acct-2", "acct-3"]) insert.run(id);
    raw.close();

    const store = openSqliteStore({ file });
    for (const id of ["acct-1", "acct-2", "acct-3"]) {
      const rows = await store.listShardAccounts(shardOf(id, 16), 16);
      expect(rows.map((r) => r.accountId)).toContain(id);
    }
    await store.close();
  });

  // Every method of the store, on SQLite and PostgreSQL alike: test/integration/store/marginStore.contract.test.ts.

  it("loses nothing committed when the writer is killed with SIGKILL", async () => {
    const file = join(tempDir(), "kill.db");
    const child = spawn(
      join(REPO_ROOT, "node_modules", ".bin", "vite-node"),
      [join(HERE, "storeWriterChild.ts"), file],
      { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let committed = 0;
    let stderr = "";
    child.stderr.on("data", (c) => {
      stderr += String(c);
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("exit", (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child wrote nothing: ${stderr}`)), 30_000);
      let buffer = "";
      child.stdout.on("data", (chunk) => {
        buffer += String(chunk);
        const lines = buffer.split("\n");
        buffer = lines.pop() ?? "";
        for (const line of lines) {
          const m = /^committed (\d+)$/.exec(line);
          if (m) committed = Number(m[1]);
        }
        if (committed >= 200) {
          clearTimeout(timer);
          child.kill("SIGKILL");
          resolve();
        }
      });
    });
    expect(await exited).toBe("SIGKILL");
    const store = openSqliteStore({ file });
    // Everything the child reported as committed is there (and possibly a few more commits it made after).
    const accounts = (await store.listAccounts()).length;
    expect(accounts).toBeGreaterThanOrEqual(committed);
    for (const n of [1, Math.floor(committed / 2), committed]) {
      expect((await store.getAccount(`acct-${n}`))?.portfolio).toEqual({
        accountId: `acct-${n}`,
        holdings: [],
        positions: [],
      });
      expect(await store.marginHistory(`acct-${n}`, 5)).toHaveLength(1);
    }
    const latestSeq = (await store.latestMarket())!.seq;
    expect(latestSeq).toBeGreaterThanOrEqual(committed);
    expect(await store.priceHistory("ETH", 100_000)).toHaveLength(latestSeq);
    await store.close();
  });

  // A restarted service resumes on either store: serviceResume.test.ts.
});
