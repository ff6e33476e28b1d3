/** One schema change. Versions are applied in ascending order, each in its own transaction, and never edited. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The SQLite schema of the margin store, oldest first. Append a migration; never change an applied one. */
export const sqliteMigrations: readonly Migration[] = [
  {
    version: 1,
    name: "accounts, market ticks, prices, margin snapshots, plans, meta",
    sql: `
      CREATE TABLE accounts (
        account_id TEXT PRIMARY KEY,
        portfolio_json TEXT NOT NULL,
        config_json TEXT NOT NULL,
        policy_json TEXT,
        version INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE market_ticks (
        seq INTEGER PRIMARY KEY,
        as_of TEXT NOT NULL,
        source TEXT NOT NULL
      );
      CREATE TABLE market_latest (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        as_of TEXT NOT NULL,
        source TEXT NOT NULL,
        snapshot_json TEXT NOT NULL
      );
      CREATE TABLE prices (
        seq INTEGER NOT NULL REFERENCES market_ticks(seq),
        symbol TEXT NOT NULL,
        price_usd REAL NOT NULL,
        uncertainty_usd REAL NOT NULL,
        flags_json TEXT NOT NULL,
        PRIMARY KEY (symbol, seq)
      );
      CREATE TABLE margin_snapshots (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        as_of TEXT NOT NULL,
        model TEXT NOT NULL,
        account_version INTEGER NOT NULL,
        equity_usd REAL NOT NULL,
        initial_margin_usd REAL NOT NULL,
        maintenance_margin_usd REAL NOT NULL,
        free_collateral_usd REAL NOT NULL,
        health_ratio REAL,
        reason TEXT NOT NULL
      );
      CREATE INDEX margin_snapshots_account ON margin_snapshots(account_id, id);
      CREATE TABLE latest_reports (
        account_id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        report_json TEXT NOT NULL
      );
      CREATE TABLE plans (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        seq INTEGER NOT NULL,
        as_of TEXT NOT NULL,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        record_json TEXT NOT NULL,
        delivery TEXT
      );
      CREATE INDEX plans_account ON plans(account_id, id);
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
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
        version INTEGER NOT NULL,
        document_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        actor TEXT NOT NULL,
        PRIMARY KEY (name, version)
      );
      CREATE TABLE policy_audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        actor TEXT NOT NULL,
        rulebook TEXT NOT NULL,
        account_id TEXT,
        detail_json TEXT NOT NULL
      );
      CREATE INDEX policy_audit_account ON policy_audit(account_id, id);
    `,
  },
  {
    version: 3,
    name: "margin rows written once per (account, market sequence, account version); latest report's account version",
    sql: `
      DELETE FROM margin_snapshots WHERE id NOT IN (
        SELECT MIN(id) FROM margin_snapshots GROUP BY account_id, seq, account_version
      );
      CREATE UNIQUE INDEX margin_snapshots_once ON margin_snapshots(account_id, seq, account_version);
      ALTER TABLE latest_reports ADD COLUMN account_version INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 4,
    name: "accounts carry their shard hash (a worker loads one shard's accounts by index)",
    // Rows written before this version get their hash from the store on open (FNV-1a is computed in one place, JS).
    sql: `
      ALTER TABLE accounts ADD COLUMN shard_hash INTEGER;
      CREATE INDEX accounts_shard16 ON accounts ((shard_hash % 16), account_id);
    `,
  },
];
