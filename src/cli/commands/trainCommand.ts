import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { XmarginError } from "../../core/errors.js";
import { buildFactorPanel } from "../../risk/forecast/features.js";
import {
  FORECAST_WEIGHTS_VERSION,
  type ForecastWeights,
  forecastWeightsSchema,
  type MlpHyper,
} from "../../risk/forecast/mlp.js";
import { fitForecaster } from "../../risk/forecast/walkForward.js";
import { parseDocument } from "../../schema/validate.js";
import { historyDir } from "../historyDir.js";
import { progressBar } from "../progress.js";
import { readJsonFile } from "../readJsonFile.js";
import { loadForecastHistory, ML_GRID } from "./forecastInputs.js";

const ROOT = join(
  dirname(fileURLToPath(import.meta.url)),
  import.meta.url.includes("/dist/") ? "../../../.." : "../../..",
);
/** Where the versioned weights artefacts live in the repository. */
export const DEFAULT_WEIGHTS_DIR = join(ROOT, "artefacts", "forecast");
const DEFAULT_REPORT_JSON = join(ROOT, "reports", "forecasting.json");

export interface TrainArgs {
  /** Folder of daily CSVs (default XMARGIN_HISTORY_DIR, else ../shared/data). */
  history?: string;
  /** Output directory of the artefacts; default artefacts/forecast. */
  out?: string;
  /** Report JSON whose validation-chosen hyper-parameters are used; default reports/forecasting.json. */
  hyper?: string;
  /** Train only on targets dated before this ISO date (CI uses a short window). */
  to?: string;
  /** `--quiet`: no progress bar. */
  quiet?: boolean;
}

const artefactName = (group: string): string => `vol-forecaster-${group}.v${FORECAST_WEIGHTS_VERSION}.json`;

interface ReportChoices {
  hyper: Record<ForecastWeights["group"], MlpHyper>;
  /** Factors whose default the report moved to the learned model. */
  mlDefault: string[];
}

/**
 * What the forecasting report chose: hyper-parameters per group (on its validation window) and the factors where the
 * learned model won; the grid's first point and no factor when there is no report.
 */
function reportChoices(file: string): ReportChoices {
  if (!existsSync(file)) return { hyper: { underlying: ML_GRID[0]!, basis: ML_GRID[0]! }, mlDefault: [] };
  const doc = readJsonFile(file, "forecasting report") as {
    chosenHyper?: Record<string, MlpHyper>;
    factors?: Array<{ factor: string; defaultMethod: string }>;
  };
  const u = doc.chosenHyper?.underlying;
  const b = doc.chosenHyper?.basis;
  if (!u || !b)
    throw new XmarginError(`${file} has no chosenHyper.underlying/basis`, { code: "INVALID_INPUT", path: "--hyper" });
  const mlDefault = (doc.factors ?? []).filter((f) => f.defaultMethod === "ml").map((f) => f.factor);
  return { hyper: { underlying: u, basis: b }, mlDefault };
}

/** `xmargin train --history DIR`: refits the learned forecaster of each group on all history and writes the artefacts. */
export async function trainCommand(args: TrainArgs): Promise<string> {
  const history = loadForecastHistory(historyDir(args.history));
  const choices = reportChoices(args.hyper ?? DEFAULT_REPORT_JSON);
  const before = args.to ?? "9999-12-31";
  const out = args.out ?? DEFAULT_WEIGHTS_DIR;
  mkdirSync(out, { recursive: true });
  const bar = progressBar({ quiet: args.quiet === true });
  const lines: string[] = [];
  try {
    for (const group of ["underlying", "basis"] as const) {
      const panels = history.factors
        .filter((f) => f.group === group)
        .map((f) => buildFactorPanel(f.series, history.market, group === "basis"));
      if (panels.length === 0) continue;
      const fitted = await fitForecaster(panels, group, before, choices.hyper[group], (epoch, total) =>
        bar(`train ${group}`, epoch, total),
      );
      const weights = { ...fitted, defaultFor: choices.mlDefault.filter((f) => fitted.factors.includes(f)) };
      const file = join(out, artefactName(group));
      writeFileSync(file, `${JSON.stringify(weights, null, 1)}\n`);
      lines.push(
        `${group}: ${weights.trainingRows} rows through ${weights.trainedThrough}, factors ${weights.factors.join(", ")} -> ${file}`,
      );
    }
  } finally {
    bar.done();
  }
  return lines.join("\n");
}

/** Reads every weights artefact of a directory (validated); `xmargin risk --method ml` uses them. */
export function loadForecastWeights(dir: string = DEFAULT_WEIGHTS_DIR): ForecastWeights[] {
  if (!existsSync(dir)) {
    throw new XmarginError(`no forecaster artefacts in ${dir}`, {
      code: "IO_ERROR",
      details: "run `xmargin train --history DIR`",
    });
  }
  const files = readdirSync(dir).filter((f) => f.startsWith("vol-forecaster-") && f.endsWith(".json"));
  if (files.length === 0) {
    throw new XmarginError(`no forecaster artefacts in ${dir}`, {
      code: "IO_ERROR",
      details: "run `xmargin train --history DIR`",
    });
  }
  return files.map((f) =>
    parseDocument(forecastWeightsSchema, JSON.parse(readFileSync(join(dir, f), "utf8")) as unknown, `forecaster ${f}`),
  );
}
