/**
 * The stored shape of the margin store's rows (column names, documents as JSON text) and the one mapping between it
 * and the store's interface types, shared by the SQLite and PostgreSQL stores (PostgreSQL hands `json` columns over as
 * text and 64-bit integers as numbers, so both read the same rows).
 */
import { XmarginError } from "../core/errors.js";
import { shardHash } from "./bus/shardOf.js";
import type {
  AccountRow,
  AccountWrite,
  MarginSnapshotRow,
  PlanRow,
  PolicyAuditRow,
  PolicyAuditWrite,
  RulebookRow,
} from "./marginStore.js";

export interface AccountDbRow {
  account_id: string;
  portfolio_json: string;
  config_json: string;
  policy_json: string | null;
  version: number;
  updated_at: string;
}

export interface MarginDbRow {
  account_id: string;
  seq: number;
  as_of: string;
  model: string;
  account_version: number;
  equity_usd: number;
  initial_margin_usd: number;
  maintenance_margin_usd: number;
  free_collateral_usd: number;
  health_ratio: number | null;
  reason: string;
}

export interface PlanDbRow {
  id: number;
  account_id: string;
  created_at: string;
  seq: number;
  as_of: string;
  kind: string;
  status: string;
  record_json: string;
  delivery: string | null;
}

export function accountOf(r: AccountDbRow): AccountRow {
  return {
    accountId: r.account_id,
    portfolio: JSON.parse(r.portfolio_json) as unknown,
    config: JSON.parse(r.config_json) as unknown,
    policy: r.policy_json === null ? null : (JSON.parse(r.policy_json) as unknown),
    version: r.version,
    updatedAt: r.updated_at,
  };
}

export function marginRowOf(r: MarginDbRow): MarginSnapshotRow {
  return {
    accountId: r.account_id,
    seq: r.seq,
    asOf: r.as_of,
    model: r.model,
    accountVersion: r.account_version,
    equityUsd: r.equity_usd,
    initialMarginUsd: r.initial_margin_usd,
    maintenanceMarginUsd: r.maintenance_margin_usd,
    freeCollateralUsd: r.free_collateral_usd,
    healthRatio: r.health_ratio,
    reason: r.reason,
  };
}

export interface RulebookDbRow {
  name: string;
  version: number;
  document_json: string;
  created_at: string;
  actor: string;
}

export interface AuditDbRow {
  id: number;
  at: string;
  kind: string;
  actor: string;
  rulebook: string;
  account_id: string | null;
  detail_json: string;
}

export const rulebookOf = (r: RulebookDbRow): RulebookRow => ({
  name: r.name,
  version: r.version,
  document: JSON.parse(r.document_json) as unknown,
  createdAt: r.created_at,
  actor: r.actor,
});
export const auditOf = (r: AuditDbRow): PolicyAuditRow => ({
  id: r.id,
  at: r.at,
  kind: r.kind as PolicyAuditRow["kind"],
  actor: r.actor,
  rulebook: r.rulebook,
  accountId: r.account_id,
  detail: JSON.parse(r.detail_json) as unknown,
});

export function planOf(r: PlanDbRow): PlanRow {
  return {
    id: r.id,
    accountId: r.account_id,
    createdAt: r.created_at,
    seq: r.seq,
    asOf: r.as_of,
    kind: r.kind,
    status: r.status,
    record: JSON.parse(r.record_json) as unknown,
    delivery: r.delivery,
  };
}

/** Named parameters of one audit entry insert (`@at, @kind, @actor, @rulebook, @accountId, @detail`). */
export const auditParams = (e: PolicyAuditWrite) => ({ ...e, detail: JSON.stringify(e.detail) });

/** Named parameters of one account upsert (`@accountId, @portfolio, @config, @policy, @updatedAt, @shardHash`). */
export const accountParams = (a: AccountWrite) => ({
  accountId: a.accountId,
  portfolio: JSON.stringify(a.portfolio),
  config: JSON.stringify(a.config),
  policy: a.policy === null || a.policy === undefined ? null : JSON.stringify(a.policy),
  updatedAt: a.updatedAt,
  shardHash: shardHash(a.accountId),
});

/** Named parameters of one margin snapshot insert (the row without its report). */
export const marginParams = (r: MarginSnapshotRow) => ({
  accountId: r.accountId,
  seq: r.seq,
  asOf: r.asOf,
  model: r.model,
  accountVersion: r.accountVersion,
  equityUsd: r.equityUsd,
  initialMarginUsd: r.initialMarginUsd,
  maintenanceMarginUsd: r.maintenanceMarginUsd,
  freeCollateralUsd: r.freeCollateralUsd,
  healthRatio: r.healthRatio,
  reason: r.reason,
});

/**
 * The SQL condition selecting one shard's accounts: the shard count is inlined (a validated whole number) so that the
 * default count matches the stores' expression index `accounts_shard16`; other counts scan.
 */
export function shardCondition(shardCount: number): string {
  if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > 1024) {
    throw new XmarginError("shards must be a whole number in 1..1024", { code: "INVALID_INPUT", path: "$.shards" });
  }
  return `shard_hash % ${shardCount}`;
}
