import type { Flag } from "../../core/flags.js";
import type { MarginComponent, MarginReport, PositionMargin, ScenarioTable } from "../report.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedPortfolio } from "../resolve/resolvedPortfolio.js";

export interface ReportParts {
  model: string;
  portfolio: ResolvedPortfolio;
  market: ResolvedMarket;
  /** Per-item attribution, same order as portfolio.items. */
  itemInitialUsd: Float64Array;
  itemMaintenanceUsd: Float64Array;
  /** Components; they must add up to the item attributions plus any unattributed part. */
  components: MarginComponent[];
  scenarios?: ScenarioTable[];
  flags?: Flag[];
  /** Overrides for models whose account figures are not plain sums (e.g. per-chain pools). */
  freeCollateralUsd?: number;
  healthRatio?: number | null;
}

function group(rows: PositionMargin[], key: (r: PositionMargin) => string) {
  const map = new Map<
    string,
    { key: string; equityUsd: number; initialMarginUsd: number; maintenanceMarginUsd: number }
  >();
  for (const r of rows) {
    const k = key(r);
    const g = map.get(k) ?? { key: k, equityUsd: 0, initialMarginUsd: 0, maintenanceMarginUsd: 0 };
    g.equityUsd += r.valueUsd;
    g.initialMarginUsd += r.initialMarginUsd;
    g.maintenanceMarginUsd += r.maintenanceMarginUsd;
    map.set(k, g);
  }
  return [...map.values()].sort((a, b) => b.initialMarginUsd - a.initialMarginUsd || a.key.localeCompare(b.key));
}

/**
 * Builds a MarginReport from per-item attributions and components: totals are the sums of the components, the
 * breakdowns by chain and underlying are sums of the per-item rows, and flags for accounts below initial or
 * maintenance margin are added.
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
    initialMarginUsd: parts.itemInitialUsd[i] ?? 0,
    maintenanceMarginUsd: parts.itemMaintenanceUsd[i] ?? 0,
  }));
  const equityUsd = byPosition.reduce((s, r) => s + r.valueUsd, 0);
  const initialMarginUsd = parts.components.reduce((s, c) => s + c.initialMarginUsd, 0);
  const maintenanceMarginUsd = parts.components.reduce((s, c) => s + c.maintenanceMarginUsd, 0);
  const freeCollateralUsd = parts.freeCollateralUsd ?? equityUsd - initialMarginUsd;
  const healthRatio =
    parts.healthRatio !== undefined
      ? parts.healthRatio
      : maintenanceMarginUsd > 0
        ? equityUsd / maintenanceMarginUsd
        : null;
  const flags: Flag[] = [...market.flags, ...portfolio.flags, ...(parts.flags ?? [])];
  if (healthRatio !== null && healthRatio < 1) {
    flags.push({
      code: "BELOW_MAINTENANCE",
      severity: "critical",
      message: "equity is below maintenance margin: liquidatable",
    });
  } else if (freeCollateralUsd < 0) {
    flags.push({
      code: "BELOW_INITIAL",
      severity: "warning",
      message: "equity is below initial margin: no new risk allowed",
    });
  }
  return {
    model: parts.model,
    accountId: portfolio.accountId,
    asOf: market.asOf,
    equityUsd,
    initialMarginUsd,
    maintenanceMarginUsd,
    freeCollateralUsd,
    healthRatio,
    components: parts.components,
    byPosition,
    byChain: group(byPosition, (r) => r.chain),
    byUnderlying: group(byPosition, (r) => r.underlying),
    scenarios: parts.scenarios ?? [],
    flags,
  };
}
