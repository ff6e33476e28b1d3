import { buildPositionBlock, revalueScenarios } from "../../pricing/revalueKernel.js";
import { assembleReport } from "../common/assembleReport.js";
import { tokenKindOf } from "../common/collateralWeights.js";
import { oracleAddOn } from "../common/oracleAddOn.js";
import type { MarginComponent, MarginReport, ScenarioTable } from "../report.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedItem, ResolvedPortfolio } from "../resolve/resolvedPortfolio.js";
import { buildGridScenarios } from "./buildGridScenarios.js";
import type { GridPmConfig } from "./config.js";
import { optionNetShares } from "./optionNetShare.js";

const DAYS_PER_YEAR = 365;

/**
 * Scenario-grid portfolio margin, per underlying (Deribit / Derive / SPAN style): every holding and position of an
 * underlying is fully revalued under each (spot shock, vol shock) scenario; the requirement of that underlying is the
 * worst weighted loss. No offsets between underlyings. Options add a contingency. Deposits count as collateral after
 * a representation haircut per token kind. Maintenance margin is `maintenanceRatio` x initial.
 *
 * Attribution: an item's margin is minus its P&L in its underlying's worst scenario (hedges get negative margin);
 * the items of an underlying add up to that underlying's requirement when it is positive.
 */
export function computeGridPm(
  portfolio: ResolvedPortfolio,
  market: ResolvedMarket,
  config: GridPmConfig,
): MarginReport {
  const grid = buildGridScenarios(config);
  const nScen = grid.ids.length;
  const items = portfolio.items;
  const itemInitial = new Float64Array(items.length);
  const itemCollateral = Float64Array.from(items, (item) => item.valueUsd);
  const scenarioTables: ScenarioTable[] = [];
  let scenarioRiskUsd = 0;
  let contingencyUsd = 0;

  const byUnderlying = new Map<string, number[]>();
  items.forEach((item, i) => {
    if (item.underlying === "USD") return;
    const list = byUnderlying.get(item.underlying) ?? [];
    list.push(i);
    byUnderlying.set(item.underlying, list);
  });

  const riskParts: string[] = [];
  for (const [underlying, indices] of byUnderlying) {
    const state = market.underlyings.get(underlying);
    if (!state) continue; // resolution already guarantees a state for every item's underlying
    const group: ResolvedItem[] = indices.map((i) => items[i]!);
    const block = buildPositionBlock(
      group.map((g) => g.priced),
      group.map((g) => g.volAnnual),
      state,
      "$.positions",
    );
    const volShockScale = new Float64Array(group.length);
    group.forEach((g, k) => {
      const days = Math.max(config.volShockTenor.floorDays, g.priced.expiryYears * DAYS_PER_YEAR);
      volShockScale[k] = (config.volShockTenor.referenceDays / days) ** config.volShockTenor.power;
    });
    const pnl = new Float64Array(group.length * nScen);
    revalueScenarios(block, state, grid.spotMults, grid.volMults, pnl, {
      minVolAnnual: config.minVolAnnual,
      volShockScale,
    });
    let worst = 0;
    let worstWeighted = Number.POSITIVE_INFINITY;
    const scenarios = grid.ids.map((id, s) => {
      let total = 0;
      for (let k = 0; k < group.length; k++) total += pnl[k * nScen + s]!;
      const w = grid.weights[s]!;
      if (w * total < worstWeighted) {
        worstWeighted = w * total;
        worst = s;
      }
      return { id, spotShockRel: grid.spotShockRel[s]!, volShockRel: grid.volShockRel[s]!, weight: w, pnlUsd: total };
    });
    const lossUsd = Math.max(0, -worstWeighted);
    if (lossUsd > 0) {
      const w = grid.weights[worst]!;
      indices.forEach((itemIndex, k) => {
        itemInitial[itemIndex] = (itemInitial[itemIndex] ?? 0) - w * pnl[k * nScen + worst]!;
      });
    }
    scenarioRiskUsd += lossUsd;
    riskParts.push(`${underlying} ${lossUsd.toFixed(2)} (${grid.ids[worst]})`);
    scenarioTables.push({ underlying, scenarios, worstScenarioId: grid.ids[worst]!, worstLossUsd: lossUsd });
  }

  // The contingency is on the net size of each option contract: +10 and -10 of the same put is no position.
  const netShares = optionNetShares(items);
  items.forEach((item, i) => {
    const state = market.underlyings.get(item.underlying);
    if (item.priced.kind === "option" && state) {
      const charge = config.optionContingencyRel * Math.abs(item.priced.size) * netShares[i]! * state.spotUsd;
      itemInitial[i] = (itemInitial[i] ?? 0) + charge;
      contingencyUsd += charge;
    }
    if (item.source === "holding" && item.valueUsd > 0) {
      const h = (config.haircutByKind[tokenKindOf(item.token)] ?? 0) * item.valueUsd;
      itemCollateral[i] = item.valueUsd - h;
    }
  });

  const oracle = oracleAddOn(items, market, config.oracleStaleAddOnRel);
  for (let i = 0; i < items.length; i++) itemInitial[i]! += oracle.itemUsd[i]!;
  const mm = config.maintenanceRatio;
  const itemMaintenance = itemInitial.map((x) => x * mm);
  const components: MarginComponent[] = [
    {
      id: "scenario-risk",
      name: "scenario risk",
      initialMarginUsd: scenarioRiskUsd,
      maintenanceMarginUsd: scenarioRiskUsd * mm,
      detail: `worst weighted loss per underlying over ${nScen} scenarios: ${riskParts.join("; ") || "none"}`,
    },
    {
      id: "option-contingency",
      name: "option contingency",
      initialMarginUsd: contingencyUsd,
      maintenanceMarginUsd: contingencyUsd * mm,
      detail: `${config.optionContingencyRel * 100}% of the underlying value of every option contract's net size`,
    },
    {
      id: "oracle-uncertainty",
      name: "oracle uncertainty",
      initialMarginUsd: oracle.addOnUsd,
      maintenanceMarginUsd: oracle.addOnUsd * mm,
      detail: "exposure x (confidence, divergence, staleness) per chain and feed",
    },
  ];
  return assembleReport({
    model: "grid",
    portfolio,
    market,
    itemInitialUsd: itemInitial,
    itemMaintenanceUsd: itemMaintenance,
    itemCollateralUsd: itemCollateral,
    itemMaintenanceCollateralUsd: itemCollateral,
    components,
    scenarios: scenarioTables,
  });
}
