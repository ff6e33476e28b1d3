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
}

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

export interface MarginStore {
  /** Schema version after migrations. */
  readonly schemaVersion: number;
  putAccount(account: AccountWrite): AccountRow;
  getAccount(accountId: string): AccountRow | undefined;
  listAccounts(): AccountRow[];
  /** Stores a market tick and its prices in one transaction. */
  recordTick(tick: TickWrite): void;
  latestMarket(): StoredMarket | undefined;
  /** Price history of one feed symbol, oldest first, at most `limit` latest points. */
  priceHistory(symbol: string, limit: number): PricePoint[];
  /** Stores a batch of margin snapshots in one transaction (one tick's recomputed accounts). */
  recordMargins(rows: readonly MarginSnapshotWrite[]): void;
  /** Margin history of one account, oldest first, at most `limit` latest rows. */
  marginHistory(accountId: string, limit: number): MarginSnapshotRow[];
  latestReport(accountId: string): { seq: number; report: unknown } | undefined;
  insertPlan(plan: PlanWrite): number;
  setPlanDelivery(id: number, delivery: string): void;
  /** Plans of one account, newest first. */
  listPlans(accountId: string, limit: number): PlanRow[];
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
  /** Stores a rulebook version and its audit entry in one transaction. */
  putRulebook(row: RulebookRow, audit: PolicyAuditWrite): void;
  /** Newest version of a rulebook, if any was stored. */
  latestRulebook(name: string): RulebookRow | undefined;
  rulebookVersions(name: string, limit: number): RulebookRow[];
  appendPolicyAudit(entries: readonly PolicyAuditWrite[]): void;
  /** Newest first; one account's entries when `accountId` is given. */
  policyAudit(limit: number, accountId?: string): PolicyAuditRow[];
  close(): void;
}
