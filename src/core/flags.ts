/**
 * Report flags: conditions the engine noticed and acted on in the safe direction. A `critical` flag means the figure
 * must not be trusted to lower margin (e.g. no fresh price); `warning` means margin was raised or a fallback used.
 */
export type FlagCode =
  | "ORACLE_STALE"
  | "ORACLE_FUTURE_DATED"
  | "ORACLE_DIVERGENT"
  | "ORACLE_UNCERTAIN"
  | "PRICE_FROM_UNDERLYING"
  | "PRICE_MISSING"
  | "OPTION_EXPIRED"
  | "CHAIN_UNDERCOLLATERALISED"
  | "BELOW_MAINTENANCE"
  | "BELOW_INITIAL"
  | "RISK_FACTOR_MISSING"
  | "CORRELATION_REPAIRED"
  | "BRIDGE_ROUTE_MISSING"
  | "LIQUIDITY_MISSING"
  | "GRID_FLOOR_BINDING"
  | "VENUE_MAPPING_ASSUMED"
  | "VENUE_UNSUPPORTED_POSITION"
  | "CHAIN_REORG"
  | "CHAIN_RPC_DOWN"
  | "CHAIN_PROVISIONAL"
  | "POLICY_RULE_FIRED"
  | "POLICY_REDUCE_ONLY"
  | "POLICY_WITHDRAWALS_BLOCKED"
  | "POLICY_ALERT";

export type FlagSeverity = "info" | "warning" | "critical";

export interface Flag {
  code: FlagCode;
  severity: FlagSeverity;
  message: string;
  /** JSON path in the input document the flag is about, when there is one. */
  path?: string;
  /** Market flags: the feed symbol ("ETH", "DAI") the flag is about; a report keeps only those of feeds it reads. */
  feed?: string;
}
