import pg from "pg";
import { shardHash } from "./bus/shardOf.js";
import {
  type AccountRow,
  type AccountWrite,
  type MarginSnapshotRow,
  type MarginSnapshotWrite,
  type MarginStore,
  type PolicyAuditWrite,
  reportTextOf,
  type StoredMarket,
  type TickWrite,
} from "./marginStore.js";
import type { Migration } from "./migrations.js";
import { postgresMigrations } from "./postgresMigrations.js";
import { describeUrl, guarded, inTransaction, migrate, typeParsers } from "./postgresPool.js";
import { checkUniqueAccountIds } from "./storeBatches.js";
import {
  type AccountDbRow,
  type AuditDbRow,
  accountOf,
  accountParams,
  auditOf,
  auditParams,
  type MarginDbRow,
  marginRowOf,
  type PlanDbRow,
  planOf,
  type RulebookDbRow,
  rulebookOf,
  shardCondition,
} from "./storeRows.js";

export interface PostgresStoreOptions {
  /** Connection URL, e.g. `postgres://xmargin@127.0.0.1:5432/xmargin`. */
  url: string;
  /** Connections in the pool (default 10). */
  maxConnections?: number;
  /** How long a call waits for a connection before it fails with StoreUnavailableError (default 5000 ms). */
  connectTimeoutMs?: number;
  /** Migrations to apply (default: `postgresMigrations`). */
  migrations?: readonly Migration[];
  /** Operator log: dropped idle connections (default: nothing). */
  log?: (line: string) => void;
}

/** Separates the reports of a batch in one string parameter (U+001E; JSON.stringify escapes every control character). */
const RECORD_SEPARATOR = "\u001e";

const MARGIN_COLUMNS = `account_id, seq, as_of, model, account_version, equity_usd, initial_margin_usd,
  maintenance_margin_usd, free_collateral_usd, health_ratio, reason`;

/**
 * The scale-out store of record: PostgreSQL over a node-postgres connection pool. Multi-row writes are one
 * transaction; a tick's margin rows go in as one multi-row statement per table (arrays through `unnest`), so a batch
 * of thousands of accounts costs a few round trips. After a PostgreSQL restart the pool opens new connections by
 * itself: calls during the outage fail with the retryable StoreUnavailableError, the next call after it succeeds.
 * @example
 * const store = await openPostgresStore({ url: "postgres://xmargin@127.0.0.1:5432/xmargin" });
 * await store.recordMargins(rows);
 * await store.close();
 * @see docs/service.md#store
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<MarginStore> {
  const log = options.log ?? (() => {});
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    types: typeParsers,
  });
  // An idle connection killed by a server restart emits here; without a listener it would crash the process.
  pool.on("error", (err) => log(`store: idle PostgreSQL connection dropped (${err.message})`));
  let schemaVersion: number;
  try {
    schemaVersion = await guarded("migrate", () => migrate(pool, options.migrations ?? postgresMigrations));
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  const q = <R extends pg.QueryResultRow>(what: string, sql: string, params: unknown[] = []) =>
    guarded(what, () => pool.query<R>(sql, params));
  const tx = <T>(what: string, run: (c: pg.PoolClient) => Promise<T>) => guarded(what, () => inTransaction(pool, run));

  /** Upserts accounts in one statement; reads the stored rows back only when `readBack` (bulk imports do not). */
  const upsertAccounts = async (
    c: pg.PoolClient,
    accounts: readonly AccountWrite[],
    readBack = true,
  ): Promise<AccountRow[]> => {
    const p = accounts.map(accountParams);
    const res = await c.query<AccountDbRow>(
      `INSERT INTO accounts (account_id, portfolio_json, config_json, policy_json, version, updated_at, shard_hash)
       SELECT a, p::json, c::json, pol::json, 1, u, h
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int8[]) AS t(a, p, c, pol, u, h)
       ON CONFLICT (account_id) DO UPDATE SET portfolio_json = excluded.portfolio_json,
         config_json = excluded.config_json, policy_json = excluded.policy_json,
         version = accounts.version + 1, updated_at = excluded.updated_at
       ${readBack ? "RETURNING *" : ""}`,
      [
        p.map((x) => x.accountId),
        p.map((x) => x.portfolio),
        p.map((x) => x.config),
        p.map((x) => x.policy),
        p.map((x) => x.updatedAt),
        p.map((x) => x.shardHash),
      ],
    );
    if (!readBack) return [];
    const byId = new Map(res.rows.map((r) => [r.account_id, accountOf(r)]));
    return accounts.map((a) => byId.get(a.accountId)!);
  };

  const insertAudit = (c: pg.PoolClient | pg.Pool, entries: readonly PolicyAuditWrite[]) => {
    const p = entries.map(auditParams);
    return c.query(
      `INSERT INTO policy_audit (at, kind, actor, rulebook, account_id, detail_json)
       SELECT at, kind, actor, rulebook, account_id, detail::json
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
         AS t(at, kind, actor, rulebook, account_id, detail)`,
      [
        p.map((x) => x.at),
        p.map((x) => x.kind),
        p.map((x) => x.actor),
        p.map((x) => x.rulebook),
        p.map((x) => x.accountId),
        p.map((x) => x.detail),
      ],
    );
  };

  /**
   * A tick's margin rows in one statement with two string parameters: the rows' figures as a JSON array (unpacked by
   * `json_to_recordset`) and their reports joined by the record separator U+001E, which JSON.stringify never leaves
   * raw in its output. Big reports thus cross as one string, not as a JSON value PostgreSQL would parse again. The
   * history insert skips keys already written; the latest-report upsert takes each account's newest row of the batch
   * (an upsert may touch a row once per statement), never moves an account back, and leaves an identical report
   * alone (a redelivered batch costs reads, not writes). Rows go in key order, so two writers of overlapping batches
   * lock rows in the same order and cannot deadlock.
   */
  const insertMargins = async (rows: readonly MarginSnapshotWrite[]): Promise<number> => {
    const figures = rows.map(({ report: _report, reportText: _text, ...figures }, i) => ({ ...figures, i: i + 1 }));
    const reports = rows.map(reportTextOf).join(RECORD_SEPARATOR);
    const res = await q<{ inserted: number }>(
      "recordMargins",
      `WITH input AS (
         SELECT t.*, r.report FROM json_to_recordset($1::json) AS t(
           i bigint, "accountId" text, seq bigint, "asOf" text, model text, "accountVersion" bigint,
           "equityUsd" float8, "initialMarginUsd" float8, "maintenanceMarginUsd" float8, "freeCollateralUsd" float8,
           "healthRatio" float8, reason text)
         JOIN unnest(string_to_array($2::text, chr(30))) WITH ORDINALITY AS r(report, i) ON r.i = t.i
       ),
       inserted AS (
         INSERT INTO margin_snapshots (${MARGIN_COLUMNS})
         SELECT "accountId", seq, "asOf", model, "accountVersion", "equityUsd", "initialMarginUsd",
           "maintenanceMarginUsd", "freeCollateralUsd", "healthRatio", reason
         FROM input ORDER BY "accountId", seq, "accountVersion"
         ON CONFLICT (account_id, seq, account_version) DO NOTHING
         RETURNING 1
       ),
       newest AS (
         SELECT DISTINCT ON ("accountId") "accountId", seq, "accountVersion", report
         FROM input ORDER BY "accountId", seq DESC, "accountVersion" DESC
       ),
       latest AS (
         INSERT INTO latest_reports (account_id, seq, account_version, report_json)
         SELECT "accountId", seq, "accountVersion", report FROM newest
         ON CONFLICT (account_id) DO UPDATE SET seq = excluded.seq, account_version = excluded.account_version,
           report_json = excluded.report_json
         WHERE (excluded.seq, excluded.account_version) > (latest_reports.seq, latest_reports.account_version)
           OR ((excluded.seq, excluded.account_version) = (latest_reports.seq, latest_reports.account_version)
             AND excluded.report_json <> latest_reports.report_json)
       )
       SELECT count(*)::int8 AS inserted FROM inserted`,
      [JSON.stringify(figures), reports],
    );
    return res.rows[0]!.inserted;
  };

  /**
   * Compact figure rows: one statement, one array parameter per column (`unnest`), in key order (no deadlock between
   * two writers of overlapping batches); write-once per key.
   */
  const insertFigures = async (rows: readonly MarginSnapshotRow[]): Promise<number> => {
    const sorted = [...rows].sort((x, y) =>
      x.accountId < y.accountId
        ? -1
        : x.accountId > y.accountId
          ? 1
          : x.seq - y.seq || x.accountVersion - y.accountVersion,
    );
    const col = <K extends keyof MarginSnapshotRow>(k: K) => sorted.map((r) => r[k]);
    const res = await q<{ inserted: number }>(
      "recordFigures",
      `WITH inserted AS (
         INSERT INTO margin_snapshots (${MARGIN_COLUMNS})
         SELECT * FROM unnest($1::text[], $2::int8[], $3::text[], $4::text[], $5::int8[], $6::float8[], $7::float8[],
           $8::float8[], $9::float8[], $10::float8[], $11::text[])
         ON CONFLICT (account_id, seq, account_version) DO NOTHING
         RETURNING 1
       )
       SELECT count(*)::int8 AS inserted FROM inserted`,
      [
        col("accountId"),
        col("seq"),
        col("asOf"),
        col("model"),
        col("accountVersion"),
        col("equityUsd"),
        col("initialMarginUsd"),
        col("maintenanceMarginUsd"),
        col("freeCollateralUsd"),
        col("healthRatio"),
        col("reason"),
      ],
    );
    return res.rows[0]!.inserted;
  };

  await backfillShardHashes(q);

  let closed: Promise<void> | undefined;
  return {
    schemaVersion,
    description: describeUrl(options.url),
    async putAccount(a) {
      return (await tx("putAccount", (c) => upsertAccounts(c, [a])))[0]!;
    },
    async putAccounts(accounts) {
      checkUniqueAccountIds(accounts);
      if (accounts.length === 0) return [];
      return tx("putAccounts", (c) => upsertAccounts(c, accounts));
    },
    async importAccounts(accounts) {
      checkUniqueAccountIds(accounts);
      if (accounts.length === 0) return 0;
      await tx("importAccounts", (c) => upsertAccounts(c, accounts, false));
      return accounts.length;
    },
    async getAccount(accountId) {
      const res = await q<AccountDbRow>("getAccount", "SELECT * FROM accounts WHERE account_id = $1", [accountId]);
      return res.rows[0] ? accountOf(res.rows[0]) : undefined;
    },
    async listAccounts(page) {
      const res = page
        ? await q<AccountDbRow>(
            "listAccounts",
            "SELECT * FROM accounts WHERE account_id > $1 ORDER BY account_id LIMIT $2",
            [page.afterId ?? "", page.limit],
          )
        : await q<AccountDbRow>("listAccounts", "SELECT * FROM accounts ORDER BY account_id");
      return res.rows.map(accountOf);
    },
    async countAccounts() {
      const res = await q<{ n: number }>("countAccounts", "SELECT count(*)::int8 AS n FROM accounts");
      return res.rows[0]!.n;
    },
    async recordTick(tick: TickWrite) {
      await tx("recordTick", async (c) => {
        await c.query("INSERT INTO market_ticks (seq, as_of, source) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", [
          tick.seq,
          tick.asOf,
          tick.source,
        ]);
        await c.query(
          `INSERT INTO market_latest (id, seq, as_of, source, snapshot_json) VALUES (1, $1, $2, $3, $4::json)
           ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, as_of = excluded.as_of, source = excluded.source,
             snapshot_json = excluded.snapshot_json WHERE excluded.seq > market_latest.seq`,
          [tick.seq, tick.asOf, tick.source, JSON.stringify(tick.snapshot)],
        );
        await c.query(
          `INSERT INTO prices (seq, symbol, price_usd, uncertainty_usd, flags_json)
           SELECT $1, s, p, u, f::json FROM unnest($2::text[], $3::float8[], $4::float8[], $5::text[]) AS t(s, p, u, f)
           ON CONFLICT DO NOTHING`,
          [
            tick.seq,
            tick.prices.map((p) => p.symbol),
            tick.prices.map((p) => p.priceUsd),
            tick.prices.map((p) => p.uncertaintyUsd),
            tick.prices.map((p) => JSON.stringify(p.flags)),
          ],
        );
      });
    },
    async latestMarket(): Promise<StoredMarket | undefined> {
      const res = await q<{ seq: number; as_of: string; source: string; snapshot_json: string }>(
        "latestMarket",
        "SELECT seq, as_of, source, snapshot_json FROM market_latest WHERE id = 1",
      );
      const r = res.rows[0];
      return r
        ? { seq: r.seq, asOf: r.as_of, source: r.source, snapshot: JSON.parse(r.snapshot_json) as unknown }
        : undefined;
    },
    async priceHistory(symbol, limit) {
      const res = await q<{ seq: number; as_of: string; price_usd: number; uncertainty_usd: number }>(
        "priceHistory",
        `SELECT p.seq, t.as_of, p.price_usd, p.uncertainty_usd FROM prices p JOIN market_ticks t ON t.seq = p.seq
         WHERE p.symbol = $1 ORDER BY p.seq DESC LIMIT $2`,
        [symbol, limit],
      );
      return res.rows
        .reverse()
        .map((r) => ({ seq: r.seq, asOf: r.as_of, priceUsd: r.price_usd, uncertaintyUsd: r.uncertainty_usd }));
    },
    async recordMargins(rows) {
      if (rows.length === 0) return 0;
      return insertMargins(rows);
    },
    async recordFigures(rows) {
      if (rows.length === 0) return 0;
      return insertFigures(rows);
    },
    async listShardAccounts(shard, shardCount) {
      const res = await q<AccountDbRow>(
        "listShardAccounts",
        `SELECT * FROM accounts WHERE ${shardCondition(shardCount)} = $1 ORDER BY account_id`,
        [shard],
      );
      return res.rows.map(accountOf);
    },
    async marginHistory(accountId, limit) {
      const res = await q<MarginDbRow>(
        "marginHistory",
        "SELECT * FROM margin_snapshots WHERE account_id = $1 ORDER BY id DESC LIMIT $2",
        [accountId, limit],
      );
      return res.rows.reverse().map(marginRowOf);
    },
    async latestReport(accountId) {
      const res = await q<{ seq: number; account_version: number; report_json: string }>(
        "latestReport",
        "SELECT seq, account_version, report_json FROM latest_reports WHERE account_id = $1",
        [accountId],
      );
      const r = res.rows[0];
      return r
        ? { seq: r.seq, accountVersion: r.account_version, report: JSON.parse(r.report_json) as unknown }
        : undefined;
    },
    async latestReportSeqs(accountIds) {
      const res =
        accountIds === undefined
          ? await q<{ account_id: string; seq: number }>(
              "latestReportSeqs",
              "SELECT account_id, seq FROM latest_reports",
            )
          : await q<{ account_id: string; seq: number }>(
              "latestReportSeqs",
              "SELECT account_id, seq FROM latest_reports WHERE account_id = ANY($1::text[])",
              [accountIds],
            );
      return new Map(res.rows.map((r) => [r.account_id, r.seq]));
    },
    async insertPlan(plan) {
      const res = await q<{ id: number }>(
        "insertPlan",
        `INSERT INTO plans (account_id, created_at, seq, as_of, kind, status, record_json)
         VALUES ($1, $2, $3, $4, $5, $6, $7::json) RETURNING id`,
        [plan.accountId, plan.createdAt, plan.seq, plan.asOf, plan.kind, plan.status, JSON.stringify(plan.record)],
      );
      return res.rows[0]!.id;
    },
    async setPlanDelivery(id, delivery) {
      await q("setPlanDelivery", "UPDATE plans SET delivery = $1 WHERE id = $2", [delivery, id]);
    },
    async listPlans(accountId, limit) {
      const res = await q<PlanDbRow>(
        "listPlans",
        "SELECT * FROM plans WHERE account_id = $1 ORDER BY id DESC LIMIT $2",
        [accountId, limit],
      );
      return res.rows.map(planOf);
    },
    async getMeta(key) {
      const res = await q<{ value: string }>("getMeta", "SELECT value FROM meta WHERE key = $1", [key]);
      return res.rows[0]?.value;
    },
    async setMeta(key, value) {
      await q(
        "setMeta",
        "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
      );
    },
    async listMeta(prefix) {
      const res = await q<{ key: string; value: string }>(
        "listMeta",
        "SELECT key, value FROM meta WHERE left(key, length($1)) = $1 ORDER BY key",
        [prefix],
      );
      return new Map(res.rows.map((r) => [r.key, r.value]));
    },
    async putRulebook(row, audit) {
      await tx("putRulebook", async (c) => {
        await c.query(
          `INSERT INTO rulebooks (name, version, document_json, created_at, actor) VALUES ($1, $2, $3::json, $4, $5)`,
          [row.name, row.version, JSON.stringify(row.document), row.createdAt, row.actor],
        );
        await insertAudit(c, [audit]);
      });
    },
    async latestRulebook(name) {
      const res = await q<RulebookDbRow>(
        "latestRulebook",
        "SELECT * FROM rulebooks WHERE name = $1 ORDER BY version DESC LIMIT 1",
        [name],
      );
      return res.rows[0] ? rulebookOf(res.rows[0]) : undefined;
    },
    async rulebookVersions(name, limit) {
      const res = await q<RulebookDbRow>(
        "rulebookVersions",
        "SELECT * FROM rulebooks WHERE name = $1 ORDER BY version DESC LIMIT $2",
        [name, limit],
      );
      return res.rows.map(rulebookOf);
    },
    async appendPolicyAudit(entries) {
      if (entries.length === 0) return;
      await guarded("appendPolicyAudit", () => insertAudit(pool, entries));
    },
    async policyAudit(limit, accountId) {
      const res =
        accountId === undefined
          ? await q<AuditDbRow>("policyAudit", "SELECT * FROM policy_audit ORDER BY id DESC LIMIT $1", [limit])
          : await q<AuditDbRow>(
              "policyAudit",
              "SELECT * FROM policy_audit WHERE account_id = $1 ORDER BY id DESC LIMIT $2",
              [accountId, limit],
            );
      return res.rows.map(auditOf);
    },
    close() {
      closed ??= pool.end();
      return closed;
    },
  };
}

/** Shard hashes of accounts written before schema version 4 (none after the first open). */
async function backfillShardHashes(
  q: <R extends pg.QueryResultRow>(what: string, sql: string, params?: unknown[]) => Promise<pg.QueryResult<R>>,
): Promise<void> {
  const missing = await q<{ account_id: string }>(
    "backfillShardHashes",
    "SELECT account_id FROM accounts WHERE shard_hash IS NULL",
  );
  if (missing.rows.length === 0) return;
  const ids = missing.rows.map((r) => r.account_id);
  await q(
    "backfillShardHashes",
    "UPDATE accounts SET shard_hash = t.h FROM unnest($1::text[], $2::int8[]) AS t(a, h) WHERE account_id = t.a",
    [ids, ids.map(shardHash)],
  );
}
