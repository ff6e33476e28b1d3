import type { Flag } from "../../core/flags.js";
import type { OracleQuote } from "../../schema/marketSnapshot.js";

/** Why a source gave no usable reading. Closed list: callers branch on it (docs/oracles.md, "Source failures"). */
export type SourceFailureReason =
  | "TIMEOUT"
  | "RPC_ERROR"
  | "CHAIN_ID_MISMATCH"
  | "REVERTED"
  | "BAD_RESPONSE"
  | "WRONG_DECIMALS"
  | "NON_POSITIVE_PRICE"
  | "OUT_OF_BOUNDS"
  | "INCOMPLETE_ROUND"
  | "STALE_ROUND"
  | "FUTURE_TIMESTAMP"
  | "NOT_FOUND";

/** A source that could not give a reading. Never turned into a price. */
export interface SourceFailure {
  source: string;
  chain: string;
  /** The feed ("ETH/USD") or, for balance reads, the token symbol; absent when a whole chain failed. */
  feed?: string;
  reason: SourceFailureReason;
  message: string;
  /** JSON path in the SourcesConfig of the entry that failed, e.g. `$.feeds[2]`. */
  path: string;
}

/**
 * A quote as a source read it, plus what the snapshot document cannot carry: the source's own staleness limit and
 * the config entry it came from.
 */
export interface SourceQuote {
  quote: OracleQuote;
  /** The source's staleness limit (heartbeat), seconds. */
  maxAgeSec: number;
  /** JSON path in the SourcesConfig of the entry the quote came from. */
  path: string;
}

/** What one source returns: readings and failures, never a silent gap. */
export interface SourceResult {
  quotes: SourceQuote[];
  failures: SourceFailure[];
}

/** A failure as a report flag: PRICE_MISSING, warning (the feed lost a source; the aggregator decides the rest). */
export function failureToFlag(f: SourceFailure): Flag {
  return {
    code: "PRICE_MISSING",
    severity: "warning",
    message: `${f.source} ${f.feed ?? "*"} on ${f.chain}: ${f.reason}: ${f.message}`,
    path: f.path,
  };
}
