import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { XmarginError } from "../core/errors.js";
import { shardHash } from "./bus/shardOf.js";
import {
  type AccountRow,
  type AccountWrite,
  type MarginSnapshotRow,
  type MarginSnapshotWrite,
  type MarginStore,
  type PlanRow,
  type PolicyAuditWrite,
  type PricePoint,
  type RulebookRow,
  reportTextOf,
  type StoredMarket,
  type TickWrite,
} from "./marginStore.js";
import { type Migration, sqliteMigrations } from "./migrations.js";
import { checkUniqueAccountIds } from "./storeBatches.js";
import {
  type AccountDbRow,
  type AuditDbRow,
  accountOf,
  accountParams,
  auditOf,
  auditParams,
  type MarginDbRow,
  marginParams,
  marginRowOf,
  type PlanDbRow,
  planOf,
  type RulebookDbRow,
  rulebookOf,
  shardCondition,
} from "./storeRows.js";

export interface SqliteStoreOptions {
  /** Database file; ":memory:" for a throw-away store. Its folder is created if missing. */
  file: string;
  /** Migrations to apply (default: `sqliteMigrations`). */
  migrations?: readonly Migration[];
}

/** Applies the migrations newer than the database's `user_version`, each in its own transaction. */
export function migrate(db: Database.Database, migrations: readonly Migration[]): number {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  let current = db.pragma("user_version", { simple: true }) as number;
  for (const m of sorted) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${Math.trunc(m.version)}`);
    })();
    current = m.version;
  }
  return current;
}

/** rw------- : the store holds accounts, plans and the generated API key. */
const OWNER_ONLY = 0o600;

/** Creates the store file readable and writable by its owner only (or tightens an existing one). */
function ownerOnlyFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, "a", OWNER_ONLY));
  chmodSync(file, OWNER_ONLY);
}

/**
 * The embedded default store: one SQLite file in WAL mode with `synchronous = FULL`, so every committed transaction
 * is on disk before the call returns and survives `kill -9` (and power loss). better-sqlite3 is synchronous underneath: a
 * method's promise is already settled when it returns, and a write is committed by then.
 * @example
 * const store = openSqliteStore({ file: "data/xmargin.db" });
 * await store.putAccount({ accountId: "a1", portfolio, config: { model: "grid" }, policy: null, updatedAt: new Date().toISOString() });
 * @see docs/service.md
 */
export function openSqliteStore(options: SqliteStoreOptions): MarginStore {
  let db: Database.Database;
  try {
    if (options.file !== ":memory:") ownerOnlyFile(options.file);
    db = new Database(options.file);
  } catch (cause) {
    throw new XmarginError(`cannot open the store at ${options.file}`, { code: "IO_ERROR", cause });
  }
  db.pragma("journal_mode = WAL");
  if (options.file !== ":memory:") {
    // SQLite gives the -wal and -shm files the database file's mode; tighten any left by an older version.
    for (const f of [`${options.file}-wal`, `${options.file}-shm`]) if (existsSync(f)) chmodSync(f, OWNER_ONLY);
  }
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  const schemaVersion = migrate(db, options.migrations ?? sqliteMigrations);
  if (schemaVersion >= 4) backfillShardHashes(db);

  const s = {
    getAccount: db.prepare<[string], AccountDbRow>("SELECT * FROM accounts WHERE account_id = ?"),
    listAccounts: db.prepare<[], AccountDbRow>("SELECT * FROM accounts ORDER BY account_id"),
    accountsPage: db.prepare<[string, number], AccountDbRow>(
      "SELECT * FROM accounts WHERE account_id > ? ORDER BY account_id LIMIT ?",
    ),
    countAccounts: db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM accounts"),
    upsertAccount: db.prepare(
      `INSERT INTO accounts (account_id, portfolio_json, config_json, policy_json, version, updated_at, shard_hash)
       VALUES (@accountId, @portfolio, @config, @policy, 1, @updatedAt, @shardHash)
       ON CONFLICT(account_id) DO UPDATE SET portfolio_json = excluded.portfolio_json,
         config_json = excluded.config_json, policy_json = excluded.policy_json,
         version = accounts.version + 1, updated_at = excluded.updated_at`,
    ),
    insertTick: db.prepare("INSERT INTO market_ticks (seq, as_of, source) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"),
    upsertLatest: db.prepare(
      `INSERT INTO market_latest (id, seq, as_of, source, snapshot_json) VALUES (1, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, as_of = excluded.as_of, source = excluded.source,
         snapshot_json = excluded.snapshot_json WHERE excluded.seq > market_latest.seq`,
    ),
    latest: db.prepare<[], { seq: number; as_of: string; source: string; snapshot_json: string }>(
      "SELECT seq, as_of, source, snapshot_json FROM market_latest WHERE id = 1",
    ),
    insertPrice: db.prepare(
      "INSERT INTO prices (seq, symbol, price_usd, uncertainty_usd, flags_json) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    ),
    priceHistory: db.prepare<
      [string, number],
      { seq: number; as_of: string; price_usd: number; uncertainty_usd: number }
    >(
      `SELECT p.seq, t.as_of, p.price_usd, p.uncertainty_usd FROM prices p JOIN market_ticks t ON t.seq = p.seq
       WHERE p.symbol = ? ORDER BY p.seq DESC LIMIT ?`,
    ),
    insertMargin: db.prepare(
      `INSERT INTO margin_snapshots (account_id, seq, as_of, model, account_version, equity_usd, initial_margin_usd,
         maintenance_margin_usd, free_collateral_usd, health_ratio, reason)
       VALUES (@accountId, @seq, @asOf, @model, @accountVersion, @equityUsd, @initialMarginUsd, @maintenanceMarginUsd,
         @freeCollateralUsd, @healthRatio, @reason)
       ON CONFLICT(account_id, seq, account_version) DO NOTHING`,
    ),
    upsertReport: db.prepare(
      `INSERT INTO latest_reports (account_id, seq, account_version, report_json) VALUES (?, ?, ?, ?)
       ON CONFLICT(account_id) DO UPDATE SET seq = excluded.seq, account_version = excluded.account_version,
         report_json = excluded.report_json
       WHERE (excluded.seq, excluded.account_version) > (latest_reports.seq, latest_reports.account_version)
         OR ((excluded.seq, excluded.account_version) = (latest_reports.seq, latest_reports.account_version)
           AND excluded.report_json <> latest_reports.report_json)`,
    ),
    latestReportSeqs: db.prepare<[], { account_id: string; seq: number }>("SELECT account_id, seq FROM latest_reports"),
    latestReportSeq: db.prepare<[string], { seq: number }>("SELECT seq FROM latest_reports WHERE account_id = ?"),
    marginHistory: db.prepare<[string, number], MarginDbRow>(
      "SELECT * FROM margin_snapshots WHERE account_id = ? ORDER BY id DESC LIMIT ?",
    ),
    latestReport: db.prepare<[string], { seq: number; account_version: number; report_json: string }>(
      "SELECT seq, account_version, report_json FROM latest_reports WHERE account_id = ?",
    ),
    insertPlan: db.prepare(
      `INSERT INTO plans (account_id, created_at, seq, as_of, kind, status, record_json)
       VALUES (@accountId, @createdAt, @seq, @asOf, @kind, @status, @record)`,
    ),
    setDelivery: db.prepare("UPDATE plans SET delivery = ? WHERE id = ?"),
    listPlans: db.prepare<[string, number], PlanDbRow>(
      "SELECT * FROM plans WHERE account_id = ? ORDER BY id DESC LIMIT ?",
    ),
    getMeta: db.prepare<[string], { value: string }>("SELECT value FROM meta WHERE key = ?"),
    listMeta: db.prepare<[{ prefix: string }], { key: string; value: string }>(
      "SELECT key, value FROM meta WHERE substr(key, 1, length(@prefix)) = @prefix ORDER BY key",
    ),
    insertRulebook: db.prepare(
      "INSERT INTO rulebooks (name, version, document_json, created_at, actor) VALUES (@name, @version, @document, @createdAt, @actor)",
    ),
    rulebookVersions: db.prepare<[string, number], RulebookDbRow>(
      "SELECT * FROM rulebooks WHERE name = ? ORDER BY version DESC LIMIT ?",
    ),
    insertAudit: db.prepare(
      "INSERT INTO policy_audit (at, kind, actor, rulebook, account_id, detail_json) VALUES (@at, @kind, @actor, @rulebook, @accountId, @detail)",
    ),
    auditAll: db.prepare<[number], AuditDbRow>("SELECT * FROM policy_audit ORDER BY id DESC LIMIT ?"),
    auditAccount: db.prepare<[string, number], AuditDbRow>(
      "SELECT * FROM policy_audit WHERE account_id = ? ORDER BY id DESC LIMIT ?",
    ),
    setMeta: db.prepare(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    ),
  };

  const recordTick = db.transaction((tick: TickWrite) => {
    s.insertTick.run(tick.seq, tick.asOf, tick.source);
    s.upsertLatest.run(tick.seq, tick.asOf, tick.source, JSON.stringify(tick.snapshot));
    for (const p of tick.prices) {
      s.insertPrice.run(tick.seq, p.symbol, p.priceUsd, p.uncertaintyUsd, JSON.stringify(p.flags));
    }
  });
  const recordMargins = db.transaction((rows: readonly MarginSnapshotWrite[]): number => {
    let inserted = 0;
    for (const r of rows) {
      inserted += s.insertMargin.run(marginParams(r)).changes;
      s.upsertReport.run(r.accountId, r.seq, r.accountVersion, reportTextOf(r));
    }
    return inserted;
  });
  const recordFigures = db.transaction((rows: readonly MarginSnapshotRow[]): number => {
    let inserted = 0;
    for (const r of rows) inserted += s.insertMargin.run(marginParams(r)).changes;
    return inserted;
  });
  const putOne = (a: AccountWrite): AccountRow => {
    s.upsertAccount.run(accountParams(a));
    return accountOf(s.getAccount.get(a.accountId)!);
  };
  const putAccounts = db.transaction((accounts: readonly AccountWrite[]): AccountRow[] => {
    checkUniqueAccountIds(accounts);
    return accounts.map(putOne);
  });

  const appendAudit = db.transaction((entries: readonly PolicyAuditWrite[]) => {
    for (const e of entries) s.insertAudit.run(auditParams(e));
  });
  const putRulebook = db.transaction((row: RulebookRow, audit: PolicyAuditWrite) => {
    s.insertRulebook.run({ ...row, document: JSON.stringify(row.document) });
    s.insertAudit.run(auditParams(audit));
  });
  // Every method is async so that a failure is a rejected promise, as with the PostgreSQL store, never a throw.
  return {
    schemaVersion,
    description: `sqlite ${options.file}`,
    putRulebook: async (row, audit) => putRulebook(row, audit),
    async latestRulebook(name) {
      const r = s.rulebookVersions.get(name, 1);
      return r ? rulebookOf(r) : undefined;
    },
    rulebookVersions: async (name, limit) => s.rulebookVersions.all(name, limit).map(rulebookOf),
    appendPolicyAudit: async (entries) => appendAudit(entries),
    policyAudit: async (limit, accountId) =>
      (accountId === undefined ? s.auditAll.all(limit) : s.auditAccount.all(accountId, limit)).map(auditOf),
    putAccount: async (a) => putAccounts([a])[0]!,
    putAccounts: async (accounts) => putAccounts(accounts),
    importAccounts: async (accounts) => putAccounts(accounts).length,
    async getAccount(accountId) {
      const r = s.getAccount.get(accountId);
      return r ? accountOf(r) : undefined;
    },
    listAccounts: async (page) =>
      (page ? s.accountsPage.all(page.afterId ?? "", page.limit) : s.listAccounts.all()).map(accountOf),
    countAccounts: async () => s.countAccounts.get()!.n,
    recordTick: async (tick) => recordTick(tick),
    async latestMarket(): Promise<StoredMarket | undefined> {
      const r = s.latest.get();
      return r
        ? { seq: r.seq, asOf: r.as_of, source: r.source, snapshot: JSON.parse(r.snapshot_json) as unknown }
        : undefined;
    },
    async priceHistory(symbol, limit): Promise<PricePoint[]> {
      return s.priceHistory
        .all(symbol, limit)
        .reverse()
        .map((r) => ({ seq: r.seq, asOf: r.as_of, priceUsd: r.price_usd, uncertaintyUsd: r.uncertainty_usd }));
    },
    recordMargins: async (rows) => recordMargins(rows),
    recordFigures: async (rows) => recordFigures(rows),
    async listShardAccounts(shard, shardCount) {
      const rows = db
        .prepare<[number], AccountDbRow>(
          `SELECT * FROM accounts WHERE ${shardCondition(shardCount)} = ? ORDER BY account_id`,
        )
        .all(shard);
      return rows.map(accountOf);
    },
    async marginHistory(accountId, limit): Promise<MarginSnapshotRow[]> {
      return s.marginHistory.all(accountId, limit).reverse().map(marginRowOf);
    },
    async latestReport(accountId) {
      const r = s.latestReport.get(accountId);
      return r
        ? { seq: r.seq, accountVersion: r.account_version, report: JSON.parse(r.report_json) as unknown }
        : undefined;
    },
    async latestReportSeqs(accountIds) {
      const out = new Map<string, number>();
      if (accountIds === undefined) {
        for (const r of s.latestReportSeqs.iterate()) out.set(r.account_id, r.seq);
      } else {
        for (const id of accountIds) {
          const r = s.latestReportSeq.get(id);
          if (r) out.set(id, r.seq);
        }
      }
      return out;
    },
    async insertPlan(plan) {
      const info = s.insertPlan.run({
        accountId: plan.accountId,
        createdAt: plan.createdAt,
        seq: plan.seq,
        asOf: plan.asOf,
        kind: plan.kind,
        status: plan.status,
        record: JSON.stringify(plan.record),
      });
      return Number(info.lastInsertRowid);
    },
    async setPlanDelivery(id, delivery) {
      s.setDelivery.run(delivery, id);
    },
    async listPlans(accountId, limit): Promise<PlanRow[]> {
      return s.listPlans.all(accountId, limit).map(planOf);
    },
    getMeta: async (key) => s.getMeta.get(key)?.value,
    async setMeta(key, value) {
      s.setMeta.run(key, value);
    },
    async listMeta(prefix) {
      return new Map(s.listMeta.all({ prefix }).map((r) => [r.key, r.value]));
    },
    async close() {
      if (db.open) db.close();
    },
  };
}

/** Shard hashes of accounts written before schema version 4 (none after the first open). */
function backfillShardHashes(db: Database.Database): void {
  const missing = db
    .prepare<[], { account_id: string }>("SELECT account_id FROM accounts WHERE shard_hash IS NULL")
    .all();
  if (missing.length === 0) return;
  const set = db.prepare("UPDATE accounts SET shard_hash = ? WHERE account_id = ?");
  db.transaction(() => {
    for (const r of missing) set.run(shardHash(r.account_id), r.account_id);
  })();
}
