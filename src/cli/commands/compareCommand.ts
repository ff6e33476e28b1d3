import { formatUsd } from "../../core/decimal.js";
import { runMarginModel } from "../../margin/computeMargin.js";
import { MARGIN_MODEL_NAMES } from "../../margin/models.js";
import type { MarginReport } from "../../margin/report.js";
import { resolveMarginConfig } from "../../margin/resolveConfig.js";
import { loadMarket, loadPortfolio } from "../loadInputs.js";
import { renderTable, usd } from "../table.js";

export interface CompareArgs {
  portfolio: string;
  market: string;
  json: boolean;
}

export function compareReports(portfolioFile: string, marketFile: string): MarginReport[] {
  const market = loadMarket(marketFile);
  const portfolio = loadPortfolio(portfolioFile, market);
  return MARGIN_MODEL_NAMES.map((name) => runMarginModel(portfolio, market, resolveMarginConfig({ model: name })));
}

export function renderComparison(reports: MarginReport[]): string {
  const rows: Array<[string, (r: MarginReport) => string]> = [
    ["equity", (r) => usd(r.equityUsd)],
    ["initial margin", (r) => usd(r.initialMarginUsd)],
    ["maintenance margin", (r) => usd(r.maintenanceMarginUsd)],
    ["free collateral", (r) => usd(r.freeCollateralUsd)],
    ["health", (r) => (r.healthRatio === null ? "n/a" : r.healthRatio.toFixed(3))],
    ["IM / equity", (r) => (r.equityUsd > 0 ? `${((100 * r.initialMarginUsd) / r.equityUsd).toFixed(1)}%` : "n/a")],
    ["flags", (r) => String(r.flags.filter((f) => f.severity !== "info").length)],
  ];
  return renderTable(
    ["", ...reports.map((r) => r.model)],
    rows.map(([label, f]) => [label, ...reports.map(f)]),
  );
}

/** `xmargin compare`: the same portfolio under every model, side by side. */
export function compareCommand(args: CompareArgs): string {
  const reports = compareReports(args.portfolio, args.market);
  if (args.json) {
    return JSON.stringify(
      {
        accountId: reports[0]?.accountId,
        asOf: reports[0]?.asOf,
        currency: "USD",
        models: reports.map((r) => ({
          model: r.model,
          equity: formatUsd(r.equityUsd),
          initialMargin: formatUsd(r.initialMarginUsd),
          maintenanceMargin: formatUsd(r.maintenanceMarginUsd),
          freeCollateral: formatUsd(r.freeCollateralUsd),
          healthRatio: r.healthRatio === null ? null : r.healthRatio.toFixed(6),
        })),
      },
      null,
      2,
    );
  }
  return [`account ${reports[0]?.accountId}  as of ${reports[0]?.asOf}`, renderComparison(reports)].join("\n");
}
