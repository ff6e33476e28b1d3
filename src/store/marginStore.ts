/**
 * Persistence of the margin service behind one interface: accounts (portfolio, margin config, rebalancing policy),
 * price history, margin snapshots and rebalancing plans. Documents are stored as the JSON the service validated; the
 * service validates them again when it reads them back (a store is a boundary too).
 * @see docs/service.md
 */
export interface AccountRow {
  accountId: string;
  /** Portfolio document (JSON). */
  portfolio: unknown;
  /** MarginConfig document (JSON). */
  config: unknown;
  /** Rebalancing policy document (JSON), null when the account has none. */
  policy: unknown;
  /** Starts at 1, +1 on every write. */
  version: number;
  /** Wall-clock time of the last write (ISO). */
  updatedAt: string;
}

export interface AccountWrite {
  accountId: string;
  portfolio: unknown;
  config: unknown;
  policy: unknown;
  updatedAt: string;
}

/** One aggregated price of a tick. */
export interface PriceRow {
  /** Feed symbol, e.g. "ETH", "stETH". */
  symbol: string;
  priceUsd: number;
  uncertaintyUsd: number;
  /** Aggregation flags (JSON array). */
  flags: unknown;
}

export interface TickWrite {
  /** Market sequence number, strictly increasing. */
  seq: number;
  /** Snapshot time (ISO). */
  asOf: string;
  /** Where the tick came from, e.g. "replay 2023-07-01", "push". */
  source: string;
  /** The full MarketSnapshot document (JSON); the latest one is kept to resume after a restart. */
  snapshot: unknown;
  prices: PriceRow[];
}

export interface StoredMarket {
  seq: number;
  asOf: string;
  source: string;
  snapshot: unknown;
}

export interface PricePoint {
  seq: number;
  asOf: string;
  priceUsd: number;
  uncertaintyUsd: number;
}

/** Headline figures of one margin report at one market tick. */
export interface MarginSnapshotRow {
  accountId: string;
  seq: number;
  asOf: string;
  model: string;
  accountVersion: number;
  equityUsd: number;
  initialMarginUsd: number;
  maintenanceMarginUsd: number;
  freeCollateralUsd: number;
  healthRatio: number | null;
  /** Why it was computed: "tick", "position", "start". */
  reason: string;
}

export interface MarginSnapshotWrite extends MarginSnapshotRow {
  /** The full report (MarginReportJson); only the latest per account is kept. */
  report: unknown;
  /**
   * `JSON.stringify(report)` when the writer already has it (a worker serialises each report once, for the store and
   * the bus); must be exactly that text.
   */
  reportText?: string;
}

/**
 * The JSON text of a report, stored or published: serialised once, by whoever did it first (a store row, a bus
 * result).
 */
export const reportTextOf = (row: { report: unknown; reportText?: string }): string =>
  row.reportText ?? JSON.stringify(row.report);

export interface PlanWrite {
  accountId: string;
  createdAt: string;
  seq: number;
  asOf: string;
  kind: string;
  status: string;
  /** The whole audit record (JSON): what was seen, what was proposed, why. */
  record: unknown;
}

export interface PlanRow extends PlanWrite {
  id: number;
  /** Webhook delivery outcome, null when there is no webhook or it is pending. */
  delivery: string | null;
}

/** One stored version of a rulebook document. */
export interface RulebookRow {
  name: string;
  version: number;
  document: unknown;
  createdAt: string;
  /** Who stored it (the admin key's label). */
  actor: string;
}

/** One entry of the policy audit trail: a rulebook change, or the rules fired on an account changing. */
export interface PolicyAuditWrite {
  at: string;
  kind: "rulebook-put" | "rules-fired" | "rules-cleared";
  actor: string;
  /** `name@vN` of the rulebook concerned. */
  rulebook: string;
  accountId: string | null;
  detail: unknown;
}

export interface PolicyAuditRow extends PolicyAuditWrite {
  id: number;
}

/** One page of accounts in id order: the rows after `afterId` (exclusive), at most `limit` of them. */
export interface AccountPage {
  afterId?: string;
  limit: number;
}

/**
 * The store of record behind the service and the re-margining workers. Every method is asynchronous: the embedded
 * SQLite store answers at once (synchronous underneath), the PostgreSQL store over a connection pool. A write is
 * committed when its promise resolves; a multi-row write is one transaction (all rows or none).
 *
 * Margin rows are write-once per (account, market sequence, account version): writing the same report twice (a
 * worker's redelivered work item, a retried batch) leaves one row, and an account's latest report never moves back
 * to an older sequence or version.
 */
export interface MarginStore {
  /** Schema version after migrations. */
  readonly schemaVersion: number;
  /** What the store is, for logs: "sqlite data/xmargin.db", "postgres 127.0.0.1:5432/xmargin". */
  readonly description: string;
  putAccount(account: AccountWrite): Promise<AccountRow>;
  /** Stores many accounts in one transaction (bulk onboarding); rows in the order given. */
  putAccounts(accounts: readonly AccountWrite[]): Promise<AccountRow[]>;
  /**
   * Bulk onboarding: stores many accounts in one transaction like `putAccounts`, without reading the rows back (one
   * multi-row statement on PostgreSQL); returns how many were written.
   */
  importAccounts(accounts: readonly AccountWrite[]): Promise<number>;
  getAccount(accountId: string): Promise<AccountRow | undefined>;
  /** Accounts in id order: all of them, or one page (`afterId` exclusive) for stores too large to read at once. */
  listAccounts(page?: AccountPage): Promise<AccountRow[]>;
  countAccounts(): Promise<number>;
  /** Stores a market tick and its prices in one transaction. The latest market only ever moves forward. */
  recordTick(tick: TickWrite): Promise<void>;
  latestMarket(): Promise<StoredMarket | undefined>;
  /** Price history of one feed symbol, oldest first, at most `limit` latest points. */
  priceHistory(symbol: string, limit: number): Promise<PricePoint[]>;
  /**
   * Stores a batch of margin snapshots in one transaction (one tick's recomputed accounts; thousands of rows per call
   * are fine). Write-once per (accountId, seq, accountVersion); returns how many rows were new.
   */
  recordMargins(rows: readonly MarginSnapshotWrite[]): Promise<number>;
  /**
   * Stores a batch of margin figure rows (no report) in one multi-row statement and transaction: the figures mode's
   * compact rows. Write-once per (accountId, seq, accountVersion) like `recordMargins`; returns how many were new.
   * `latest_reports` is not touched (the full report is written for some accounts, else computed on demand).
   */
  recordFigures(rows: readonly MarginSnapshotRow[]): Promise<number>;
  /**
   * One shard's accounts (`shardOf(accountId, shardCount) === shard`), in id order, by the stored shard hash
   * (indexed for the default 16 shards).
   */
  listShardAccounts(shard: number, shardCount: number): Promise<AccountRow[]>;
  /** Margin history of one account, oldest first, at most `limit` latest rows. */
  marginHistory(accountId: string, limit: number): Promise<MarginSnapshotRow[]>;
  latestReport(accountId: string): Promise<{ seq: number; accountVersion: number; report: unknown } | undefined>;
  /**
   * Market sequence of each account's latest stored report (the given accounts, or all); accounts without a report
   * are absent. Workers use it to find accounts left behind on an older tick.
   */
  latestReportSeqs(accountIds?: readonly string[]): Promise<Map<string, number>>;
  insertPlan(plan: PlanWrite): Promise<number>;
  setPlanDelivery(id: number, delivery: string): Promise<void>;
  /** Plans of one account, newest first. */
  listPlans(accountId: string, limit: number): Promise<PlanRow[]>;
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  /** Every meta entry whose key starts with `prefix` (e.g. all rebalancing band states at start). */
  listMeta(prefix: string): Promise<Map<string, string>>;
  /** Stores a rulebook version and its audit entry in one transaction. */
  putRulebook(row: RulebookRow, audit: PolicyAuditWrite): Promise<void>;
  /** Newest version of a rulebook, if any was stored. */
  latestRulebook(name: string): Promise<RulebookRow | undefined>;
  rulebookVersions(name: string, limit: number): Promise<RulebookRow[]>;
  appendPolicyAudit(entries: readonly PolicyAuditWrite[]): Promise<void>;
  /** Newest first; one account's entries when `accountId` is given. */
  policyAudit(limit: number, accountId?: string): Promise<PolicyAuditRow[]>;
  /** Closes the database (the pool's connections); further calls fail. Idempotent. */
  close(): Promise<void>;
}
