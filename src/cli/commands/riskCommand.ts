import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { formatDecimal } from "../../core/decimal.js";
import { XmarginError } from "../../core/errors.js";
import {
  estimateRiskFactors,
  type RiskFactorEstimate,
  type RiskFactorEstimateOptions,
} from "../../risk/estimateRiskFactors.js";
import { type PriceSeries, parsePriceCsv } from "../../risk/priceHistory.js";
import { RISK_FACTOR_SERIES } from "../../risk/riskFactorSeries.js";
import type { RiskFactorsDoc } from "../../schema/marketSnapshot.js";
import { readJsonFile } from "../readJsonFile.js";
import { renderTable } from "../table.js";
import { loadForecastHistory } from "./forecastInputs.js";
import { loadForecastWeights } from "./trainCommand.js";

/** Price files of ../shared/data and the factor each one measures. */
export const HISTORY_FILES: ReadonlyArray<[file: string, factor: string]> = RISK_FACTOR_SERIES.map(
  ({ factor, series }) => [`${series}.csv`, factor],
);

export interface RiskArgs {
  history: string;
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

/** Reads the history files present in `dir` (optionally only some factors). */
export function loadHistory(dir: string, only?: string[]): PriceSeries[] {
  const wanted = HISTORY_FILES.filter(([, f]) => !only || only.includes(f));
  if (only) {
    for (const f of only) {
      if (!HISTORY_FILES.some(([, g]) => g === f)) {
        throw new XmarginError(`unknown factor "${f}"`, {
          code: "INVALID_INPUT",
          path: "--factors",
          details: `known: ${HISTORY_FILES.map(([, g]) => g).join(", ")}`,
        });
      }
    }
  }
  const series = wanted
    .filter(([file]) => existsSync(join(dir, file)))
    .map(([file, factor]) => parsePriceCsv(readFileSync(join(dir, file), "utf8"), factor));
  if (series.length === 0) throw new XmarginError(`no price files found in ${dir}`, { code: "IO_ERROR" });
  return series;
}

export function toRiskFactorsDoc(e: RiskFactorEstimate): RiskFactorsDoc {
  return {
    source: e.source,
    factors: e.names.map((name, i) => ({ name, volDaily: formatDecimal(e.volsDaily[i]!, 8) })),
    correlations: e.names.map((_, i) =>
      e.names.map((__, j) => (i === j ? "1" : formatDecimal(e.correlation[i * e.names.length + j]!, 6))),
    ),
  };
}

function positiveNumber(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0)
    throw new XmarginError(`--${name} must be a positive number`, { code: "INVALID_INPUT", path: `--${name}` });
  return n;
}

function riskMethod(v: string | undefined): "ewma" | "garch" | "ml" {
  if (v === undefined || v === "ewma" || v === "garch" || v === "ml") return v ?? "ewma";
  throw new XmarginError(`--method must be ewma, garch or ml, got "${v}"`, { code: "INVALID_INPUT", path: "--method" });
}

/** `xmargin risk`: EWMA vols and correlations with a stressed floor from daily price files. */
export function riskCommand(args: RiskArgs): string {
  const only = args.factors?.split(",").map((s) => s.trim());
  const method = riskMethod(args.method);
  let series = loadHistory(args.history, only);
  let ml: RiskFactorEstimateOptions["ml"];
  if (method === "ml") {
    // The learned forecaster also reads volumes and the BTC series: the same files, loaded with their volume column.
    const h = loadForecastHistory(args.history);
    series = h.factors.filter((f) => !only || only.includes(f.factor)).map((f) => f.series);
    ml = { weights: loadForecastWeights(args.weights), market: h.market };
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
  const doc = toRiskFactorsDoc(estimate);
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
        `${method === "garch" ? "GARCH" : method === "ml" ? "learned" : "EWMA"} vol/day`,
        "floored vol/day",
        "floored vol/year",
      ],
      estimate.names.map((name, i) => [
        name,
        `${(estimate.currentVolsDaily[i]! * 100).toFixed(3)}%`,
        `${(estimate.volsDaily[i]! * 100).toFixed(3)}%`,
        `${(estimate.volsDaily[i]! * ann * 100).toFixed(1)}%`,
      ]),
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
