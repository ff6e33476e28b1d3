import type { Migration } from "./migrations.js";

/**
 * The PostgreSQL schema of the margin store, oldest first: the same tables and keys as the SQLite schema, in
 * PostgreSQL's types (documents as `json`, which keeps the text as written; 64-bit sequence numbers; ids and keys
 * in byte order like SQLite's, so pages of accounts come in the same order). Append a
 * migration; never change an applied one. Applied versions are rows of `schema_version`.
 */
export const postgresMigrations: readonly Migration[] = [
  {
    version: 1,
    name: "accounts, market ticks, prices, margin snapshots (write-once), latest reports, plans, meta",
    sql: `
      CREATE TABLE accounts (
        account_id TEXT COLLATE "C" PRIMARY KEY,
        portfolio_json JSON NOT NULL,
        config_json JSON NOT NULL,
        policy_json JSON,
        version BIGINT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE market_ticks (
        seq BIGINT PRIMARY KEY,
        as_of TEXT NOT NULL,
        source TEXT NOT NULL
      );
      CREATE TABLE market_latest (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq BIGINT NOT NULL,
        as_of TEXT NOT NULL,
        source TEXT NOT NULL,
        snapshot_json JSON NOT NULL
      );
      CREATE TABLE prices (
        seq BIGINT NOT NULL REFERENCES market_ticks(seq),
        symbol TEXT NOT NULL,
        price_usd DOUBLE PRECISION NOT NULL,
        uncertainty_usd DOUBLE PRECISION NOT NULL,
        flags_json JSON NOT NULL,
        PRIMARY KEY (symbol, seq)
      );
      CREATE TABLE margin_snapshots (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        account_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        as_of TEXT NOT NULL,
        model TEXT NOT NULL,
        account_version BIGINT NOT NULL,
        equity_usd DOUBLE PRECISION NOT NULL,
        initial_margin_usd DOUBLE PRECISION NOT NULL,
        maintenance_margin_usd DOUBLE PRECISION NOT NULL,
        free_collateral_usd DOUBLE PRECISION NOT NULL,
        health_ratio DOUBLE PRECISION,
        reason TEXT NOT NULL,
        CONSTRAINT margin_snapshots_once UNIQUE (account_id, seq, account_version)
      );
      CREATE INDEX margin_snapshots_account ON margin_snapshots(account_id, id);
      CREATE TABLE latest_reports (
        account_id TEXT PRIMARY KEY,
        seq BIGINT NOT NULL,
        account_version BIGINT NOT NULL,
        -- Text, not json: reports come from the engine's own serialiser and are validated when read; parsing
        -- megabytes of them per tick in the server would cost more than writing them.
        report_json TEXT NOT NULL
      );
      CREATE TABLE plans (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        account_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        seq BIGINT NOT NULL,
        as_of TEXT NOT NULL,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        record_json JSON NOT NULL,
        delivery TEXT
      );
      CREATE INDEX plans_account ON plans(account_id, id);
      CREATE TABLE meta (
        key TEXT COLLATE "C" PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: "rulebooks with versions and the policy audit trail",
    sql: `
      CREATE TABLE rulebooks (
        name TEXT NOT NULL,
        version BIGINT NOT NULL,
        document_json JSON NOT NULL,
        created_at TEXT NOT NULL,
        actor TEXT NOT NULL,
        PRIMARY KEY (name, version)
      );
      CREATE TABLE policy_audit (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        actor TEXT NOT NULL,
        rulebook TEXT NOT NULL,
        account_id TEXT,
        detail_json JSON NOT NULL
      );
      CREATE INDEX policy_audit_account ON policy_audit(account_id, id);
    `,
  },
  {
    version: 3,
    name: "latest reports compressed with lz4 where the server has it (about a third faster to write than pglz)",
    sql: `
      DO $$
      BEGIN
        ALTER TABLE latest_reports ALTER COLUMN report_json SET COMPRESSION lz4;
      EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'lz4 unavailable (%), latest reports keep the default compression', SQLERRM;
      END
      $$;
    `,
  },
  {
    version: 4,
    name: "accounts carry their shard hash (a worker loads one shard's accounts by index)",
    // Rows written before this version get their hash from the store on open (FNV-1a is computed in one place, JS).
    sql: `
      ALTER TABLE accounts ADD COLUMN shard_hash BIGINT;
      CREATE INDEX accounts_shard16 ON accounts ((shard_hash % 16), account_id);
    `,
  },
];
