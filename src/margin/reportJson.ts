import { formatDecimal, formatUsd } from "../core/decimal.js";
import type { Flag } from "../core/flags.js";
import type { MarginModelName } from "./modelNames.js";
import type { GroupMargin, MarginComponentId, MarginReport, PolicyOutcome } from "./report.js";

/** A MarginReport as JSON carries it: USD amounts as decimal strings with 2 decimals, ratios as decimal strings. */
export interface MarginReportJson {
  model: MarginModelName;
  accountId: string;
  asOf: string;
  currency: "USD";
  equity: string;
  /** Equity after collateral haircuts/weights, compared with the initial margin. */
  collateralValue: string;
  /** The same with maintenance weights, compared with the maintenance margin. */
  maintenanceCollateralValue: string;
  initialMargin: string;
  maintenanceMargin: string;
  freeCollateral: string;
  healthRatio: string | null;
  components: Array<{
    id: MarginComponentId;
    name: string;
    initialMargin: string;
    maintenanceMargin: string;
    detail: string;
  }>;
  breakdown: {
    byPosition: Array<{
      id: string;
      path: string;
      label: string;
      kind: string;
      chain: string;
      underlying: string;
      value: string;
      collateralValue: string;
      maintenanceCollateralValue: string;
      initialMargin: string;
      maintenanceMargin: string;
      horizonDays?: string;
    }>;
    byChain: Array<{ chain: string } & GroupJson>;
    byUnderlying: Array<{ underlying: string } & GroupJson>;
  };
  scenarios: Array<{
    underlying: string;
    worstScenarioId: string;
    worstLoss: string;
    scenarios: Array<{ id: string; spotShock: string; volShock: string; weight: string; pnl: string }>;
  }>;
  worstPaths?: Array<{ id: string; loss: string; factorMoves: Record<string, string> }>;
  /** Fired policy rules and their effects (absent when none fired). */
  policy?: PolicyOutcome;
  flags: Flag[];
}

interface GroupJson {
  equity: string;
  collateralValue: string;
  maintenanceCollateralValue: string;
  initialMargin: string;
  maintenanceMargin: string;
}

function groupJson(g: GroupMargin): GroupJson {
  return {
    equity: formatUsd(g.equityUsd),
    collateralValue: formatUsd(g.collateralValueUsd),
    maintenanceCollateralValue: formatUsd(g.maintenanceCollateralValueUsd),
    initialMargin: formatUsd(g.initialMarginUsd),
    maintenanceMargin: formatUsd(g.maintenanceMarginUsd),
  };
}

export function reportToJson(r: MarginReport): MarginReportJson {
  return {
    model: r.model,
    accountId: r.accountId,
    asOf: r.asOf,
    currency: "USD",
    equity: formatUsd(r.equityUsd),
    collateralValue: formatUsd(r.collateralValueUsd),
    maintenanceCollateralValue: formatUsd(r.maintenanceCollateralValueUsd),
    initialMargin: formatUsd(r.initialMarginUsd),
    maintenanceMargin: formatUsd(r.maintenanceMarginUsd),
    freeCollateral: formatUsd(r.freeCollateralUsd),
    healthRatio: r.healthRatio === null ? null : formatDecimal(r.healthRatio, 6),
    components: r.components.map((c) => ({
      id: c.id,
      name: c.name,
      initialMargin: formatUsd(c.initialMarginUsd),
      maintenanceMargin: formatUsd(c.maintenanceMarginUsd),
      detail: c.detail,
    })),
    breakdown: {
      byPosition: r.byPosition.map((p) => ({
        id: p.id,
        path: p.path,
        label: p.label,
        kind: p.kind,
        chain: p.chain,
        underlying: p.underlying,
        value: formatUsd(p.valueUsd),
        collateralValue: formatUsd(p.collateralValueUsd),
        maintenanceCollateralValue: formatUsd(p.maintenanceCollateralValueUsd),
        initialMargin: formatUsd(p.initialMarginUsd),
        maintenanceMargin: formatUsd(p.maintenanceMarginUsd),
        ...(p.horizonDays !== undefined ? { horizonDays: formatDecimal(p.horizonDays, 9) } : {}),
      })),
      byChain: r.byChain.map((g) => ({ chain: g.key, ...groupJson(g) })),
      byUnderlying: r.byUnderlying.map((g) => ({ underlying: g.key, ...groupJson(g) })),
    },
    scenarios: r.scenarios.map((t) => ({
      underlying: t.underlying,
      worstScenarioId: t.worstScenarioId,
      worstLoss: formatUsd(t.worstLossUsd),
      scenarios: t.scenarios.map((s) => ({
        id: s.id,
        spotShock: formatDecimal(s.spotShockRel, 6),
        volShock: formatDecimal(s.volShockRel, 6),
        weight: formatDecimal(s.weight, 6),
        pnl: formatUsd(s.pnlUsd),
      })),
    })),
    ...(r.worstPaths
      ? {
          worstPaths: r.worstPaths.map((w) => ({
            id: w.id,
            loss: formatUsd(w.lossUsd),
            factorMoves: Object.fromEntries(Object.entries(w.factorMovesRel).map(([k, v]) => [k, formatDecimal(v, 6)])),
          })),
        }
      : {}),
    ...(r.policy ? { policy: r.policy } : {}),
    flags: r.flags,
  };
}
