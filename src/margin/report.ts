import type { Flag } from "../core/flags.js";
import type { InstrumentKind } from "../pricing/types.js";
import type { MarginModelName } from "./modelNames.js";

/**
 * The closed list of component ids: code selects components by id, never by their display name.
 * - `scenario-risk`, `option-contingency`: grid PM's worst weighted scenario loss and short-option charge.
 * - `perps-and-futures`, `short-options`: isolated margin's per-position rates.
 * - `chain-pool`: one cross-margin pool per chain (the name says which chain).
 * - `expected-shortfall` or `grid-floor`: xchain's simulated risk, or the grid floor when it binds.
 * - `jumps`, `liquidity`: xchain's depeg/bridge jump and unwind/bridging cost add-ons.
 * - `oracle-uncertainty`: every model's oracle band add-on.
 * - derive-pmrm2 (Derive's terms): `pmrm2-worst-regular-loss`, `pmrm2-worst-tail-loss`, `pmrm2-worst-skew-loss`,
 *   `pmrm2-basis-contingency`, `pmrm2-peg-loss`, `pmrm2-perp-contingency`, `pmrm2-naked-short-contingency`,
 *   `pmrm2-collateral-haircuts`, `pmrm2-oracle-confidence`.
 */
export type MarginComponentId =
  | "scenario-risk"
  | "option-contingency"
  | "perps-and-futures"
  | "short-options"
  | "chain-pool"
  | "expected-shortfall"
  | "grid-floor"
  | "jumps"
  | "liquidity"
  | "oracle-uncertainty"
  | "pmrm2-worst-regular-loss"
  | "pmrm2-worst-tail-loss"
  | "pmrm2-worst-skew-loss"
  | "pmrm2-basis-contingency"
  | "pmrm2-peg-loss"
  | "pmrm2-perp-contingency"
  | "pmrm2-naked-short-contingency"
  | "pmrm2-collateral-haircuts"
  | "pmrm2-oracle-confidence"
  | "policy";

/** One additive part of the requirement; the components of a report sum to its initial (and maintenance) margin. */
export interface MarginComponent {
  id: MarginComponentId;
  /** Display name (may vary, e.g. "pool arbitrum"); select by `id`. */
  name: string;
  initialMarginUsd: number;
  maintenanceMarginUsd: number;
  detail: string;
}

/** Margin attributed to one holding or position. */
export interface PositionMargin {
  id: string;
  /** JSON path of the holding/position in the portfolio document. */
  path: string;
  label: string;
  kind: InstrumentKind;
  chain: string;
  underlying: string;
  valueUsd: number;
  /** What the item counts for against initial margin after haircuts/weights, USD. */
  collateralValueUsd: number;
  /** Same against maintenance margin, USD. */
  maintenanceCollateralValueUsd: number;
  initialMarginUsd: number;
  maintenanceMarginUsd: number;
  /** Liquidation horizon the model measured this item at, days (models with horizons only). */
  horizonDays?: number;
}

/** One of the worst simulated paths, with each factor's move at the longest horizon (0.05 = +5%). */
export interface WorstPath {
  id: string;
  lossUsd: number;
  factorMovesRel: Record<string, number>;
}

/** Totals for one chain or one underlying. */
export interface GroupMargin {
  key: string;
  equityUsd: number;
  collateralValueUsd: number;
  maintenanceCollateralValueUsd: number;
  initialMarginUsd: number;
  maintenanceMarginUsd: number;
}

/** One revaluation scenario and the P&L of the positions it covers. */
export interface ScenarioResult {
  id: string;
  spotShockRel: number;
  volShockRel: number;
  /** Fraction of the loss that counts (1 for the core grid, less for extreme moves). */
  weight: number;
  pnlUsd: number;
}

export interface ScenarioTable {
  underlying: string;
  scenarios: ScenarioResult[];
  worstScenarioId: string;
  worstLossUsd: number;
}

/** Rules of a rulebook that fired on a report and what each did (see src/margin/policy/). */
export interface PolicyOutcome {
  /** `name@vN` of the rulebook evaluated. */
  rulebook: string;
  fired: Array<{ ruleId: string; description: string; anchor?: string; effects: string[] }>;
  reduceOnly: boolean;
  blockWithdrawals: boolean;
  alerts: Array<{ ruleId: string; severity: "info" | "warning" | "critical"; message: string }>;
}

export interface MarginReport {
  model: MarginModelName;
  accountId: string;
  /** Snapshot time the report is computed at (ISO). */
  asOf: string;
  /** Mark-to-market value of all holdings and positions, USD. */
  equityUsd: number;
  /**
   * Equity after collateral haircuts and weights (deposits count less than their value, borrows more), USD: what is
   * compared with the initial margin.
   */
  collateralValueUsd: number;
  /** The same with maintenance weights: what is compared with the maintenance margin. */
  maintenanceCollateralValueUsd: number;
  initialMarginUsd: number;
  maintenanceMarginUsd: number;
  /** collateralValueUsd - initialMarginUsd (negative: the account cannot add risk). */
  freeCollateralUsd: number;
  /** maintenanceCollateralValueUsd / maintenanceMarginUsd; null when there is no maintenance requirement. Below 1: liquidatable. */
  healthRatio: number | null;
  components: MarginComponent[];
  byPosition: PositionMargin[];
  byChain: GroupMargin[];
  byUnderlying: GroupMargin[];
  scenarios: ScenarioTable[];
  /**
   * The model's 1-day VaR of the book's simulated P&L at current vols, USD, for VaR backtests (xchain with
   * `backtesting.oneDayVar`); not part of the requirement.
   */
  backtestVarUsd?: number;
  /** Worst simulated paths (simulation models only). */
  worstPaths?: WorstPath[];
  /** Present when a policy rule fired: its effects are in the `policy` component and the flags. */
  policy?: PolicyOutcome;
  flags: Flag[];
}
