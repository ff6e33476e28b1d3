import { formatUsd } from "../../core/decimal.js";
import { XmarginError } from "../../core/errors.js";
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

/** A model that cannot margin this portfolio (e.g. a venue that cannot hold it), with the reason. */
export interface ModelUnavailable {
  model: string;
  reason: string;
}

/** Every model's report; a model that rejects the portfolio with a typed error is listed with its reason instead. */
export function compareModelsOn(
  portfolioFile: string,
  marketFile: string,
): { reports: MarginReport[]; unavailable: ModelUnavailable[] } {
  const market = loadMarket(marketFile);
  const portfolio = loadPortfolio(portfolioFile, market);
  const reports: MarginReport[] = [];
  const unavailable: ModelUnavailable[] = [];
  for (const name of MARGIN_MODEL_NAMES) {
    try {
      reports.push(runMarginModel(portfolio, market, resolveMarginConfig({ model: name })));
    } catch (err) {
      if (!(err instanceof XmarginError)) throw err;
      unavailable.push({ model: name, reason: err.message });
    }
  }
  return { reports, unavailable };
}

export function compareReports(portfolioFile: string, marketFile: string): MarginReport[] {
  return compareModelsOn(portfolioFile, marketFile).reports;
}

export function renderComparison(reports: MarginReport[], unavailable: readonly ModelUnavailable[] = []): string {
  const rows: Array<[string, (r: MarginReport) => string]> = [
    ["equity", (r) => usd(r.equityUsd)],
    ["initial margin", (r) => usd(r.initialMarginUsd)],
    ["maintenance margin", (r) => usd(r.maintenanceMarginUsd)],
    ["free collateral", (r) => usd(r.freeCollateralUsd)],
    ["health", (r) => (r.healthRatio === null ? "n/a" : r.healthRatio.toFixed(3))],
    ["IM / equity", (r) => (r.equityUsd > 0 ? `${((100 * r.initialMarginUsd) / r.equityUsd).toFixed(1)}%` : "n/a")],
    ["flags", (r) => String(r.flags.filter((f) => f.severity !== "info").length)],
  ];
  const table = renderTable(
    ["", ...reports.map((r) => r.model), ...unavailable.map((u) => u.model)],
    rows.map(([label, f]) => [label, ...reports.map(f), ...unavailable.map(() => "n/a")]),
  );
  return [table, ...unavailable.map((u) => `${u.model}: cannot margin this portfolio: ${u.reason}`)].join("\n");
}

/** `xmargin compare`: the same portfolio under every model, side by side. */
export function compareCommand(args: CompareArgs): string {
  const { reports, unavailable } = compareModelsOn(args.portfolio, args.market);
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
        ...(unavailable.length > 0 ? { unavailable } : {}),
      },
      null,
      2,
    );
  }
  return [`account ${reports[0]?.accountId}  as of ${reports[0]?.asOf}`, renderComparison(reports, unavailable)].join(
    "\n",
  );
}
