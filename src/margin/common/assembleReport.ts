import type { Flag } from "../../core/flags.js";
import type { MarginModelName } from "../modelNames.js";
import type {
  GroupMargin,
  MarginComponent,
  MarginReport,
  PositionMargin,
  ScenarioTable,
  WorstPath,
} from "../report.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedPortfolio } from "../resolve/resolvedPortfolio.js";

export interface ReportParts {
  model: MarginModelName;
  portfolio: ResolvedPortfolio;
  market: ResolvedMarket;
  /** Per-item margin attribution, same order as portfolio.items. */
  itemInitialUsd: Float64Array;
  itemMaintenanceUsd: Float64Array;
  /** Per-item collateral value after haircuts/weights; defaults to the item's mark value. */
  itemCollateralUsd?: Float64Array;
  itemMaintenanceCollateralUsd?: Float64Array;
  /** Components; they add up to the report's initial and maintenance margin. */
  components: MarginComponent[];
  scenarios?: ScenarioTable[];
  worstPaths?: WorstPath[];
  /** Liquidation horizon per item, days. */
  itemHorizonDays?: Float64Array;
  flags?: Flag[];
  /** Overrides for models whose account figures are not plain sums (e.g. per-chain pools). */
  freeCollateralUsd?: number;
  healthRatio?: number | null;
}

function group(rows: PositionMargin[], key: (r: PositionMargin) => string): GroupMargin[] {
  const map = new Map<string, GroupMargin>();
  for (const r of rows) {
    const k = key(r);
    const g = map.get(k) ?? {
      key: k,
      equityUsd: 0,
      collateralValueUsd: 0,
      maintenanceCollateralValueUsd: 0,
      initialMarginUsd: 0,
      maintenanceMarginUsd: 0,
    };
    g.equityUsd += r.valueUsd;
    g.collateralValueUsd += r.collateralValueUsd;
    g.maintenanceCollateralValueUsd += r.maintenanceCollateralValueUsd;
    g.initialMarginUsd += r.initialMarginUsd;
    g.maintenanceMarginUsd += r.maintenanceMarginUsd;
    map.set(k, g);
  }
  return [...map.values()].sort((a, b) => b.initialMarginUsd - a.initialMarginUsd || a.key.localeCompare(b.key));
}

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

/**
 * Builds a MarginReport: totals are the sums of the components, breakdowns by chain and underlying are sums of the
 * per-item rows, and flags for accounts below initial or maintenance margin are added.
 */
export function assembleReport(parts: ReportParts): MarginReport {
  const { portfolio, market } = parts;
  const byPosition: PositionMargin[] = portfolio.items.map((item, i) => ({
    id: item.id,
    path: item.path,
    label: item.label,
    kind: item.priced.kind,
    chain: item.chain,
    underlying: item.underlying,
    valueUsd: item.valueUsd,
    collateralValueUsd: parts.itemCollateralUsd?.[i] ?? item.valueUsd,
    maintenanceCollateralValueUsd: parts.itemMaintenanceCollateralUsd?.[i] ?? item.valueUsd,
    initialMarginUsd: parts.itemInitialUsd[i] ?? 0,
    maintenanceMarginUsd: parts.itemMaintenanceUsd[i] ?? 0,
    ...(parts.itemHorizonDays ? { horizonDays: parts.itemHorizonDays[i] ?? 0 } : {}),
  }));
  const collateralValueUsd = sum(byPosition.map((r) => r.collateralValueUsd));
  const maintenanceCollateralValueUsd = sum(byPosition.map((r) => r.maintenanceCollateralValueUsd));
  const initialMarginUsd = sum(parts.components.map((c) => c.initialMarginUsd));
  const maintenanceMarginUsd = sum(parts.components.map((c) => c.maintenanceMarginUsd));
  const freeCollateralUsd = parts.freeCollateralUsd ?? collateralValueUsd - initialMarginUsd;
  const healthRatio =
    parts.healthRatio !== undefined
      ? parts.healthRatio
      : maintenanceMarginUsd > 0
        ? maintenanceCollateralValueUsd / maintenanceMarginUsd
        : null;
  // Market flags about a feed count only for accounts that read it (a stale DAI feed is no news to a BTC book).
  const reads = new Set<string>();
  for (const item of portfolio.items) {
    reads.add(item.underlying);
    if (item.token) reads.add(item.token.symbol);
  }
  const marketFlags = market.flags.filter((f) => f.feed === undefined || reads.has(f.feed));
  const flags: Flag[] = [...marketFlags, ...portfolio.flags, ...(parts.flags ?? [])];
  if ((healthRatio !== null && healthRatio < 1) || maintenanceCollateralValueUsd < 0) {
    flags.push({
      code: "BELOW_MAINTENANCE",
      severity: "critical",
      message: "collateral is below maintenance margin: liquidatable",
    });
  } else if (freeCollateralUsd < 0) {
    flags.push({
      code: "BELOW_INITIAL",
      severity: "warning",
      message: "collateral is below initial margin: no new risk allowed",
    });
  }
  return {
    model: parts.model,
    accountId: portfolio.accountId,
    asOf: market.asOf,
    equityUsd: sum(byPosition.map((r) => r.valueUsd)),
    collateralValueUsd,
    maintenanceCollateralValueUsd,
    initialMarginUsd,
    maintenanceMarginUsd,
    freeCollateralUsd,
    healthRatio,
    components: parts.components,
    byPosition,
    byChain: group(byPosition, (r) => r.chain),
    byUnderlying: group(byPosition, (r) => r.underlying),
    scenarios: parts.scenarios ?? [],
    ...(parts.worstPaths ? { worstPaths: parts.worstPaths } : {}),
    flags,
  };
}
