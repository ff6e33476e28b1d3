import type { XmarginError } from "../core/errors.js";
import type { MarginReport } from "../margin/report.js";
import type { MarginReportJson } from "../margin/reportJson.js";
import type { AnyMarginConfig } from "../margin/resolveConfig.js";
import { findToken } from "../market/tokenRegistry.js";
import type { Portfolio } from "../schema/portfolio.js";
import type { BandState, RebalancePolicy } from "./rebalancePolicy.js";

/** An account as the service holds it: validated documents, the feeds it depends on and its latest report. */
export interface LiveAccount {
  accountId: string;
  version: number;
  updatedAt: string;
  portfolio: Portfolio;
  configDoc: Record<string, unknown>;
  config: AnyMarginConfig;
  policy: RebalancePolicy | null;
  /** Feed symbols whose change moves this account's margin (underlyings and held tokens). */
  deps: Set<string>;
  report?: MarginReport;
  reportJson?: MarginReportJson;
  reportSeq?: number;
  /** Why the last computation failed (e.g. a price missing from the live market). */
  error?: XmarginError;
  band?: BandState;
  /**
   * Scale-out figures mode: the headline figures a worker stored for `reportSeq` when no report is held (decimal
   * strings, as in a report); the report is computed on request.
   */
  figures?: {
    asOf: string;
    equity: string;
    initialMargin: string;
    maintenanceMargin: string;
    freeCollateral: string;
    healthRatio: string | null;
  };
  /** Ids of the policy rules that fired on the last report (the audit trail records changes of this set). */
  firedRules?: string[];
}

/** Feed symbols an account depends on: underlyings of its items and the tokens it holds. */
export function dependenciesOf(portfolio: Portfolio): Set<string> {
  const deps = new Set<string>();
  for (const h of portfolio.holdings) {
    deps.add(h.token);
    const token = findToken(h.chain, h.token);
    if (token && token.underlying !== "USD") deps.add(token.underlying);
  }
  for (const p of portfolio.positions) deps.add(p.underlying);
  return deps;
}

/** Store key of an account's rebalancing band state. */
export function bandMetaKey(accountId: string): string {
  return `band:${accountId}`;
}
