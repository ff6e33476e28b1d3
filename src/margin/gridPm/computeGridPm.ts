import { BatchGridEngine } from "../batch/batchGridEngine.js";
import { assembleReport } from "../common/assembleReport.js";
import type { MarginComponent, MarginReport, ScenarioTable } from "../report.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedPortfolio } from "../resolve/resolvedPortfolio.js";
import type { GridPmConfig } from "./config.js";

/**
 * Scenario-grid portfolio margin, per underlying (Deribit / Derive / SPAN style): every holding and position of an
 * underlying is fully revalued under each (spot shock, vol shock) scenario; the requirement of that underlying is the
 * worst weighted loss. No offsets between underlyings. Options add a contingency. Deposits count as collateral after
 * a representation haircut per token kind. Maintenance margin is `maintenanceRatio` x initial.
 *
 * One account is margined as a book of one account of `BatchGridEngine`, so a report and a venue-wide re-margin share
 * one layout and one revaluation path. Attribution: an item's margin is minus its P&L in its underlying's worst
 * scenario (hedges get negative margin); the items of an underlying add up to that underlying's requirement when it is
 * positive.
 */
export function computeGridPm(
  portfolio: ResolvedPortfolio,
  market: ResolvedMarket,
  config: GridPmConfig,
): MarginReport {
  const engine = new BatchGridEngine([portfolio], market, config);
  engine.computeAll();
  return gridReportOf(engine, 0, portfolio, market, config);
}

/**
 * The grid report of account `a` of an engine on `market` (computed), `portfolio` being that account: the report of
 * `computeGridPm`, from an engine that may hold other accounts too (an account's figures do not depend on them).
 */
export function gridReportOf(
  engine: BatchGridEngine,
  a: number,
  portfolio: ResolvedPortfolio,
  market: ResolvedMarket,
  config: GridPmConfig,
): MarginReport {
  const detail = engine.explain(a);
  const { grid } = engine;
  const nScen = grid.ids.length;
  const scenarioTables: ScenarioTable[] = detail.groups.map((g) => ({
    underlying: g.underlying,
    scenarios: grid.ids.map((id, s) => ({
      id,
      spotShockRel: grid.spotShockRel[s]!,
      volShockRel: grid.volShockRel[s]!,
      weight: grid.weights[s]!,
      pnlUsd: g.pnlUsd[s]!,
    })),
    worstScenarioId: grid.ids[g.worstScenario]!,
    worstLossUsd: g.lossUsd,
  }));
  const riskParts = detail.groups.map((g) => `${g.underlying} ${g.lossUsd.toFixed(2)} (${grid.ids[g.worstScenario]})`);
  const mm = config.maintenanceRatio;
  const components: MarginComponent[] = [
    {
      id: "scenario-risk",
      name: "scenario risk",
      initialMarginUsd: detail.scenarioRiskUsd,
      maintenanceMarginUsd: detail.scenarioRiskUsd * mm,
      detail: `worst weighted loss per underlying over ${nScen} scenarios: ${riskParts.join("; ") || "none"}`,
    },
    {
      id: "option-contingency",
      name: "option contingency",
      initialMarginUsd: detail.contingencyUsd,
      maintenanceMarginUsd: detail.contingencyUsd * mm,
      detail: `${config.optionContingencyRel * 100}% of the underlying value of every option contract's net size`,
    },
    {
      id: "oracle-uncertainty",
      name: "oracle uncertainty",
      initialMarginUsd: detail.oracleUsd,
      maintenanceMarginUsd: detail.oracleUsd * mm,
      detail: "exposure x (confidence, divergence, staleness) per chain and feed",
    },
  ];
  return assembleReport({
    model: "grid",
    portfolio,
    market,
    itemInitialUsd: detail.itemInitialUsd,
    itemMaintenanceUsd: detail.itemInitialUsd.map((x) => x * mm),
    itemCollateralUsd: detail.itemCollateralUsd,
    itemMaintenanceCollateralUsd: detail.itemCollateralUsd,
    components,
    scenarios: scenarioTables,
  });
}
