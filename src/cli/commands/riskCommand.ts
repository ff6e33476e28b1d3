import { loadHistoryFolder } from "../../backtest/history/loadHistoryFolder.js";
import { riskFactorsDoc } from "../../backtest/history/riskFactorsDoc.js";
import { XmarginError } from "../../core/errors.js";
import { xchainDefaults } from "../../margin/xchain/config.js";
import { estimateRiskFactors, type RiskFactorEstimateOptions } from "../../risk/estimateRiskFactors.js";
import type { PriceSeries } from "../../risk/priceHistory.js";
import { RISK_FACTOR_SERIES } from "../../risk/riskFactorSeries.js";
import { historyDir } from "../historyDir.js";
import { readJsonFile } from "../readJsonFile.js";
import { renderTable } from "../table.js";
import { MARKET_SERIES } from "./forecastInputs.js";
import { loadForecastWeights } from "./trainCommand.js";

export interface RiskArgs {
  /** Folder of daily CSVs (default XMARGIN_HISTORY_DIR, else ../shared/data next to the package). */
  history?: string;
  to?: string;
  factors?: string;
  lambda?: string;
  window?: string;
  method?: string;
  snapshot?: string;
  /** Directory of the learned forecaster's artefacts (method ml); default artefacts/forecast. */
  weights?: string;
  json: boolean;
}

/** The factor series of the history folder (optionally only some factors), each named by its factor. */
export function loadFactorSeries(dir: string, only?: string[]): PriceSeries[] {
  for (const f of only ?? []) {
    if (!RISK_FACTOR_SERIES.some((r) => r.factor === f)) {
      throw new XmarginError(`unknown factor "${f}"`, {
        code: "INVALID_INPUT",
        path: "--factors",
        details: `known: ${RISK_FACTOR_SERIES.map((r) => r.factor).join(", ")}`,
      });
    }
  }
  const history = loadHistoryFolder(dir, "--history");
  const series = RISK_FACTOR_SERIES.filter((r) => !only || only.includes(r.factor)).flatMap(({ factor, series }) => {
    const s = history.get(series);
    return s ? [{ ...s, symbol: factor }] : [];
  });
  if (series.length === 0) {
    throw new XmarginError(`no risk-factor price files found in ${dir}`, { code: "IO_ERROR", path: "--history" });
  }
  return series;
}

function positiveNumber(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0)
    throw new XmarginError(`--${name} must be a positive number`, { code: "INVALID_INPUT", path: `--${name}` });
  return n;
}

function riskMethod(v: string | undefined): "ewma" | "garch" | "ml" | "auto" {
  if (v === undefined || v === "ewma" || v === "garch" || v === "ml" || v === "auto") return v ?? "ewma";
  throw new XmarginError(`--method must be ewma, garch, ml or auto, got "${v}"`, {
    code: "INVALID_INPUT",
    path: "--method",
  });
}

/** `xmargin risk`: EWMA vols and correlations with a stressed floor from daily price files. */
export function riskCommand(args: RiskArgs): string {
  const dir = historyDir(args.history);
  const series = loadFactorSeries(
    dir,
    args.factors?.split(",").map((s) => s.trim()),
  );
  const method = riskMethod(args.method);
  let ml: RiskFactorEstimateOptions["ml"];
  if (method === "ml" || method === "auto") {
    // The learned forecaster's cross-asset features read the BTC series, whichever factors are asked for.
    const market = loadFactorSeries(dir, ["BTC"])[0];
    if (!market)
      throw new XmarginError(`${MARKET_SERIES}.csv not found in ${dir}`, { code: "IO_ERROR", path: "--history" });
    ml = { weights: loadForecastWeights(args.weights), market };
  }
  const lastCommon = series.map((s) => s.dates.at(-1) ?? "").sort()[0] ?? "";
  const to = args.to ?? lastCommon;
  const estimate = estimateRiskFactors(series, {
    toDate: to,
    lambda: positiveNumber(args.lambda, "lambda", 0.94),
    stressWindowDays: positiveNumber(args.window, "window", 250),
    method,
    ...(ml ? { ml } : {}),
  });
  const doc = riskFactorsDoc(estimate);
  if (args.snapshot) {
    const snapshot = readJsonFile(args.snapshot, "market snapshot") as Record<string, unknown>;
    return JSON.stringify({ ...snapshot, riskFactors: doc }, null, 2);
  }
  if (args.json) return JSON.stringify(doc, null, 2);
  const ann = Math.sqrt(365);
  const n = estimate.names.length;
  return [
    estimate.source,
    estimate.excluded.length ? `excluded (no close on ${to}): ${estimate.excluded.join(", ")}` : "",
    "",
    renderTable(
      [
        "factor",
        "raw vol (%/day)",
        `${method === "garch" ? "GARCH" : method === "ml" ? "learned" : method === "auto" ? "current" : "EWMA"} vol (%/day)`,
        "floored vol (%/day)",
        "floored vol (%/year)",
        "largest 1-day move (%)",
        `largest simulated, ${xchainDefaults.simulation.tailCapSd} sd (%)`,
      ],
      estimate.names.map((name, i) => {
        const cap = xchainDefaults.simulation.tailCapSd * estimate.volsDaily[i]!;
        return [
          name,
          `${(estimate.rawVolsDaily[i]! * 100).toFixed(3)}%`,
          `${(estimate.currentVolsDaily[i]! * 100).toFixed(3)}%`,
          `${(estimate.volsDaily[i]! * 100).toFixed(3)}%`,
          `${(estimate.volsDaily[i]! * ann * 100).toFixed(1)}%`,
          `${(Math.expm1(estimate.largestMoveLog[i]!) * 100).toFixed(1)}%`,
          `${(Math.expm1(-cap) * 100).toFixed(1)}% / +${(Math.expm1(cap) * 100).toFixed(1)}%`,
        ];
      }),
    ),
    "",
    "correlation (blended, repaired)",
    renderTable(
      ["", ...estimate.names],
      estimate.names.map((name, i) => [
        name,
        ...Array.from({ length: n }, (_, j) => estimate.correlation[i * n + j]!.toFixed(2)),
      ]),
    ),
  ]
    .filter((l, k) => k !== 1 || l !== "")
    .join("\n");
}
